/**
 * The export operation: resolve the scope, stream each package into a temporary folder on the
 * share (hashing on the way), work out the producers-first order, write and optionally sign the
 * manifest, and only then rename the folder into place.
 */
import * as fs from 'node:fs';
import {
  BUNDLE_KIND,
  BUNDLE_SCHEMA_VERSION,
  MANIFEST_FILE_NAME,
  SIGNATURE_FILE_NAME,
  serializeBundleManifest,
} from '../bundle/manifest';
import type { BundleApplication, BundleManifest, PipelineRun } from '../bundle/manifest';
import { packageFileName } from '../bundle/fileNames';
import { publicKeyFingerprint, signManifest } from '../bundle/signing';
import { BundleStaging } from '../bundle/writer';
import type { LifeTimeClient } from '../lifetime/client';
import type { Transfer } from '../lifetime/download';
import type { ProbeClient } from '../lifetime/probe';
import { readOapManifest } from '../oap/oapReader';
import type { OapManifest } from '../oap/oapTypes';
import { orderByDependencies } from '../ordering/order';
import type { Reporter } from '../util/reporter';
import { mapWithConcurrency } from '../util/concurrency';
import { dependenciesFromPackages, dependenciesFromProbe } from './dependencies';
import type { PackageDependencies } from './dependencies';
import { DownloadLinks } from './downloadLinks';
import { readManifestScope } from './manifestScope';
import type { ExportParameters } from './parameters';
import { resolveByNames, resolvePinned } from './resolveVersions';
import type { ResolvedVersion } from './resolveVersions';

export interface ExportEnvironment {
  lifeTime: LifeTimeClient;
  probe?: ProbeClient;
  reporter: Reporter;
  pipeline: PipelineRun;
  taskVersion: string;
  signal: AbortSignal;
  now?: () => Date;
}

export interface ExportedPackage extends ResolvedVersion {
  file: string;
  size: number;
  sha256: string;
  /** How the package travelled (see DownloadResult). */
  transfer: Transfer;
  oap: OapManifest;
  position: number;
  producerNames: string[];
}

export interface ExportResult {
  bundlePath: string;
  manifest: BundleManifest;
  packages: ExportedPackage[];
  warnings: string[];
  signatureFingerprint?: string;
}

function checkNotAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Error('the export was cancelled; nothing was left on the share');
}

export async function runExport(params: ExportParameters, env: ExportEnvironment): Promise<ExportResult> {
  const { lifeTime, reporter, signal } = env;
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    reporter.warn(message);
  };

  // Nothing is written to the share until the scope is known to be exportable. For names, the
  // application list (a read) is asked for while the environment is looked up, not after it: one
  // LifeTime round trip (a TLS handshake and a response) less before the first byte. An unknown
  // environment is still what is reported; the list's own failure waits until it is used.
  const directory =
    params.scope.kind === 'names' ? lifeTime.applicationDirectory({ includeEnvStatus: true }) : undefined;
  directory?.catch(() => undefined);
  const environment = await lifeTime.getEnvironment(params.sourceEnvironment);
  // The first lane-full of download links is asked for while the versions are looked up.
  const links = new DownloadLinks(lifeTime);
  const early = { links, count: params.parallelism };
  let versions: ResolvedVersion[];
  if (params.scope.kind === 'names') {
    versions = await resolveByNames(lifeTime, environment, params.scope.names, directory, early);
  } else {
    const scope = readManifestScope(params.scope.file, params.scope.includeTestApplications);
    reporter.info(`Scope: ${scope.format} manifest ${params.scope.file}, ${scope.versions.length} application(s)`);
    if (scope.skippedTestApplications.length > 0) {
      reporter.info(
        `Test applications left out (includeTestApplications is false): ${scope.skippedTestApplications.join(', ')}`,
      );
    }
    versions = await resolvePinned(lifeTime, scope.versions, early);
  }
  for (const v of versions) {
    if (v.modifiedSinceTag !== undefined) {
      warn(
        `application "${v.name}" in "${environment.Name}" runs code that differs from its tag ${v.version} (${v.modifiedSinceTag}); the tagged version ${v.version} is exported, not the running code`,
      );
    }
  }
  checkNotAborted(signal);

  const staging = await BundleStaging.create(params.sharePath, params.bundleName);
  try {
    const taken = new Set<string>();
    const files = versions.map((v) => packageFileName(v, params.friendlyPackageNames, taken));
    const downloaded = await downloadAll(versions, files, staging, params.parallelism, links, env);
    checkNotAborted(signal);

    const deps = await dependenciesOf(downloaded, params, env);
    for (const w of deps.warnings) warn(w);
    const order = orderByDependencies(
      downloaded,
      (p) => p.key,
      (p) => deps.producers.get(p.key) ?? [],
      (p) => p.name,
    );
    const nameOf = new Map(downloaded.map((p) => [p.key, p.name]));
    const packages: ExportedPackage[] = downloaded.map((p) => ({
      ...p,
      position: order.indexOf(p) + 1,
      producerNames: (deps.producers.get(p.key) ?? []).map((k) => nameOf.get(k) ?? k),
    }));

    const manifest: BundleManifest = {
      schemaVersion: BUNDLE_SCHEMA_VERSION,
      kind: BUNDLE_KIND,
      createdAt: (env.now ?? (() => new Date()))().toISOString(),
      createdBy: { task: 'OutSystemsAirGapExport', version: env.taskVersion },
      source: { lifeTimeUrl: lifeTime.host, environment: { name: environment.Name, key: environment.Key } },
      pipeline: env.pipeline,
      dependencySource: params.dependencySource.kind,
      applications: packages.map((p) => bundleApplication(p, deps)),
      deploymentOrder: order.map((p) => p.key),
      externalRequirements: deps.externalRequirements,
    };
    const manifestBytes = serializeBundleManifest(manifest);
    await fs.promises.writeFile(staging.fileInStaging(MANIFEST_FILE_NAME), manifestBytes, { flag: 'wx' });
    let signatureFingerprint: string | undefined;
    if (params.signingKey !== undefined) {
      await fs.promises.writeFile(
        staging.fileInStaging(SIGNATURE_FILE_NAME),
        signManifest(manifestBytes, params.signingKey),
        { flag: 'wx' },
      );
      signatureFingerprint = publicKeyFingerprint(params.signingKey);
    }
    checkNotAborted(signal);
    const bundlePath = await staging.commit();
    const result: ExportResult = { bundlePath, manifest, packages, warnings };
    if (signatureFingerprint !== undefined) result.signatureFingerprint = signatureFingerprint;
    return result;
  } catch (error) {
    const left = await staging.discard();
    if (left !== undefined) warn(`could not remove the unfinished bundle folder ${left}; delete it by hand`);
    throw error;
  }
}

async function downloadAll(
  versions: readonly ResolvedVersion[],
  files: readonly string[],
  staging: BundleStaging,
  parallelism: number,
  links: DownloadLinks,
  env: ExportEnvironment,
): Promise<(ResolvedVersion & { file: string; size: number; sha256: string; transfer: Transfer; oap: OapManifest })[]> {
  const fraction = new Array<number>(versions.length).fill(0);
  let lastReported = -1;
  const report = () => {
    const percent = Math.floor((fraction.reduce((a, b) => a + b, 0) / versions.length) * 100);
    if (percent !== lastReported) {
      lastReported = percent;
      env.reporter.progress(percent, 'Downloading application packages');
    }
  };
  const labelOf = (v: ResolvedVersion) => `version ${v.version} of application "${v.name}"`;
  // Each lane asks for the link of the package it will probably take next while it downloads the
  // current one, so no lane waits a LifeTime round trip between two packages.
  const startLink = (index: number): void => {
    const v = versions[index];
    if (v !== undefined) links.start(v.key, v.versionKey, labelOf(v));
  };
  // The first failure stops the downloads still running: the bundle is lost anyway, and a large
  // package should not keep the task busy before it reports the failure.
  const stop = new AbortController();
  const signal = AbortSignal.any([env.signal, stop.signal]);
  let firstFailure: { error: unknown } | undefined;
  const all = mapWithConcurrency(versions, parallelism, async (v, i) => {
    const file = files[i] ?? '';
    const target = staging.fileInStaging(file);
    const link = links.take(v.key, v.versionKey, labelOf(v));
    link.catch(() => undefined); // downloadVersion awaits it and reports its failure
    startLink(i + parallelism);
    const { bytes, sha256, transfer } = await env.lifeTime
      .downloadVersion(v.key, v.versionKey, target, {
        label: labelOf(v),
        signal,
        prefetchedLink: link,
        onProgress: (done, total) => {
          fraction[i] = total !== undefined && total > 0 ? Math.min(done / total, 0.99) : 0.5;
          report();
        },
      })
      .catch((error: unknown) => {
        firstFailure ??= { error };
        stop.abort();
        throw error;
      });
    fraction[i] = 1;
    report();
    // Read while the lane goes on to its next download.
    const oap = readOapManifest(target);
    oap.catch(() => undefined);
    return { ...v, file, size: bytes, sha256, transfer, oap };
  });
  try {
    const downloaded = await all;
    return await Promise.all(downloaded.map(async (d) => ({ ...d, oap: await d.oap })));
  } catch (error) {
    // Report what went wrong, not the cancellations it caused in the other downloads.
    throw firstFailure !== undefined ? firstFailure.error : error;
  }
}

async function dependenciesOf(
  packages: readonly (ResolvedVersion & { oap: OapManifest })[],
  params: ExportParameters,
  env: ExportEnvironment,
): Promise<PackageDependencies> {
  if (params.dependencySource.kind === 'packages') return dependenciesFromPackages(packages);
  const probe = env.probe;
  if (probe === undefined) throw new Error('dependencySource is probe but no CI/CD Probe client was configured');
  const producerKeys = new Map<string, string[]>();
  for (const p of packages) producerKeys.set(p.key, await probe.getApplicationDependencies(p.name, p.version));
  // The Probe answers with keys only; LifeTime names the producers outside the bundle for the report.
  const directory = await env.lifeTime.applicationDirectory();
  return dependenciesFromProbe(packages, producerKeys, (key) => directory.nameOf(key));
}

function bundleApplication(
  p: Omit<ExportedPackage, 'producerNames' | 'position'>,
  deps: PackageDependencies,
): BundleApplication {
  const app: BundleApplication = {
    name: p.name,
    key: p.key,
    uid: p.oap.application.uid,
    version: p.version,
    versionKey: p.versionKey,
    changeLog: p.changeLog ?? '',
    isTestApplication: p.isTestApplication,
    file: p.file,
    size: p.size,
    sha256: p.sha256,
    producers: (deps.producers.get(p.key) ?? []).map((key) => ({ key })),
  };
  if (p.createdOn !== undefined) app.createdOn = p.createdOn;
  if (p.mobileVersions !== undefined) app.mobileVersions = p.mobileVersions;
  return app;
}
