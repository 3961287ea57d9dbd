import { Flags } from '@oclif/core';
import { EquinoxCommand, withHost } from '@equinox-sync/host/command-kit';
import { describeBreak, describeVerification, FiscalApi, type FiscalVerification } from '../../index.js';

/** A broken chain: exit 1, and with --json the verification itself rather than an error object. */
class BrokenChainError extends Error {
  readonly exitCode = 1;

  constructor(readonly verification: FiscalVerification & { brokenAt: NonNullable<FiscalVerification['brokenAt']> }) {
    super(describeBreak(verification.brokenAt));
  }
}

export default class FiscalVerify extends EquinoxCommand<typeof FiscalVerify> {
  static override summary = "Verify the fiscal hash chains: links, huellas, numbering and signatures.";
  static override description = `Walks every chain on this device. With --remote it also reads the cloud's chains and the keys it registered, verifies them, and compares both copies, which finds records removed from the end of a chain. Exits 1 at the first broken link; --json prints { ok, chains, records, brokenAt } either way, with brokenAt = { chain, index, expected, found, reason, where }.`;
  static override examples = ['<%= config.bin %> fiscal verify', '<%= config.bin %> fiscal verify --remote --json'];
  static override flags = {
    remote: Flags.boolean({ summary: "Also verify the cloud's copy and compare it with this device's." }),
  };

  async run(): Promise<FiscalVerification> {
    const result = await withHost(this, (host) => host.api(FiscalApi).verify({ remote: this.flags.remote }));
    if (result.brokenAt !== null) throw new BrokenChainError({ ...result, brokenAt: result.brokenAt });
    this.log(describeVerification(result));
    return result;
  }

  protected override toErrorJson(error: unknown): unknown {
    return error instanceof BrokenChainError ? error.verification : super.toErrorJson(error);
  }
}
