/**
 * The application scope pinned by a manifest file, in the two formats OutSystems'
 * outsystems-pipeline writes: a deployment manifest (a JSON list) or a trigger manifest (a JSON
 * object with `ApplicationVersions`, as the LifeTime "Trigger Pipeline" plugin sends it).
 */
import { FileTooLargeError, NotRegularFileError, readRegularFileSync } from '../util/regularFile';

export interface PinnedVersion {
  name: string;
  key: string;
  versionKey: string;
  version: string;
  changeLog?: string;
  createdOn?: string;
  isTestApplication: boolean;
}

export interface ManifestScope {
  format: 'deployment' | 'trigger';
  versions: PinnedVersion[];
  /** Test applications left out because `includeTestApplications` is false. */
  skippedTestApplications: string[];
}

export class ManifestScopeError extends Error {
  override name = 'ManifestScopeError';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(entry: { [key: string]: Json }, field: string, where: string, required: true): string;
function text(entry: { [key: string]: Json }, field: string, where: string, required: false): string | undefined;
function text(entry: { [key: string]: Json }, field: string, where: string, required: boolean): string | undefined {
  const value = entry[field];
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (value === undefined || value === null || value === '') {
    if (required) throw new ManifestScopeError(`${where} has no ${field}`);
    return undefined;
  }
  throw new ManifestScopeError(`${where}: ${field} must be a string`);
}

function pinned(entry: Json | undefined, where: string, versionField: string): PinnedVersion {
  if (!isObject(entry)) throw new ManifestScopeError(`${where} is not an object`);
  const name = text(entry, 'ApplicationName', where, true);
  const at = `${where} ("${name}")`;
  const result: PinnedVersion = {
    name,
    key: text(entry, 'ApplicationKey', at, true),
    versionKey: text(entry, 'VersionKey', at, true),
    version: text(entry, versionField, at, true),
    isTestApplication: entry.IsTestApplication === true,
  };
  const changeLog = entry.ChangeLog;
  if (typeof changeLog === 'string') result.changeLog = changeLog;
  const createdOn = text(entry, 'CreatedOn', at, false);
  if (createdOn !== undefined) result.createdOn = createdOn;
  return result;
}

export function parseManifestScope(content: string, file: string, includeTestApplications: boolean): ManifestScope {
  let document: Json;
  try {
    document = JSON.parse(content.replace(/^\uFEFF/, '')) as Json;
  } catch (error) {
    throw new ManifestScopeError(`manifest file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  let format: ManifestScope['format'];
  let all: PinnedVersion[];
  if (Array.isArray(document)) {
    format = 'deployment';
    all = document.map((entry, i) => pinned(entry, `deployment manifest ${file}, entry ${i + 1}`, 'Version'));
  } else if (isObject(document)) {
    const list = document.ApplicationVersions;
    if (!Array.isArray(list)) {
      throw new ManifestScopeError(`trigger manifest ${file} has no ApplicationVersions list`);
    }
    format = 'trigger';
    all = list.map((entry, i) => pinned(entry, `trigger manifest ${file}, ApplicationVersions[${i}]`, 'VersionNumber'));
  } else {
    throw new ManifestScopeError(
      `manifest file ${file} is neither a deployment manifest (a JSON list) nor a trigger manifest (a JSON object)`,
    );
  }
  const seen = new Map<string, string>();
  for (const v of all) {
    const earlier = seen.get(v.key);
    if (earlier !== undefined) {
      throw new ManifestScopeError(`manifest file ${file} lists application "${v.name}" (${v.key}) twice`);
    }
    seen.set(v.key, v.name);
  }
  // Test applications are a trigger manifest notion; a deployment manifest has no such flag.
  const keep = format === 'trigger' && !includeTestApplications ? all.filter((v) => !v.isTestApplication) : all;
  const skipped = all.filter((v) => !keep.includes(v)).map((v) => v.name);
  if (keep.length === 0) {
    throw new ManifestScopeError(
      skipped.length > 0
        ? `manifest file ${file} holds only test applications (${skipped.join(', ')}); set includeTestApplications to export them`
        : `manifest file ${file} lists no applications`,
    );
  }
  return { format, versions: keep, skippedTestApplications: skipped };
}

const MAX_MANIFEST_FILE_BYTES = 16 * 1024 * 1024;

export function readManifestScope(file: string, includeTestApplications: boolean): ManifestScope {
  let content: string;
  try {
    // A regular file only, never blocking on a named pipe (regularFile.ts); real ones are a few KiB.
    content = readRegularFileSync(file, MAX_MANIFEST_FILE_BYTES).toString('utf8');
  } catch (error) {
    if (error instanceof NotRegularFileError || error instanceof FileTooLargeError) {
      throw new ManifestScopeError(`cannot read manifest file ${error.message}`);
    }
    throw new ManifestScopeError(`cannot read manifest file ${file}: ${(error as NodeJS.ErrnoException).code ?? ''}`);
  }
  return parseManifestScope(content, file, includeTestApplications);
}
