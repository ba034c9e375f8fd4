import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { createSecureContext, rootCertificates, type ConnectionOptions, type SecureContext } from 'node:tls';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import type { HttpSettings, ProxySettings } from './settings';
import { instrumentAgent, type RequestObserver } from './requestHooks';

interface TlsMaterial {
  /** The agent's CA certificate (PEM), trusted besides the public roots. */
  extraCa?: string;
  cert?: Buffer;
  key?: Buffer;
  passphrase?: string;
  rejectUnauthorized: boolean;
}

/**
 * Builds a fresh agent for each request (keep-alive off: a request never lands on a socket the
 * server already dropped, which for a POST would make its outcome unknown). Certificate files are
 * read once, here, so a wrong path fails before the first request and names the file.
 */
export class AgentFactory {
  private readonly tls: TlsMaterial;
  private readonly proxy: ProxySettings | undefined;
  private secureContext: SecureContext | undefined;
  /** Names the configured files in a message about them, e.g. "CA file /etc/ca.pem". */
  private readonly tlsFiles: string;

  constructor(settings: HttpSettings) {
    this.proxy = settings.proxy;
    const t = settings.tls;
    const files = [
      t.caFile !== undefined ? `CA file ${t.caFile}` : '',
      t.certFile !== undefined ? `client certificate ${t.certFile}` : '',
      t.keyFile !== undefined ? `client certificate key ${t.keyFile}` : '',
    ].filter((f) => f !== '');
    this.tlsFiles = files.length > 0 ? files.join(', ') : 'the public roots';
    this.tls = {
      // A custom CA adds to the public roots instead of replacing them: a download link may point
      // to a host with a public certificate while LifeTime itself uses the corporate CA.
      ...(t.caFile !== undefined ? { extraCa: readPem(t.caFile, 'CA certificate') } : {}),
      ...(t.certFile !== undefined ? { cert: readBinary(t.certFile, 'client certificate') } : {}),
      ...(t.keyFile !== undefined ? { key: readBinary(t.keyFile, 'client certificate key') } : {}),
      ...(t.passphrase !== undefined ? { passphrase: t.passphrase } : {}),
      rejectUnauthorized: t.rejectUnauthorized,
    };
  }

  /**
   * What every direct https connection gets: one secure context for the whole run, made on first
   * use. Building one parses the CA bundle (with a custom CA, all public roots too: about a
   * hundred and fifty certificates), which took 60–280 ms each time; a context per request
   * made TLS cost more than the requests themselves. Verification stays per connection.
   *
   * A custom CA is added to a context that starts from Node's own root store, not given as `ca`
   * with every public root: `ca` makes Node turn its parsed roots into PEM text (rootCertificates)
   * and parse all of them again, 20–60 ms of a run's start; adding one certificate keeps the same
   * trust (the public roots and that CA) for about 2 ms.
   */
  tlsOptions(): ConnectionOptions {
    try {
      this.secureContext ??= this.makeSecureContext();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`cannot use the TLS settings (${this.tlsFiles}): ${reason}`, { cause: error });
    }
    return { secureContext: this.secureContext, rejectUnauthorized: this.tls.rejectUnauthorized };
  }

  private makeSecureContext(): SecureContext {
    const { extraCa } = this.tls;
    const base = {
      ...(this.tls.cert !== undefined ? { cert: this.tls.cert } : {}),
      ...(this.tls.key !== undefined ? { key: this.tls.key } : {}),
      ...(this.tls.passphrase !== undefined ? { passphrase: this.tls.passphrase } : {}),
    };
    if (extraCa === undefined) return createSecureContext(base);
    const context = createSecureContext(base);
    if (addCaCertificate(context, extraCa)) return context;
    // A Node without the native call: the documented way, public roots and the CA as `ca`.
    return createSecureContext({ ...base, ca: this.publicRootsAnd(extraCa) });
  }

  private publicRootsAnd(extraCa: string): string[] {
    return [...rootCertificates, extraCa];
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

  create(url: URL, observer: RequestObserver): http.Agent {
    const proxy = this.proxyFor(url);
    const secure = url.protocol === 'https:';
    if (proxy === undefined) {
      return instrumentAgent(secure ? new https.Agent(this.tlsOptions()) : new http.Agent(), observer);
    }
    const proxyRequestOptions = {
      rejectUnauthorized: this.tls.rejectUnauthorized,
      ...(this.tls.extraCa !== undefined ? { ca: this.publicRootsAnd(this.tls.extraCa) } : {}),
    };
    if (secure) {
      const { extraCa, ...material } = this.tls;
      const ca = extraCa !== undefined ? { ca: this.publicRootsAnd(extraCa) } : {};
      return instrumentAgent(new HttpsProxyAgent({ ...material, ...ca, proxy, proxyRequestOptions }), observer);
    }
    if (proxy.protocol === 'http:') {
      return instrumentAgent(new http.Agent(), observer, { proxy, ...basicAuthorization(proxy) });
    }
    // A TLS proxy in front of a plain-http target: tunnel, as absolute-URI needs a TLS socket to the proxy.
    return instrumentAgent(new HttpProxyAgent({ proxy, proxyRequestOptions }), observer);
  }
}

/** The native context's addCACert (what `ca` itself calls per certificate), when this Node has it. */
interface NativeContext {
  addCACert(pem: string): void;
}

function isNativeContext(value: unknown): value is NativeContext {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'addCACert') === 'function';
}

/**
 * Adds a CA to a context made without `ca`. Node (SecureContext::AddCACert) then gives the context
 * its own store, made by NewRootCertStore from the same bundled roots that rootCertificates lists,
 * and adds the CA to it: the trust is what `ca: [...rootCertificates, pem]` gave (neither includes
 * NODE_EXTRA_CA_CERTS). False when this Node has no such call.
 */
function addCaCertificate(context: SecureContext, pem: string): boolean {
  const native: unknown = Reflect.get(context, 'context');
  if (!isNativeContext(native)) return false;
  native.addCACert(pem);
  return true;
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
