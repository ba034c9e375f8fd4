/**
 * One deployment of a bundle to a target host at a time: a second run refuses rather than
 * interleaving OSPTool publications. A lock left by a killed agent must not block the rerun, so
 * the holder refreshes it; a lock whose holder process is gone (same machine) or that has not been
 * refreshed for `staleAfterMs` is taken over.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JournalLocation } from './journal';

interface LockContent {
  pid: number;
  machine: string;
  startedAt: string;
  run?: string;
}

export class DeployLockedError extends Error {
  override name = 'DeployLockedError';
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DeployLock {
  private timer: NodeJS.Timeout | undefined;

  private constructor(readonly file: string) {}

  static async acquire(
    location: JournalLocation,
    options: { run?: string; staleAfterMs?: number; heartbeatMs?: number; onTakeOver?: (why: string) => void } = {},
  ): Promise<DeployLock> {
    const file = path.join(location.dir, `${location.stem}.lock`);
    const staleAfterMs = options.staleAfterMs ?? 5 * 60_000;
    const content: LockContent = { pid: process.pid, machine: os.hostname(), startedAt: new Date().toISOString() };
    if (options.run !== undefined) content.run = options.run;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await fs.promises.writeFile(file, JSON.stringify(content), { flag: 'wx' });
        const lock = new DeployLock(file);
        lock.timer = setInterval(() => {
          const now = new Date();
          fs.utimes(file, now, now, () => undefined);
        }, options.heartbeatMs ?? 30_000);
        lock.timer.unref();
        return lock;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const stale = await staleReason(file, staleAfterMs);
      if (stale === undefined) {
        let holder = '';
        try {
          const held = JSON.parse(await fs.promises.readFile(file, 'utf8')) as Partial<LockContent>;
          holder = ` (held by process ${String(held.pid)} on ${String(held.machine)} since ${String(held.startedAt)}${held.run !== undefined ? `, run ${held.run}` : ''})`;
        } catch {
          // An unreadable lock still means somebody holds it.
        }
        throw new DeployLockedError(
          `another deployment of this bundle to the same target is running${holder}; lock file ${file}. If none is running, delete the lock file and run again`,
        );
      }
      options.onTakeOver?.(`took over a stale deployment lock ${file}: ${stale}`);
      await fs.promises.rm(file, { force: true });
    }
    throw new DeployLockedError(`could not take the deployment lock ${file}`);
  }

  async release(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await fs.promises.rm(this.file, { force: true });
  }
}

async function staleReason(file: string, staleAfterMs: number): Promise<string | undefined> {
  try {
    const [stat, text] = await Promise.all([fs.promises.stat(file), fs.promises.readFile(file, 'utf8')]);
    let held: Partial<LockContent> = {};
    try {
      held = JSON.parse(text) as Partial<LockContent>;
    } catch {
      // Judge by age alone.
    }
    if (held.machine === os.hostname() && typeof held.pid === 'number' && !processAlive(held.pid)) {
      return `its process ${held.pid} on this machine is gone`;
    }
    const age = Date.now() - stat.mtimeMs;
    if (age > staleAfterMs) return `not refreshed for ${Math.round(age / 1000)} s`;
    return undefined;
  } catch {
    return 'it vanished';
  }
}
