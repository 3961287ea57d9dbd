import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import ws from 'ws';

/** A supabase-js client as a device makes one: the API key plus, optionally, a user token. */
export function supabaseClient(url: string, apiKey: string, accessToken?: string): SupabaseClient {
  return createClient(url, apiKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: ws as never },
    ...(accessToken ? { global: { headers: { Authorization: `Bearer ${accessToken}` } } } : {}),
  });
}
