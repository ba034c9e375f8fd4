/**
 * One deployment of a bundle to a target host at a time: a second run refuses rather than
 * interleaving OSPTool publications. A lock left by a killed agent must not block the rerun, so
 * the holder refreshes it; a lock whose holder process is gone (same machine) or that has not been
 * refreshed for `staleAfterMs` is taken over. Taking over renames the stale file away first (only
 * one contender's rename can succeed), and a holder only ever refreshes or removes its own lock.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JournalLocation } from './journal';

interface LockContent {
  id: string;
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

async function readLock(file: string): Promise<Partial<LockContent> | undefined> {
  try {
    const text = await fs.promises.readFile(file, 'utf8');
    if (text.length > 4096) return {};
    return JSON.parse(text) as Partial<LockContent>;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : {};
  }
}

export class DeployLock {
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly file: string,
    private readonly id: string,
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
    if (options.run !== undefined) content.run = options.run;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await fs.promises.writeFile(file, JSON.stringify(content), { flag: 'wx' });
        const lock = new DeployLock(file, content.id);
        lock.timer = setInterval(() => void lock.refresh(), options.heartbeatMs ?? 30_000);
        lock.timer.unref();
        return lock;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const stale = await staleReason(file, staleAfterMs);
      if (stale === undefined) {
        const held = (await readLock(file)) ?? {};
        const holder =
          held.pid !== undefined
            ? ` (held by process ${String(held.pid)} on ${String(held.machine)} since ${String(held.startedAt)}${held.run !== undefined ? `, run ${held.run}` : ''})`
            : '';
        throw new DeployLockedError(
          `another deployment of this bundle to the same target is running${holder}; lock file ${file}. If none is running, delete the lock file and run again`,
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
      options.onTakeOver?.(`took over a stale deployment lock ${file}: ${stale}`);
    }
    throw new DeployLockedError(`could not take the deployment lock ${file}; another deployment may be starting`);
  }

  private async ours(): Promise<boolean> {
    return (await readLock(this.file))?.id === this.id;
  }

  private async refresh(): Promise<void> {
    if (!(await this.ours())) return;
    const now = new Date();
    await fs.promises.utimes(this.file, now, now).catch(() => undefined);
  }

  async release(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (await this.ours()) await fs.promises.rm(this.file, { force: true });
  }
}

async function staleReason(file: string, staleAfterMs: number): Promise<string | undefined> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch {
    return 'it vanished';
  }
  const held = (await readLock(file)) ?? {};
  if (held.machine === os.hostname() && typeof held.pid === 'number' && !processAlive(held.pid)) {
    return `its process ${held.pid} on this machine is gone`;
  }
  const age = Date.now() - stat.mtimeMs;
  if (age > staleAfterMs) return `not refreshed for ${Math.round(age / 1000)} s`;
  return undefined;
}
