/** The export task's inputs, typed and checked, before anything touches LifeTime or the share. */
import type { KeyObject } from 'node:crypto';

export type ExportScope =
  { kind: 'names'; names: string[] } | { kind: 'manifest'; file: string; includeTestApplications: boolean };

export type DependencySource = { kind: 'packages' } | { kind: 'probe'; url: string; key?: string };

export interface ExportParameters {
  lifeTime: { serverUrl: string; token: string };
  sourceEnvironment: string;
  scope: ExportScope;
  sharePath: string;
  bundleName: string;
  dependencySource: DependencySource;
  friendlyPackageNames: boolean;
  signingKey?: KeyObject;
  /** Downloads in flight at once. */
  parallelism: number;
}
