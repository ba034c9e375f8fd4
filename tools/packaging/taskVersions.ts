/**
 * Task version guard. The agent caches a task by id and version, so a task whose behaviour changes
 * without a new task.json version is never picked up by agents that already have it. This keeps a
 * record, tasks/task-versions.json, of each task's version and a fingerprint of everything that
 * makes up its behaviour, and checks that the version moves whenever the fingerprint does.
 *
 *   node build/tsc/scripts/task-versions.js            check (exit 1 with the tasks to bump)
 *   node build/tsc/scripts/task-versions.js --update   record the current versions and fingerprints
 *   node build/tsc/scripts/task-versions.js --release  mark the recorded versions as released
 *   node build/tsc/scripts/task-versions.js --update --force   re-record a changed task at an
 *        unchanged version; only for a version that was never released
 *
 * The fingerprint (sha256) covers the task's task.json without its `version`, as canonical JSON,
 * and every file esbuild puts into the task's bundle (its metafile inputs: the entry, the shared/
 * modules it imports and the node_modules code they pull in), with line endings normalised.
 *
 * Rules: a task missing from the record fails; a version lower than the recorded one fails; a
 * released version whose fingerprint changed fails ("bump it"). While a recorded version is not
 * released yet, changes are allowed at that version; `--release` (run when the .vsix is published)
 * freezes them.
 */
import { createHash } from 'node:crypto';
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, tasksSourceDir } from '../paths';
import { taskBundleOptions } from './taskBundleOptions';

export interface TaskVersionEntry {
  version: string;
  sha256: string;
  released: boolean;
  /** The extension version (vss-extension.json) when this entry was recorded. */
  extensionVersion?: string;
}

export type TaskVersionRecord = Record<string, TaskVersionEntry>;

export interface TaskState {
  folder: string;
  version: string;
  sha256: string;
}

export const recordFile = path.join(tasksSourceDir, 'task-versions.json');
export const updateCommand = 'node build/tsc/scripts/task-versions.js --update';

interface TaskJsonVersion {
  version?: { Major?: unknown; Minor?: unknown; Patch?: unknown };
}

/** Task folders: the directories of tasks/ that hold a task.json. */
export function taskFolders(): string[] {
  return fs
    .readdirSync(tasksSourceDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(tasksSourceDir, d.name, 'task.json')))
    .map((d) => d.name)
    .sort();
}

export function taskVersion(taskJson: unknown, folder: string): string {
  const v = (taskJson as TaskJsonVersion).version;
  const parts = [v?.Major, v?.Minor, v?.Patch];
  if (!parts.every((p) => typeof p === 'number' && Number.isInteger(p) && p >= 0)) {
    throw new Error(`tasks/${folder}/task.json: version must be {Major, Minor, Patch} with whole numbers`);
  }
  return parts.join('.');
}

/** -1, 0 or 1 as `a` is lower than, equal to or higher than `b` (both major.minor.patch). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** JSON with object keys sorted, so formatting and key order do not change a fingerprint. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** File bytes, with CRLF turned into LF for text (no NUL byte), so a Windows checkout hashes alike. */
function normalisedContent(file: string): Buffer {
  const bytes = fs.readFileSync(file);
  if (bytes.includes(0)) return bytes;
  return Buffer.from(bytes.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
}

/** The files esbuild bundles into the task, relative to the repository, sorted. */
export async function bundleInputs(folder: string): Promise<string[]> {
  const result = await esbuild.build({
    ...taskBundleOptions(path.join(tasksSourceDir, folder, 'index.ts')),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs).sort();
}

export async function taskState(folder: string): Promise<TaskState> {
  const taskJson = JSON.parse(fs.readFileSync(path.join(tasksSourceDir, folder, 'task.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const version = taskVersion(taskJson, folder);
  const hash = createHash('sha256');
  const withoutVersion = { ...taskJson };
  delete withoutVersion.version;
  hash.update(`task.json\0${canonicalJson(withoutVersion)}\n`);
  for (const input of await bundleInputs(folder)) {
    const file = path.join(repoRoot, input);
    // Inputs such as esbuild's "(disabled):…" stand-ins are not files; their name is what matters.
    const content = fs.existsSync(file) ? createHash('sha256').update(normalisedContent(file)).digest('hex') : '-';
    hash.update(`${input.split(path.sep).join('/')}\0${content}\n`);
  }
  return { folder, version, sha256: hash.digest('hex') };
}

export async function currentStates(): Promise<TaskState[]> {
  return Promise.all(taskFolders().map(taskState));
}

export function readRecord(file = recordFile): TaskVersionRecord {
  if (!fs.existsSync(file)) return {};
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TaskVersionRecord;
}

export function writeRecord(record: TaskVersionRecord, file = recordFile): void {
  const sorted = Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  fs.writeFileSync(file, `${JSON.stringify(sorted, null, 2)}\n`);
}

export type ProblemKind = 'unrecorded' | 'lowered' | 'changedWithoutBump' | 'removed';

export interface VersionProblem {
  folder: string;
  kind: ProblemKind;
  message: string;
}

/**
 * A recorded task version counts as released when marked so, or once the extension's own version
 * has moved past the one it was recorded with: a new extension version ships every task in it.
 */
function isReleased(entry: TaskVersionEntry, extensionVersion: string | undefined): boolean {
  if (entry.released) return true;
  if (entry.extensionVersion === undefined || extensionVersion === undefined) return false;
  return compareVersions(extensionVersion, entry.extensionVersion) > 0;
}

/** The extension version in vss-extension.json. */
export function currentExtensionVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'vss-extension.json'), 'utf8')) as {
    version?: unknown;
  };
  if (typeof manifest.version !== 'string') throw new Error('vss-extension.json has no version');
  return manifest.version;
}

/** What is wrong with the current tasks against the record; empty when all is well. */
export function checkTaskVersions(
  record: TaskVersionRecord,
  states: readonly TaskState[],
  extensionVersion?: string,
): VersionProblem[] {
  const problems: VersionProblem[] = [];
  for (const { folder, version, sha256 } of states) {
    const entry = record[folder];
    if (!entry) {
      problems.push({
        folder,
        kind: 'unrecorded',
        message: `tasks/${folder} is not in tasks/task-versions.json: run \`${updateCommand}\``,
      });
      continue;
    }
    const order = compareVersions(version, entry.version);
    if (order < 0) {
      problems.push({
        folder,
        kind: 'lowered',
        message: `tasks/${folder}/task.json version ${version} is lower than the recorded ${entry.version}: versions never go down`,
      });
    } else if (order === 0 && isReleased(entry, extensionVersion) && sha256 !== entry.sha256) {
      problems.push({
        folder,
        kind: 'changedWithoutBump',
        message:
          `tasks/${folder} changed since version ${entry.version} was released` +
          (entry.released
            ? ''
            : ` (the extension moved from ${entry.extensionVersion ?? '?'} to ${extensionVersion ?? '?'})`) +
          `: bump "version" in tasks/${folder}/task.json ` +
          `(Patch for a fix, Minor for a new input or behaviour, Major for a breaking change), then run \`${updateCommand}\``,
      });
    }
  }
  for (const folder of Object.keys(record)) {
    if (!states.some((s) => s.folder === folder)) {
      problems.push({
        folder,
        kind: 'removed',
        message: `tasks/task-versions.json lists ${folder}, which is no longer a task: run \`${updateCommand}\``,
      });
    }
  }
  return problems;
}

/** The record after `--update`; throws for a task whose version went down or that changed after its release without a bump, unless forced. */
export function updatedRecord(
  record: TaskVersionRecord,
  states: readonly TaskState[],
  force = false,
  extensionVersion?: string,
): TaskVersionRecord {
  const blocking = checkTaskVersions(record, states, extensionVersion).filter(
    (p) => p.kind === 'lowered' || p.kind === 'changedWithoutBump',
  );
  if (blocking.length > 0 && !force) throw new Error(blocking.map((p) => p.message).join('\n'));
  const next: TaskVersionRecord = {};
  for (const state of states) {
    const entry = record[state.folder];
    // A bump starts an unreleased version; at the same version (unchanged, or forced) the flag stays.
    const sameVersion = entry !== undefined && entry.version === state.version;
    next[state.folder] = {
      version: state.version,
      sha256: state.sha256,
      released: sameVersion ? entry.released : false,
      ...(extensionVersion !== undefined ? { extensionVersion } : {}),
    };
  }
  return next;
}

/** The record after `--release`: every task recorded as it is now, released. */
export function releasedRecord(record: TaskVersionRecord, states: readonly TaskState[]): TaskVersionRecord {
  const stale = states.filter((s) => {
    const entry = record[s.folder];
    return !entry || entry.version !== s.version || entry.sha256 !== s.sha256;
  });
  if (stale.length > 0) {
    throw new Error(
      `the record is not current for ${stale.map((s) => s.folder).join(', ')}: run \`${updateCommand}\` first`,
    );
  }
  return Object.fromEntries(Object.entries(record).map(([folder, entry]) => [folder, { ...entry, released: true }]));
}
