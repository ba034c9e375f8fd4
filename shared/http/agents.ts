import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { rootCertificates, type ConnectionOptions } from 'node:tls';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import type { HttpSettings, ProxySettings } from './settings';
import { instrumentAgent, type RequestObserver } from './requestHooks';

interface TlsMaterial {
  ca?: string[];
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

  constructor(settings: HttpSettings) {
    this.proxy = settings.proxy;
    const t = settings.tls;
    this.tls = {
      // A custom CA adds to the public roots instead of replacing them: a download link may point
      // to a host with a public certificate while LifeTime itself uses the corporate CA.
      ...(t.caFile !== undefined ? { ca: [...rootCertificates, readPem(t.caFile, 'CA certificate')] } : {}),
      ...(t.certFile !== undefined ? { cert: readBinary(t.certFile, 'client certificate') } : {}),
      ...(t.keyFile !== undefined ? { key: readBinary(t.keyFile, 'client certificate key') } : {}),
      ...(t.passphrase !== undefined ? { passphrase: t.passphrase } : {}),
      rejectUnauthorized: t.rejectUnauthorized,
    };
  }

  /** The TLS settings an https agent gets, for a connection made without one (rawGet/). */
  tlsOptions(): ConnectionOptions {
    return { ...this.tls };
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
      return instrumentAgent(secure ? new https.Agent({ ...this.tls }) : new http.Agent(), observer);
    }
    const proxyRequestOptions = {
      rejectUnauthorized: this.tls.rejectUnauthorized,
      ...(this.tls.ca !== undefined ? { ca: this.tls.ca } : {}),
    };
    if (secure) {
      return instrumentAgent(new HttpsProxyAgent({ ...this.tls, proxy, proxyRequestOptions }), observer);
    }
    if (proxy.protocol === 'http:') {
      return instrumentAgent(new http.Agent(), observer, { proxy, ...basicAuthorization(proxy) });
    }
    // A TLS proxy in front of a plain-http target: tunnel, as absolute-URI needs a TLS socket to the proxy.
    return instrumentAgent(new HttpProxyAgent({ proxy, proxyRequestOptions }), observer);
  }
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
