/**
 * Whether a process recorded in a file (the deploy lock) is still the one that was recorded. A pid
 * alone can be reused by an unrelated process after the recorded one ended; on Linux the start time
 * in /proc/<pid>/stat (field 22, clock ticks since boot) tells them apart. Elsewhere only liveness
 * is known, which errs on the side of "still running" (a lock is then refused, never taken over).
 */
import * as fs from 'node:fs';

function procStat(pid: number): string[] | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces or ')': fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

export function processStartIdentity(pid: number): string | undefined {
  return procStat(pid)?.[19];
}

/** True while `pid` runs and, when `start` was recorded and can be read, is still that process. */
export function processAlive(pid: number, start?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  // A zombie has ended; only its exit status waits to be collected.
  if (stat?.[0] === 'Z') return false;
  if (start === undefined) return true;
  const now = stat?.[19];
  return now === undefined || now === start;
}
