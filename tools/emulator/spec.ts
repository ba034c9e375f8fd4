import type { MobileVersion } from '../../shared/lifetime/types';
import type { DeploymentSettings } from './deploymentSpec';

/** One tagged version of an application, oldest first in its application's list. */
export interface EmulatorVersionSpec {
  version: string;
  changeLog?: string;
  key?: string;
  createdOn?: string;
  mobileVersions?: MobileVersion[];
  /** The content endpoint answers 204 "No binary available" for this version. */
  noBinary?: boolean;
}

export interface EmulatorApplicationSpec {
  name: string;
  key?: string;
  kind?: 'WebResponsive' | 'Mobile';
  isSystem?: boolean;
  team?: string;
  description?: string;
  /** Names of other applications of this LifeTime (platform applications included). */
  producers?: string[];
  /** Payload size of each generated .oap. */
  packageBytes?: number;
  /** Size of the icon in each generated Manifest.xml (see OapSpec.iconBytes). */
  iconBytes?: number;
  /** Oldest first. */
  versions?: EmulatorVersionSpec[];
  /** Environment name -> tagged version running there (null = running but never tagged). */
  running?: Record<string, { version: string | null; modified?: boolean }>;
}

export interface EmulatorEnvironmentSpec {
  name: string;
  hostName: string;
  key?: string;
  type?: 'Development' | 'Test' | 'Production';
}

export interface EmulatorSpec {
  token: string;
  environments: EmulatorEnvironmentSpec[];
  applications: EmulatorApplicationSpec[];
  /** When set, the CI/CD Probe requires this `X-CICDProbe-Key`. */
  probeKey?: string;
  /** Lifetime of download links; LifeTime documents 60 minutes. */
  linkTtlMs?: number;
  /** LifeTime's answer to a duplicate version tag is undocumented ([INF] §5), so it is configurable. */
  duplicateTagStatus?: 400 | 500;
  /** Delay added to every request. */
  latencyMs?: number;
  /** How deployment plans run (step time, two-step environments, parallel plans). */
  deployments?: DeploymentSettings;
}

/**
 * `path` is matched against the request's path as sent (no query): a string as a substring, so
 * leave off trailing slashes to match both spellings; a RegExp with `test`.
 */
export type FaultSpec = { method?: string; path: string | RegExp; times?: number } & (
  | { kind: 'status'; status: number; body?: unknown; rawBody?: string; retryAfterSeconds?: number }
  | { kind: 'reset-before-body' }
  | { kind: 'reset-mid-body' }
  | { kind: 'truncate-body' }
  | { kind: 'non-json-body' }
  | { kind: 'slow-headers'; ms: number }
  | { kind: 'latency'; ms: number }
  | { kind: 'expired-link' }
  /** The request is processed (e.g. a tag created) but the connection drops before the response. */
  | { kind: 'reset-after-request' }
);

export type AuthKind = 'bearer' | 'bad-token' | 'none' | 'other';

export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  /** 0 when the connection was dropped without a response. */
  status: number;
  auth: AuthKind;
  /** When the request arrived (Date.now()). */
  at: number;
  /** When the response head went out (after any latency); unset while pending or when dropped. */
  answeredAt?: number;
  faulted?: string;
}
