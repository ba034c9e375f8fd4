/**
 * How every outgoing request behaves. One value per task run, built from the agent's settings
 * (shared/task/agentHttpSettings.ts) or, in tests, from defaultHttpSettings() with short timeouts.
 */
export interface ProxySettings {
  /** e.g. http://proxy.corp:8080; credentials go in username/password, never in the URL. */
  url: string;
  username?: string;
  password?: string;
  /** Tested against the full request URL, as the agent does for Agent.ProxyBypassList. */
  bypass?: RegExp[];
}

export interface TlsSettings {
  /** PEM CA bundle trusted in addition to the public roots (Agent.CAInfo). */
  caFile?: string;
  /** PEM client certificate and key for mutual TLS (Agent.ClientCert / Agent.ClientCertKey). */
  certFile?: string;
  keyFile?: string;
  passphrase?: string;
  /** false only when the agent is explicitly told to skip certificate validation. */
  rejectUnauthorized: boolean;
}

export interface HttpSettings {
  /** Limit for one attempt: until the response headers, then for each pause in a response body. */
  timeoutMs: number;
  /** Further attempts after the first, for idempotent requests only. */
  retries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  proxy?: ProxySettings;
  tls: TlsSettings;
}

export function defaultHttpSettings(overrides: Partial<HttpSettings> = {}): HttpSettings {
  return {
    timeoutMs: 60_000,
    retries: 4,
    backoffBaseMs: 1_000,
    backoffMaxMs: 30_000,
    tls: { rejectUnauthorized: true },
    ...overrides,
  };
}
