import * as http from 'node:http';
import * as https from 'node:https';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** False when the connection ended or broke before the declared body arrived. */
  complete: boolean;
  error?: Error;
}

export interface RawRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** For a TLS emulator: the certificate to trust. */
  ca?: string | Buffer;
}

/**
 * One plain HTTP exchange, without retries or keep-alive, so that tests see exactly what the
 * emulator sent. Rejects only when no response head arrived (e.g. a reset before the body).
 */
export function rawRequest(url: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const headers: Record<string, string | number> = { ...options.headers };
    if (body) headers['Content-Length'] = body.length;
    const requestOptions: https.RequestOptions = { method: options.method ?? 'GET', headers, agent: false };
    if (options.ca !== undefined) requestOptions.ca = options.ca;
    const req = (target.protocol === 'https:' ? https : http).request(target, requestOptions, (res) => {
      const chunks: Buffer[] = [];
      let settled = false;
      const finish = (complete: boolean, error?: Error): void => {
        if (settled) return;
        settled = true;
        const response: RawResponse = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          complete,
        };
        if (error) response.error = error;
        resolve(response);
      };
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => finish(res.complete));
      res.on('error', (e) => finish(false, e));
      res.on('close', () => finish(res.complete));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Parses a JSON body, failing the test with the text when it is not JSON. */
export function jsonBody(response: RawResponse): unknown {
  const text = response.body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`Expected JSON, got HTTP ${response.status}: ${text.slice(0, 200)}`);
  }
}
