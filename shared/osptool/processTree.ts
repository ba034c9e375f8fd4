import { spawn, type ChildProcess } from 'node:child_process';

// taskkill normally answers at once; one that does not is given up on, and the child killed directly.
const TASKKILL_WAIT_MS = 3_000;

/**
 * Ends a child and everything it started. OSPTool may start helpers that inherit its output
 * pipes; killing only the tool would leave them running and the pipes open forever.
 * Windows: `taskkill /T /F` ends the tree. When it cannot (not found, access denied, a process
 * already gone, or Wine's taskkill, which has no `/T` and exits 1), the child itself is
 * terminated directly: its helpers may then live on, which the caller's last deadline allows for.
 * Elsewhere the child was spawned detached, i.e. leads its own process group, and the whole group
 * is signalled. Resolves once the attempt is over, never rejects.
 */
export function killProcessTree(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return Promise.resolve();
  if (process.platform === 'win32') return taskkillTree(child, pid);
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already, or the child was not a group leader: end the child at least.
    child.kill(signal);
  }
  return Promise.resolve();
}

function taskkillTree(child: ChildProcess, pid: number): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (treeKilled: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (!treeKilled) child.kill(); // TerminateProcess on the tool itself
      resolve();
    };
    const timer = setTimeout(() => finish(false), TASKKILL_WAIT_MS);
    try {
      const taskkill = spawn('taskkill', ['/PID', String(pid), '/T', '/F'], {
        shell: false,
        windowsHide: true,
        stdio: 'ignore',
      });
      taskkill.on('error', () => finish(false));
      taskkill.on('exit', (code) => finish(code === 0));
    } catch {
      finish(false);
    }
  });
}
