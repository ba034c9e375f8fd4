/** Measured child processes: the bundled tasks as the agent runs them, and plain node scripts. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTaskEntry, startTaskEntry } from '../../tools/agent/taskRunner';
import type { BundledTaskName, StartedTask, TaskRun, TaskRunOptions } from '../../tools/agent/taskRunner';
import { bundledTaskEntry, repoRoot } from '../../tools/paths';
import { elapsedMs } from './stats';

/** Compiled beside this file (build/tsc/scripts/bench/). */
export const peakRssPreload = path.join(__dirname, 'peakRss.js');
export const rawCopyScript = path.join(__dirname, 'rawCopy.js');
export const hashedCopyScript = path.join(__dirname, 'hashedCopy.js');

/** Environment that makes a node child record its peak RSS into `file` at exit. */
export function peakRssEnv(file: string): Record<string, string> {
  return { NODE_OPTIONS: `--require ${JSON.stringify(peakRssPreload)}`, BENCH_PEAK_RSS_FILE: file };
}

export function readPeakRss(file: string): number {
  const { peakRssBytes } = JSON.parse(fs.readFileSync(file, 'utf8')) as { peakRssBytes: number };
  fs.rmSync(file, { force: true });
  return peakRssBytes;
}

const snapshotDir = path.join(repoRoot, 'bench', 'out', 'tasks');

/**
 * Copies the bundled tasks (each one self-contained file) aside once, so that a rebuild of
 * build/extension while the bench runs can neither break a run nor mix two builds in one table.
 */
export function snapshotBundledTasks(): void {
  fs.rmSync(snapshotDir, { recursive: true, force: true });
  for (const task of ['AirGapExport', 'AirGapDeploy', 'AirGapPromote'] as const) {
    const target = path.join(snapshotDir, task, 'index.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(bundledTaskEntry(task), target);
  }
}

function entryOf(task: BundledTaskName): string {
  const snapshot = path.join(snapshotDir, task, 'index.js');
  return fs.existsSync(snapshot) ? snapshot : bundledTaskEntry(task);
}

export function startTask(task: BundledTaskName, options: TaskRunOptions): StartedTask {
  return startTaskEntry(entryOf(task), options);
}

function tail(text: string, lines = 30): string {
  return text.split('\n').slice(-lines).join('\n');
}

/**
 * Runs a bundled task, fails loudly unless it succeeded, and times it from spawn to close as
 * timedProcess times curl and the raw copy: the runner's own set-up and output checks around the
 * process are not the task's time.
 */
export async function timedTask(task: BundledTaskName, options: TaskRunOptions): Promise<{ ms: number; run: TaskRun }> {
  const run = await runTaskEntry(entryOf(task), { timeoutMs: 300_000, ...options });
  const ms = run.processMs;
  const status = run.result?.status;
  if (status !== 'Succeeded' && status !== 'SucceededWithIssues') {
    throw new Error(
      `${task} did not succeed (${JSON.stringify(run.result)}):\n${tail(run.stdout)}\n${tail(run.stderr)}`,
    );
  }
  return { ms, run };
}

/** Spawns `command args`, resolves with the time from spawn to exit and its stdout; rejects on a non-zero exit. */
export function timedProcess(
  command: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = elapsedMs(start);
      const stdout = Buffer.concat(out).toString('utf8');
      if (code !== 0) {
        reject(new Error(`${command} exited with ${String(code)}:\n${tail(Buffer.concat(err).toString('utf8'))}`));
        return;
      }
      resolve({ ms, stdout });
    });
  });
}
