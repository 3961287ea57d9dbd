import { Flags } from '@oclif/core';
import { DEVICE_ID_PATTERN, DEVICE_ID_RULE, TENANT_ID_PATTERN, TENANT_ID_RULE } from '@equinox-sync/config';

/**
 * `--tenant T`: a tenant id the config and the cloud accept, checked while the flags are
 * parsed (a bad one is a usage error naming the flag and the rule).
 *
 * @example
 * static override flags = { tenant: tenantFlag({ summary: 'Tenant id.', required: true }) };
 */
export const tenantFlag = Flags.custom<string>({
  helpValue: 'TENANT',
  parse: async (input) => identifier(input, TENANT_ID_PATTERN, TENANT_ID_RULE, 'tenant id'),
});

/**
 * `--device D`: a device id the engine accepts (it is part of every clock value), checked
 * while the flags are parsed.
 *
 * @example
 * static override flags = { device: deviceFlag({ summary: 'Device id.' }) };
 */
export const deviceFlag = Flags.custom<string>({
  helpValue: 'DEVICE',
  parse: async (input) => identifier(input, DEVICE_ID_PATTERN, DEVICE_ID_RULE, 'device id'),
});

/** A token lifetime: a positive whole number and a unit, as the token minter reads it. */
const LIFETIME = /^([0-9]+)(s|m|h|d|w|y)$/;

/**
 * `--expires-in 30d`: a token's lifetime, a positive whole number and a unit (s, m, h, d,
 * w, y). A zero or negative one would mint a token that is already expired.
 *
 * @example
 * static override flags = { 'expires-in': lifetimeFlag({ summary: 'Lifetime.', default: '365d' }) };
 */
export const lifetimeFlag = Flags.custom<string>({
  helpValue: 'DURATION',
  parse: async (input) => {
    const match = LIFETIME.exec(input.trim());
    if (match === null || Number(match[1]) <= 0) {
      throw new Error(`"${input}" is not a lifetime: expected a positive whole number and a unit s, m, h, d, w or y (e.g. 90m, 12h, 30d)`);
    }
    return input.trim();
  },
});

function identifier(input: string, pattern: RegExp, rule: string, what: string): string {
  if (!pattern.test(input)) throw new Error(`${JSON.stringify(input)} is not a valid ${what}: ${rule}`);
  return input;
}
