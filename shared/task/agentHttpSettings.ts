import * as tl from 'azure-pipelines-task-lib/task';
import { registerSecret } from './secretRegistry';
import { defaultHttpSettings, type HttpSettings, type ProxySettings } from '../http/settings';
import { testKnobOverrides } from '../http/testKnobs';

/** HttpSettings plus the warnings a task must surface (e.g. certificate validation switched off). */
export type AgentHttpSettings = HttpSettings & { warnings: string[] };

/**
 * The agent's proxy and certificate configuration (Agent.ProxyUrl, Agent.CAInfo, …) as HttpSettings:
 * task glue, so shared/http itself never reads task-lib. Secrets are registered before anything could print them.
 */
export function agentHttpSettings(overrides: Partial<HttpSettings> = {}): AgentHttpSettings {
  const warnings: string[] = [];
  const proxy = proxySettings(warnings);
  const cert = tl.getHttpCertConfiguration();
  if (cert?.passphrase !== undefined && cert.passphrase !== '') registerSecret(cert.passphrase);
  const skip = (tl.getVariable('Agent.SkipCertValidation') ?? '').trim().toLowerCase() === 'true';
  if (skip) {
    warnings.push(
      'Agent.SkipCertValidation is set: TLS certificates are NOT verified, so LifeTime could be impersonated. Configure the CA (Agent.CAInfo) instead.',
    );
  }
  if (cert?.certArchiveFile !== undefined && cert.certArchiveFile !== '' && (cert.certFile ?? '') === '') {
    warnings.push(
      'Agent.ClientCertArchive (PFX) is not supported; configure Agent.ClientCert and Agent.ClientCertKey.',
    );
  }
  const tls: HttpSettings['tls'] = {
    rejectUnauthorized: !skip,
    ...nonEmpty('caFile', cert?.caFile),
    ...nonEmpty('certFile', cert?.certFile),
    ...nonEmpty('keyFile', cert?.keyFile),
    ...nonEmpty('passphrase', cert?.passphrase),
  };
  return {
    ...defaultHttpSettings({ tls, ...(proxy !== undefined ? { proxy } : {}), ...testKnobOverrides(), ...overrides }),
    warnings,
  };
}

function proxySettings(warnings: string[]): ProxySettings | undefined {
  // Without a URL task-lib returns the configuration with its bypass list, which is applied per request.
  const config = tl.getHttpProxyConfiguration();
  if (config === null || config.proxyUrl === '') return undefined;
  if (config.proxyPassword !== undefined && config.proxyPassword !== '') registerSecret(config.proxyPassword);
  const bypass: RegExp[] = [];
  for (const pattern of config.proxyBypassHosts ?? []) {
    try {
      bypass.push(new RegExp(pattern, 'i'));
    } catch {
      warnings.push(`ignored an invalid Agent.ProxyBypassList entry: ${pattern}`);
    }
  }
  return {
    url: config.proxyUrl,
    bypass,
    ...nonEmpty('username', config.proxyUsername),
    ...nonEmpty('password', config.proxyPassword),
  };
}

function nonEmpty<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  if (value === undefined || value === '') return {};
  const result: Partial<Record<K, string>> = {};
  result[key] = value;
  return result;
}
