/**
 * Which certificates a run's https connections trust, as secure contexts made once per run.
 *
 * With a CA from the agent (Agent.CAInfo) the trust is that CA and the public roots, as the agent
 * itself trusts them: LifeTime may use the corporate CA while a download link points to a host
 * with a public certificate. Handing Node every public root as `ca` makes it parse them all again:
 * 55 ms of a run's start on Node 20 and 10 ms on Node 24, against 29 ms and 2 ms for the CA alone
 * (on Node 20 mostly the root store it builds on first use anyway). So connections start with the
 * CA alone, which is what LifeTime's certificate chains to when a CA is configured at all, and
 * the first certificate that does not chain to it makes the run trust the public roots as well;
 * that connection is made again. Both contexts verify every certificate: a refused handshake
 * sends no request, so making it again is safe for any method, and nothing is ever trusted that
 * the CA plus the roots would not trust. (The same speed came before from Node's undocumented
 * native addCACert; this needs only documented options.)
 */
import { createSecureContext, rootCertificates, type ConnectionOptions, type SecureContext } from 'node:tls';

/** OpenSSL's verdicts that a wider set of roots can change; any other failure stands. */
const UNKNOWN_ISSUER_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);

export interface TrustMaterial {
  /** The agent's CA certificate(s), PEM. */
  extraCa?: string;
  cert?: Buffer;
  key?: Buffer;
  passphrase?: string;
  rejectUnauthorized: boolean;
}

export class TlsTrust {
  private caOnly: SecureContext | undefined;
  private wide: SecureContext | undefined;
  private widened: boolean;

  constructor(
    private readonly material: TrustMaterial,
    /** Trusted besides the agent's CA: Node's bundled (Mozilla) roots, unless a test says otherwise. */
    private readonly publicRoots: readonly string[] = rootCertificates,
  ) {
    this.widened = false;
  }

  /**
   * For the next connection. Throws (with OpenSSL's reason) when the material is unusable.
   * `full`: the public roots from the start, for a request that cannot be made again (a streamed
   * upload is read as it is sent), whatever the run trusts so far.
   */
  options(full = false): ConnectionOptions {
    return { secureContext: this.current(full), rejectUnauthorized: this.material.rejectUnauthorized };
  }

  /** Whether connections now trust the public roots too (after widenAfter, or without a CA of their own). */
  get trustsPublicRoots(): boolean {
    return this.widened || this.material.extraCa === undefined;
  }

  /** The CA list for TLS that Node builds itself (through a proxy): the CA and the public roots. */
  caList(): string[] | undefined {
    const { extraCa } = this.material;
    return extraCa !== undefined ? [...this.publicRoots, extraCa] : undefined;
  }

  /**
   * After a connection made with `used` failed with `code`: true when it should be made again at
   * once, now with the public roots trusted too. True at most once per connection, since the
   * context it gets next is the wide one.
   */
  widenAfter(code: string | undefined, used: SecureContext | undefined): boolean {
    if (!this.material.rejectUnauthorized || used === undefined || used !== this.caOnly) return false;
    if (code === undefined || !UNKNOWN_ISSUER_CODES.has(code)) return false;
    this.widened = true;
    return true;
  }

  private current(full: boolean): SecureContext {
    const base = {
      ...(this.material.cert !== undefined ? { cert: this.material.cert } : {}),
      ...(this.material.key !== undefined ? { key: this.material.key } : {}),
      ...(this.material.passphrase !== undefined ? { passphrase: this.material.passphrase } : {}),
    };
    const { extraCa } = this.material;
    // Without a CA of its own the run trusts Node's default store, one context for everything.
    if (extraCa === undefined) {
      this.wide ??= createSecureContext(base);
      return this.wide;
    }
    if (this.widened || full) {
      this.wide ??= createSecureContext({ ...base, ca: [...this.publicRoots, extraCa] });
      return this.wide;
    }
    this.caOnly ??= createSecureContext({ ...base, ca: extraCa });
    return this.caOnly;
  }
}
