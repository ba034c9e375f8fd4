import type * as http from 'node:http';
import type { SecureContext } from 'node:tls';

/** What one logical request learns from the sockets node-fetch opens for it. */
export interface RequestObserver {
  /** Set once a request has been completely written to a socket. */
  requestSent: boolean;
  /** The secure context its last direct https connection was given (see AgentFactory.widenTrustAfter). */
  secureContext?: SecureContext;
  /** host:port of its last connection, for messages. */
  host?: string;
}

/** Absolute-URI forwarding through a plain HTTP proxy (RFC 9112 §3.2.2), for http:// targets. */
export interface ForwardProxy {
  proxy: URL;
  authorization?: string;
}

export const BODY_INCOMPLETE = 'ERR_BODY_INCOMPLETE';

/**
 * Node's Agent#addRequest is public at runtime but not in @types/node. Wrapping it is the one place
 * where the ClientRequest is visible, which node-fetch 2 otherwise hides. It is needed because
 * node-fetch 2 never ends nor errors a body whose connection closes before Content-Length bytes
 * arrived: the download would hang until the idle timeout instead of failing at once.
 */
export function instrumentAgent<T extends http.Agent>(agent: T, observer: RequestObserver, forward?: ForwardProxy): T {
  const original: unknown = Reflect.get(agent, 'addRequest');
  if (typeof original !== 'function') return agent;
  const addRequest = (req: http.ClientRequest, options: http.RequestOptions): void => {
    req.once('finish', () => {
      observer.requestSent = true;
    });
    req.once('response', (res: http.IncomingMessage) => {
      res.once('close', () => {
        // node-fetch listens for request errors and destroys its body stream with them.
        if (!res.complete && req.listenerCount('error') > 0) {
          req.emit(
            'error',
            Object.assign(new Error('connection closed before the whole body arrived'), { code: BODY_INCOMPLETE }),
          );
        }
      });
    });
    let effective = options;
    if (forward) {
      const host = typeof options.host === 'string' ? options.host : (options.hostname ?? 'localhost');
      const port = options.port === undefined || options.port === null ? '' : `:${String(options.port)}`;
      const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
      req.path = `http://${hostPart}${port}${req.path}`;
      if (forward.authorization !== undefined) req.setHeader('Proxy-Authorization', forward.authorization);
      effective = {
        ...options,
        host: forward.proxy.hostname,
        hostname: forward.proxy.hostname,
        port: proxyPort(forward.proxy),
      };
    }
    Reflect.apply(original, agent, [req, effective]);
  };
  Reflect.set(agent, 'addRequest', addRequest);
  return agent;
}

export function proxyPort(proxy: URL): number {
  if (proxy.port !== '') return Number(proxy.port);
  return proxy.protocol === 'https:' ? 443 : 80;
}
