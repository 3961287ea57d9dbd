import { startGateway, type Gateway, type GatewayOptions } from './gateway.js';

/**
 * Which ports to try for the cloud's URL, in order.
 *
 * @example
 * const choice: PortChoice = { remembered: secrets.port, preferred: 54321 };
 */
export interface PortChoice {
  /** Required: this port or failure (`--port`). */
  readonly port?: number;
  /** The last run's port on this data dir: devices were configured with it. */
  readonly remembered?: number;
  /** Tried when there is no remembered port, or it is taken (the CLI: 54321, as the Supabase CLI). */
  readonly preferred?: number;
}

/**
 * Starts the gateway on the first free port of: the required one (only it), else the
 * remembered one, the preferred one, any free one. Says so when the remembered port was
 * taken, since devices configured with the old URL will not reach the new one.
 *
 * @example
 * const { gateway, warnings } = await startGatewayOnPort({ remembered: 54321, preferred: 54321 }, options);
 */
export async function startGatewayOnPort(choice: PortChoice, options: Omit<GatewayOptions, 'port'>): Promise<{ gateway: Gateway; warnings: string[] }> {
  if (choice.port !== undefined) {
    try {
      return { gateway: await startGateway({ ...options, port: choice.port }), warnings: [] };
    } catch (error) {
      if (inUse(error)) throw new Error(`port ${choice.port} is in use by another program`, { cause: error });
      throw error;
    }
  }
  const candidates = [...new Set([choice.remembered, choice.preferred, 0].filter((port): port is number => port !== undefined))];
  for (const port of candidates) {
    try {
      const gateway = await startGateway({ ...options, port });
      const moved = choice.remembered !== undefined && gateway.port !== choice.remembered;
      const warnings = moved
        ? [`port ${choice.remembered} of the last run is in use by another program, so the cloud runs on ${gateway.port}: devices set up with the old URL need the new one (or free the port and restart)`]
        : [];
      return { gateway, warnings };
    } catch (error) {
      if (!inUse(error) || port === 0) throw error;
    }
  }
  throw new Error('no port to listen on');
}

function inUse(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EADDRINUSE' || code === 'EACCES';
}
