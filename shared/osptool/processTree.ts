import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Ends a child and everything it started. OSPTool may start helpers that inherit its output
 * pipes; killing only the tool would leave them running and the pipes open forever.
 * Windows: `taskkill /T /F` ends the tree. Elsewhere the child was spawned detached, i.e. leads
 * its own process group, and the whole group is signalled.
 */
export function killProcessTree(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  const pid = child.pid;
  if (pid === undefined) return;
  if (process.platform === 'win32') {
    const taskkill = spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { shell: false, windowsHide: true });
    taskkill.on('error', () => child.kill());
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already, or the child was not a group leader: end the child at least.
    child.kill(signal);
  }
}
