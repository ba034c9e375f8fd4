/**
 * One deployment of a bundle to a target host at a time: a second run refuses rather than
 * interleaving OSPTool publications. A lock left by a killed agent must not block the rerun, so
 * the holder refreshes it; a lock whose holder process is gone (same machine) or that has not been
 * refreshed for `staleAfterMs` is taken over. Taking over renames the stale file away first (only
 * one contender's rename can succeed), and a holder only ever refreshes or removes its own lock.
 *
 * The lock names what really runs: the task's process and each OSPTool it has running (with their
 * start identities on Linux, so a reused pid is not mistaken for them). OSPTool runs in its own
 * process group and outlives a task killed outright; while such an orphan still publishes, the lock
 * is never taken over, however old it is, so a rerun cannot publish alongside it.
 *
 * Every read of the lock is of a regular file only, never blocking (a named pipe put in its place
 * would otherwise hang the task for good), and anything else at its path is refused, named.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunningTool } from '../osptool/registry';
import { processAlive, processStartIdentity } from '../util/processIdentity';
import { NotRegularFileError, describeFileKind, readRegularFile, readRegularFileSync } from '../util/regularFile';
import type { JournalLocation } from './journal';

interface LockContent {
  id: string;
  pid: number;
  /** The task's start identity (processIdentity.ts), when the platform has one. */
  pidStart?: string;
  machine: string;
  startedAt: string;
  run?: string;
  /** OSPTool processes the holder has running. */
  tools?: RunningTool[];
}

const MAX_LOCK_BYTES = 16 * 1024;

export class DeployLockedError extends Error {
  override name = 'DeployLockedError';
}

type ReadLock = { content: Partial<LockContent> } | { notRegular: string } | undefined;

function parse(text: string): Partial<LockContent> {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

function readFailure(error: unknown): ReadLock {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  if (error instanceof NotRegularFileError) return { notRegular: error.kind };
  // Unreadable or oversized: held by someone, content unknown.
  return { content: {} };
}

async function readLock(file: string): Promise<ReadLock> {
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(file, MAX_LOCK_BYTES);
  } catch (error) {
    return readFailure(error);
  }
  return { content: parse(bytes.toString('utf8')) };
}

function readLockSync(file: string): ReadLock {
  let bytes: Buffer;
  try {
    bytes = readRegularFileSync(file, MAX_LOCK_BYTES);
  } catch (error) {
    return readFailure(error);
  }
  return { content: parse(bytes.toString('utf8')) };
}

function validTools(value: unknown): RunningTool[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (t): t is RunningTool =>
      typeof t === 'object' &&
      t !== null &&
      Number.isSafeInteger((t as RunningTool).pid) &&
      (t as RunningTool).pid > 0 &&
      ((t as RunningTool).start === undefined || typeof (t as RunningTool).start === 'string'),
  );
}

export class DeployLock {
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly file: string,
    private readonly content: LockContent,
  ) {}

  static async acquire(
    location: JournalLocation,
    options: { run?: string; staleAfterMs?: number; heartbeatMs?: number; onTakeOver?: (why: string) => void } = {},
  ): Promise<DeployLock> {
    const file = path.join(location.dir, `${location.stem}.lock`);
    const staleAfterMs = options.staleAfterMs ?? 5 * 60_000;
    const content: LockContent = {
      id: crypto.randomUUID(),
      pid: process.pid,
      machine: os.hostname(),
      startedAt: new Date().toISOString(),
    };
    const pidStart = processStartIdentity(process.pid);
    if (pidStart !== undefined) content.pidStart = pidStart;
    if (options.run !== undefined) content.run = options.run;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        // 'wx' creates or fails: it never opens what is already there (a named pipe included).
        await fs.promises.writeFile(file, JSON.stringify(content), { flag: 'wx' });
        const lock = new DeployLock(file, content);
        lock.timer = setInterval(() => void lock.refresh(), options.heartbeatMs ?? 30_000);
        lock.timer.unref();
        return lock;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      await refuseNonFile(file);
      const stale = await staleReason(file, staleAfterMs);
      if (stale.reason === undefined) {
        throw new DeployLockedError(
          `another deployment of this bundle to the same target is running${stale.holder}; lock file ${file}. If none is running, delete the lock file and run again`,
        );
      }
      // Renaming is atomic: of two runs that both judged the lock stale, only one moves it away.
      const aside = `${file}.stale-${crypto.randomBytes(4).toString('hex')}`;
      try {
        await fs.promises.rename(file, aside);
      } catch {
        continue;
      }
      await fs.promises.rm(aside, { force: true });
      options.onTakeOver?.(`took over a stale deployment lock ${file}: ${stale.reason}`);
    }
    throw new DeployLockedError(`could not take the deployment lock ${file}; another deployment may be starting`);
  }

  private ours(read: ReadLock): boolean {
    return read !== undefined && 'content' in read && read.content.id === this.content.id;
  }

  private async refresh(): Promise<void> {
    if (!this.ours(await readLock(this.file))) return;
    const now = new Date();
    await fs.promises.utimes(this.file, now, now).catch(() => undefined);
  }

  /**
   * Records the OSPTool processes now running, synchronously, so that a task killed right after
   * starting one leaves a lock that names it. Replaces the file atomically, and only while it is ours.
   */
  recordTools(tools: RunningTool[]): void {
    if (!this.ours(readLockSync(this.file))) return;
    this.content.tools = tools;
    const temp = `${this.file}.tmp-${crypto.randomBytes(4).toString('hex')}`;
    try {
      fs.writeFileSync(temp, JSON.stringify(this.content), { flag: 'wx' });
      fs.renameSync(temp, this.file);
    } catch {
      fs.rmSync(temp, { force: true });
    }
  }

  /** Removes the lock if it is still ours; says why not when something else now sits at its path. */
  async release(): Promise<string | undefined> {
    if (this.timer !== undefined) clearInterval(this.timer);
    const read = await readLock(this.file);
    if (this.ours(read)) {
      await fs.promises.rm(this.file, { force: true });
      return undefined;
    }
    return read !== undefined && 'notRegular' in read
      ? `the deployment lock ${this.file} was replaced by ${read.notRegular} during the deployment and was left as it is; remove it before the next deployment`
      : undefined;
  }

  /** release() for a task about to exit at once (a second cancel signal): synchronous, never throws. */
  releaseSync(): boolean {
    if (this.timer !== undefined) clearInterval(this.timer);
    try {
      if (!this.ours(readLockSync(this.file))) return false;
      fs.rmSync(this.file, { force: true });
      return true;
    } catch {
      return false;
    }
  }
}

async function refuseNonFile(file: string): Promise<void> {
  let info: fs.Stats;
  try {
    info = await fs.promises.lstat(file);
  } catch {
    return;
  }
  if (!info.isFile()) {
    throw new DeployLockedError(
      `the deployment lock ${file} is ${describeFileKind(info)}, not a lock file a deployment wrote; nothing was published. Remove it and run again`,
    );
  }
}

function holderText(held: Partial<LockContent>): string {
  if (held.pid === undefined) return '';
  return ` (held by process ${String(held.pid)} on ${String(held.machine)} since ${String(held.startedAt)}${held.run !== undefined ? `, run ${held.run}` : ''})`;
}

async function staleReason(file: string, staleAfterMs: number): Promise<{ reason?: string; holder: string }> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.lstat(file);
  } catch {
    return { reason: 'it vanished', holder: '' };
  }
  const read = await readLock(file);
  if (read === undefined) return { reason: 'it vanished', holder: '' };
  if ('notRegular' in read) {
    throw new DeployLockedError(
      `the deployment lock ${file} is ${read.notRegular}, not a lock file a deployment wrote; nothing was published. Remove it and run again`,
    );
  }
  const held = read.content;
  const holder = holderText(held);
  const here = held.machine === os.hostname();
  if (here) {
    // An OSPTool the holder started outlives the holder (its own process group): while one still
    // runs, the lock stands, however old, or the rerun would publish alongside it.
    const orphans = validTools(held.tools).filter((t) => processAlive(t.pid, t.start));
    if (orphans.length > 0) {
      const pids = orphans.map((t) => String(t.pid)).join(', ');
      const taskGone = typeof held.pid === 'number' && !processAlive(held.pid, held.pidStart);
      return {
        holder: taskGone
          ? `: its task process ${String(held.pid)} is gone, but the OSPTool it started (process ${pids}) is still publishing. Wait for it to end, or end it, and run again${holder}`
          : `${holder}, with OSPTool process ${pids} publishing`,
      };
    }
    if (typeof held.pid === 'number' && !processAlive(held.pid, held.pidStart)) {
      return { reason: `its process ${held.pid} on this machine is gone`, holder };
    }
  }
  const age = Date.now() - stat.mtimeMs;
  if (age > staleAfterMs) return { reason: `not refreshed for ${Math.round(age / 1000)} s`, holder };
  return { holder };
}
