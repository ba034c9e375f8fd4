import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { ConnectionOptions, SecureContext } from 'node:tls';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import type { HttpSettings, ProxySettings } from './settings';
import { instrumentAgent, type RequestObserver } from './requestHooks';
import { TlsTrust, type TrustMaterial } from './trust';

/**
 * Builds a fresh agent for each request (keep-alive off: a request never lands on a socket the
 * server already dropped, which for a POST would make its outcome unknown). Certificate files are
 * read once, here, so a wrong path fails before the first request and names the file.
 */
export class AgentFactory {
  private readonly tls: TrustMaterial;
  private readonly trust: TlsTrust;
  private readonly proxy: ProxySettings | undefined;
  /** Names the configured files in a message about them, e.g. "CA file /etc/ca.pem". */
  private readonly tlsFiles: string;

  constructor(settings: HttpSettings, publicRoots?: readonly string[]) {
    this.proxy = settings.proxy;
    const t = settings.tls;
    const files = [
      t.caFile !== undefined ? `CA file ${t.caFile}` : '',
      t.certFile !== undefined ? `client certificate ${t.certFile}` : '',
      t.keyFile !== undefined ? `client certificate key ${t.keyFile}` : '',
    ].filter((f) => f !== '');
    this.tlsFiles = files.length > 0 ? files.join(', ') : 'the public roots';
    this.tls = {
      // A custom CA adds to the public roots instead of replacing them (see trust.ts).
      ...(t.caFile !== undefined ? { extraCa: readPem(t.caFile, 'CA certificate') } : {}),
      ...(t.certFile !== undefined ? { cert: readBinary(t.certFile, 'client certificate') } : {}),
      ...(t.keyFile !== undefined ? { key: readBinary(t.keyFile, 'client certificate key') } : {}),
      ...(t.passphrase !== undefined ? { passphrase: t.passphrase } : {}),
      rejectUnauthorized: t.rejectUnauthorized,
    };
    this.trust = new TlsTrust(this.tls, publicRoots);
  }

  /**
   * What the next direct https connection gets: a secure context made once per run (building one
   * parses certificates, which took 60–280 ms when it was done per request), and the trust of
   * trust.ts. Verification stays per connection.
   */
  tlsOptions(full = false): ConnectionOptions {
    try {
      return this.trust.options(full);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`cannot use the TLS settings (${this.tlsFiles}): ${reason}`, { cause: error });
    }
  }

  /** See TlsTrust.widenAfter: true when the failed connection should be made again at once. */
  widenTrustAfter(code: string | undefined, used: SecureContext | undefined): boolean {
    return this.trust.widenAfter(code, used);
  }

  get trustsPublicRoots(): boolean {
    return this.trust.trustsPublicRoots;
  }

  /** The proxy to use for this URL, or undefined when none is set or the URL is bypassed. */
  proxyFor(url: URL): URL | undefined {
    if (this.proxy === undefined) return undefined;
    const href = url.href;
    if (this.proxy.bypass?.some((pattern) => testPattern(pattern, href)) === true) return undefined;
    const proxy = new URL(this.proxy.url);
    if (this.proxy.username !== undefined) proxy.username = encodeURIComponent(this.proxy.username);
    if (this.proxy.password !== undefined) proxy.password = encodeURIComponent(this.proxy.password);
    return proxy;
  }

  /** `onceOnly`: the request cannot be made again (a streamed upload), see TlsTrust.options. */
  create(url: URL, observer: RequestObserver, onceOnly = false): http.Agent {
    const proxy = this.proxyFor(url);
    const secure = url.protocol === 'https:';
    // Only a direct https hop can be widened and made again; any other hop clears what an earlier one left.
    delete observer.secureContext;
    observer.host = url.host;
    if (proxy === undefined) {
      if (!secure) return instrumentAgent(new http.Agent(), observer);
      const options = this.tlsOptions(onceOnly);
      if (options.secureContext !== undefined) observer.secureContext = options.secureContext;
      return instrumentAgent(new https.Agent(options), observer);
    }
    const proxyRequestOptions = {
      rejectUnauthorized: this.tls.rejectUnauthorized,
      ...caOption(this.trust.caList()),
    };
    if (secure) {
      const { cert, key, passphrase, rejectUnauthorized } = this.tls;
      const material = {
        rejectUnauthorized,
        ...(cert !== undefined ? { cert } : {}),
        ...(key !== undefined ? { key } : {}),
        ...(passphrase !== undefined ? { passphrase } : {}),
        ...caOption(this.trust.caList()),
      };
      return instrumentAgent(new HttpsProxyAgent({ ...material, proxy, proxyRequestOptions }), observer);
    }
    if (proxy.protocol === 'http:') {
      return instrumentAgent(new http.Agent(), observer, { proxy, ...basicAuthorization(proxy) });
    }
    // A TLS proxy in front of a plain-http target: tunnel, as absolute-URI needs a TLS socket to the proxy.
    return instrumentAgent(new HttpProxyAgent({ proxy, proxyRequestOptions }), observer);
  }
}

/** Through a proxy, TLS is hpagent's: it gets the CA and the public roots as one list. */
function caOption(ca: string[] | undefined): { ca?: string[] } {
  return ca !== undefined ? { ca } : {};
}

function basicAuthorization(proxy: URL): { authorization?: string } {
  if (proxy.username === '' && proxy.password === '') return {};
  const pair = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}

function testPattern(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text);
}

function readPem(path: string, what: string): string {
  return readBinary(path, what).toString('utf8');
}

function readBinary(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new Error(`cannot read the ${what} file ${path} (${code})`, { cause: error });
  }
}
