// airgap-manifest.json: the bundle's table of contents. It is written on the development network
// and read on the production network from a share, so parsing treats it as untrusted input.
import { BundleError } from './errors';
import { isSafeBundleFileName } from './fileNames';

export const BUNDLE_SCHEMA_VERSION = 1;
export const BUNDLE_KIND = 'outsystems-airgap-bundle';
export const MANIFEST_FILE_NAME = 'airgap-manifest.json';
export const SIGNATURE_FILE_NAME = 'airgap-manifest.json.sig';

/** Agent variables of the run that made the bundle; each one only when the agent set it. */
export interface PipelineRun {
  collectionUri?: string;
  teamProject?: string;
  definitionName?: string;
  buildNumber?: string;
  buildId?: string;
  releaseName?: string;
  releaseId?: string;
  stageName?: string;
  jobId?: string;
  requestedFor?: string;
  sourceVersion?: string;
  runUrl?: string;
}

/** A producer inside the bundle, by LifeTime application key. */
export interface BundleProducer {
  key: string;
  name?: string;
}

/** As LifeTime's API v2 MobileVersion. */
export interface BundleMobileVersion {
  NativePlatform?: string;
  VersionNumber?: string;
  VersionDescription?: string;
}

export interface BundleApplication {
  name: string;
  key: string;
  /** Application UID from the package's Manifest.xml. */
  uid: string;
  version: string;
  versionKey: string;
  changeLog: string;
  createdOn?: string;
  isTestApplication: boolean;
  mobileVersions?: BundleMobileVersion[];
  /** Plain file name inside the bundle folder. */
  file: string;
  size: number;
  /** Lower-case hex. */
  sha256: string;
  producers: BundleProducer[];
}

/** A producer outside the bundle that production must already run (platform apps included). */
export interface ExternalRequirement {
  name: string;
  uid?: string;
  key?: string;
  requiredBy: string[];
}

export type DependencySource = 'packages' | 'probe';

export interface BundleManifest {
  schemaVersion: typeof BUNDLE_SCHEMA_VERSION;
  kind: typeof BUNDLE_KIND;
  createdAt: string;
  createdBy: { task: string; version: string };
  source: { lifeTimeUrl: string; environment: { name: string; key: string } };
  pipeline: PipelineRun;
  dependencySource: DependencySource;
  applications: BundleApplication[];
  /** Application keys, producers first. */
  deploymentOrder: string[];
  externalRequirements: ExternalRequirement[];
}

/** The exact bytes that are written, hashed and signed. */
export function serializeBundleManifest(m: BundleManifest): Buffer {
  return Buffer.from(`${JSON.stringify(m, null, 2)}\n`, 'utf8');
}

const PIPELINE_FIELDS: readonly (keyof PipelineRun)[] = [
  'collectionUri',
  'teamProject',
  'definitionName',
  'buildNumber',
  'buildId',
  'releaseName',
  'releaseId',
  'stageName',
  'jobId',
  'requestedFor',
  'sourceVersion',
  'runUrl',
];
const MOBILE_FIELDS: readonly (keyof BundleMobileVersion)[] = ['NativePlatform', 'VersionNumber', 'VersionDescription'];

/**
 * Validates every field a reader relies on and returns a fresh object holding only those, so
 * nothing unchecked (or a `__proto__` key) travels further. Throws BundleError naming the field.
 */
export function parseBundleManifest(bytes: Buffer, where: string): BundleManifest {
  const fail = (problem: string): never => {
    throw new BundleError(`bundle manifest "${where}":`, problem);
  };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('is not valid UTF-8 text');
  }
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    return fail(`is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const r = new Reader(fail);
  const top = r.object(root, 'the manifest');
  if (top.kind !== BUNDLE_KIND) {
    fail(`is not an air gap bundle manifest (field "kind" is ${describeValue(top.kind)}, expected "${BUNDLE_KIND}")`);
  }
  const schemaVersion = top.schemaVersion;
  if (typeof schemaVersion !== 'number' || !Number.isSafeInteger(schemaVersion) || schemaVersion < 1) {
    return fail(`field "schemaVersion" must be a positive integer, got ${describeValue(schemaVersion)}`);
  }
  if (schemaVersion > BUNDLE_SCHEMA_VERSION) {
    fail(
      `was written by a newer version of the extension (bundle schema version ${String(schemaVersion)}; this version reads schema version ${String(BUNDLE_SCHEMA_VERSION)}); update the extension on this side of the air gap`,
    );
  }
  if (schemaVersion !== BUNDLE_SCHEMA_VERSION) {
    fail(`field "schemaVersion" is ${String(schemaVersion)}, which no version of the extension wrote`);
  }

  const createdAt = r.string(top.createdAt, 'createdAt');
  if (Number.isNaN(Date.parse(createdAt))) {
    fail(`field "createdAt" is not a date: ${describeValue(createdAt)}`);
  }
  const createdBy = r.object(top.createdBy, 'createdBy');
  const source = r.object(top.source, 'source');
  const environment = r.object(source.environment, 'source.environment');
  const dependencySource = top.dependencySource;
  if (dependencySource !== 'packages' && dependencySource !== 'probe') {
    return fail(`field "dependencySource" must be "packages" or "probe", got ${describeValue(dependencySource)}`);
  }

  const applications = r
    .array(top.applications, 'applications')
    .map((a, i) => parseApplication(r, a, `applications[${String(i)}]`));
  if (applications.length === 0) {
    fail('field "applications" lists no application');
  }
  checkUnique(applications, (a) => a.key, 'key', fail);
  checkUnique(applications, (a) => a.uid, 'uid', fail);
  // Windows shares do not tell "App.oap" from "app.oap".
  checkUnique(applications, (a) => a.file.toLowerCase(), 'file', fail);
  const keys = new Set(applications.map((a) => a.key));
  applications.forEach((a, i) => {
    a.producers.forEach((p, j) => {
      const field = `applications[${String(i)}].producers[${String(j)}].key`;
      if (!keys.has(p.key)) {
        fail(`field "${field}" names application key "${p.key}", which is not in this bundle`);
      }
      if (p.key === a.key) {
        fail(`field "${field}": application "${a.name}" lists itself as its producer`);
      }
    });
  });

  const deploymentOrder = r
    .array(top.deploymentOrder, 'deploymentOrder')
    .map((k, i) => r.string(k, `deploymentOrder[${String(i)}]`));
  const ordered = new Set<string>();
  deploymentOrder.forEach((k, i) => {
    if (!keys.has(k)) {
      fail(`field "deploymentOrder[${String(i)}]" names application key "${k}", which is not in this bundle`);
    }
    if (ordered.has(k)) {
      fail(`field "deploymentOrder[${String(i)}]" repeats application key "${k}"`);
    }
    ordered.add(k);
  });
  const unordered = applications.find((a) => !ordered.has(a.key));
  if (unordered !== undefined) {
    fail(`field "deploymentOrder" leaves out application "${unordered.name}" (key "${unordered.key}")`);
  }

  const externalRequirements = r
    .array(top.externalRequirements, 'externalRequirements')
    .map((e, i) => parseExternalRequirement(r, e, `externalRequirements[${String(i)}]`));

  const pipelineIn = r.object(top.pipeline, 'pipeline');
  const pipeline: PipelineRun = {};
  for (const field of PIPELINE_FIELDS) {
    const value = r.optionalString(pipelineIn[field], `pipeline.${field}`);
    if (value !== undefined) {
      pipeline[field] = value;
    }
  }

  return {
    schemaVersion: BUNDLE_SCHEMA_VERSION,
    kind: BUNDLE_KIND,
    createdAt,
    createdBy: {
      task: r.string(createdBy.task, 'createdBy.task'),
      version: r.string(createdBy.version, 'createdBy.version'),
    },
    source: {
      lifeTimeUrl: r.string(source.lifeTimeUrl, 'source.lifeTimeUrl'),
      environment: {
        name: r.string(environment.name, 'source.environment.name'),
        key: r.string(environment.key, 'source.environment.key'),
      },
    },
    pipeline,
    dependencySource,
    applications,
    deploymentOrder,
    externalRequirements,
  };
}

function parseApplication(r: Reader, value: unknown, field: string): BundleApplication {
  const o = r.object(value, field);
  const name = r.nonEmptyString(o.name, `${field}.name`);
  const file = r.nonEmptyString(o.file, `${field}.file`);
  if (!isSafeBundleFileName(file)) {
    r.fail(
      `field "${field}.file" of "${name}" is ${JSON.stringify(file)}, not a plain .oap file name inside the bundle folder`,
    );
  }
  const size = o.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    r.fail(`field "${field}.size" of "${name}" must be a non-negative integer, got ${describeValue(size)}`);
  }
  const sha256 = r.string(o.sha256, `${field}.sha256`);
  if (!/^[0-9a-fA-F]{64}$/.test(sha256)) {
    r.fail(`field "${field}.sha256" of "${name}" must be 64 hexadecimal characters, got ${describeValue(sha256)}`);
  }
  if (typeof o.isTestApplication !== 'boolean') {
    r.fail(`field "${field}.isTestApplication" must be true or false, got ${describeValue(o.isTestApplication)}`);
  }
  const app: BundleApplication = {
    name,
    key: r.nonEmptyString(o.key, `${field}.key`),
    uid: r.nonEmptyString(o.uid, `${field}.uid`),
    version: r.nonEmptyString(o.version, `${field}.version`),
    versionKey: r.nonEmptyString(o.versionKey, `${field}.versionKey`),
    changeLog: r.string(o.changeLog, `${field}.changeLog`),
    isTestApplication: o.isTestApplication,
    file,
    size,
    sha256: sha256.toLowerCase(),
    producers: r.array(o.producers, `${field}.producers`).map((p, i) => {
      const po = r.object(p, `${field}.producers[${String(i)}]`);
      const key = r.nonEmptyString(po.key, `${field}.producers[${String(i)}].key`);
      const producerName = r.optionalString(po.name, `${field}.producers[${String(i)}].name`);
      return producerName === undefined ? { key } : { key, name: producerName };
    }),
  };
  const createdOn = r.optionalString(o.createdOn, `${field}.createdOn`);
  if (createdOn !== undefined) {
    app.createdOn = createdOn;
  }
  if (o.mobileVersions !== undefined) {
    app.mobileVersions = r.array(o.mobileVersions, `${field}.mobileVersions`).map((m, i) => {
      const mo = r.object(m, `${field}.mobileVersions[${String(i)}]`);
      const mobile: BundleMobileVersion = {};
      for (const key of MOBILE_FIELDS) {
        const v = r.optionalString(mo[key], `${field}.mobileVersions[${String(i)}].${key}`);
        if (v !== undefined) {
          mobile[key] = v;
        }
      }
      return mobile;
    });
  }
  return app;
}

function parseExternalRequirement(r: Reader, value: unknown, field: string): ExternalRequirement {
  const o = r.object(value, field);
  const requirement: ExternalRequirement = {
    name: r.nonEmptyString(o.name, `${field}.name`),
    requiredBy: r
      .array(o.requiredBy, `${field}.requiredBy`)
      .map((n, i) => r.string(n, `${field}.requiredBy[${String(i)}]`)),
  };
  const uid = r.optionalString(o.uid, `${field}.uid`);
  const key = r.optionalString(o.key, `${field}.key`);
  if (uid !== undefined) {
    requirement.uid = uid;
  }
  if (key !== undefined) {
    requirement.key = key;
  }
  return requirement;
}

function checkUnique<T>(
  items: readonly T[],
  valueOf: (item: T) => string,
  field: string,
  fail: (p: string) => never,
): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const value = valueOf(item);
    const first = seen.get(value);
    if (first !== undefined) {
      fail(
        `field "applications[${String(i)}].${field}" repeats the ${field} of applications[${String(first)}] (${JSON.stringify(value)})`,
      );
    }
    seen.set(value, i);
  });
}

/** Typed access to untrusted JSON, each failure naming the field. */
class Reader {
  constructor(readonly fail: (problem: string) => never) {}

  object(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.fail(`field "${field}" must be an object, got ${describeValue(value)}`);
    }
    return value as Record<string, unknown>;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) {
      return this.fail(`field "${field}" must be a list, got ${describeValue(value)}`);
    }
    return value as unknown[];
  }

  string(value: unknown, field: string): string {
    if (typeof value !== 'string') {
      return this.fail(`field "${field}" must be text, got ${describeValue(value)}`);
    }
    return value;
  }

  nonEmptyString(value: unknown, field: string): string {
    const text = this.string(value, field);
    if (text.trim() === '') {
      return this.fail(`field "${field}" is empty`);
    }
    return text;
  }

  optionalString(value: unknown, field: string): string | undefined {
    return value === undefined ? undefined : this.string(value, field);
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) {
    return 'nothing (the field is missing)';
  }
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (typeof value === 'object') {
    return 'an object';
  }
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
