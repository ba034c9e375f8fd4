/** The export task's inputs: the typed parameters, and their reader; every failure names the input at fault. */
import type { KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as tl from 'azure-pipelines-task-lib/task';
import { loadPrivateKey } from '../bundle/signing';
import { checkBundleName } from '../bundle/writer';
import { requireSecureUrl } from '../http/secureUrl';
import { readLifeTimeConnection } from '../task/connection';
import { bool, nameList, oneOf, optionalString, positiveInt, requiredString } from '../task/inputs';
import { readSecretInput } from '../task/secrets';

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

/**
 * An empty filePath input reaches the task as the repository root, so a folder means "not given".
 */
function manifestFileInput(): string | undefined {
  const value = optionalString('manifestFile');
  if (value === undefined) return undefined;
  try {
    if (fs.statSync(value).isDirectory()) return undefined;
  } catch {
    // A path that does not exist is reported when it is read, naming it.
  }
  return value;
}

function scopeInput(): ExportScope {
  const names = nameList('applications');
  const manifestFile = manifestFileInput();
  if (names.length > 0 && manifestFile !== undefined) {
    throw new Error("Give either 'applications' or 'manifestFile', not both: a manifest pins its own applications.");
  }
  if (manifestFile !== undefined) {
    return { kind: 'manifest', file: manifestFile, includeTestApplications: bool('includeTestApplications', false) };
  }
  if (names.length === 0) {
    throw new Error(
      "Give the applications to export: 'applications' (names) or 'manifestFile' (a deployment or trigger manifest).",
    );
  }
  return { kind: 'names', names };
}

function dependencySourceInput(): DependencySource {
  const kind = oneOf('dependencySource', ['packages', 'probe'] as const, 'packages');
  if (kind === 'packages') return { kind };
  const url = optionalString('probeUrl');
  if (url === undefined) throw new Error("Input 'probeUrl' is required when 'dependencySource' is probe.");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Input 'probeUrl' is not a valid URL: '${url}'.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`Input 'probeUrl' must be an http(s) URL, not '${parsed.protocol}'.`);
  }
  requireSecureUrl(
    parsed,
    () =>
      new Error(
        `Input 'probeUrl' is an http:// URL (${parsed.origin}): the probe key and the answers would travel unencrypted; use https://${parsed.host}.`,
      ),
  );
  const key = readSecretInput('probeKey');
  return key === undefined ? { kind, url } : { kind, url, key };
}

export function readExportParameters(): ExportParameters {
  // Secrets first, so they are registered before anything else can print.
  const lifeTime = readLifeTimeConnection('lifeTimeConnection');
  const signingKeyText = readSecretInput('signingKey');
  const dependencySource = dependencySourceInput();

  const bundleName = optionalString('bundleName') ?? tl.getVariable('Build.BuildNumber')?.trim();
  if (bundleName === undefined || bundleName === '') {
    throw new Error("Input 'bundleName' is empty and Build.BuildNumber is not set: name the bundle folder.");
  }
  try {
    // Checked before LifeTime is asked anything, so a bad name fails naming the input, not the share.
    checkBundleName(bundleName);
  } catch (error) {
    const source =
      optionalString('bundleName') !== undefined ? "Input 'bundleName'" : 'Build.BuildNumber (the default bundleName)';
    throw new Error(`${source}: ${(error as Error).message}`);
  }
  const params: ExportParameters = {
    lifeTime: { serverUrl: lifeTime.serverUrl, token: lifeTime.token },
    sourceEnvironment: requiredString('sourceEnvironment'),
    scope: scopeInput(),
    sharePath: requiredString('sharePath'),
    bundleName,
    dependencySource,
    friendlyPackageNames: bool('friendlyPackageNames', false),
    parallelism: positiveInt('downloadParallelism', 4, 16),
  };
  if (signingKeyText !== undefined) params.signingKey = loadPrivateKey(signingKeyText, 'signingKey');
  return params;
}
