/**
 * The OSPTool processes this task has running, so that every way out of the task ends them first
 * and the deploy lock can name them. OSPTool runs in its own process group (POSIX) so a timeout can
 * end it with its helpers; the other side of that is that nothing ends it when the task itself goes:
 * a second cancel signal, the cancel grace timer, an uncaught error. An orphan left publishing while
 * a rerun publishes the same package is exactly what "never twice" forbids.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { processAlive, processStartIdentity } from '../util/processIdentity';

export interface RunningTool {
  pid: number;
  /** The process's start identity where the platform has one (Linux), to tell a reused pid apart. */
  start?: string;
}

const running = new Map<number, ChildProcess>();
const listeners = new Set<(tools: RunningTool[]) => void>();

/** The tools running now, oldest first. */
export function runningTools(): RunningTool[] {
  return [...running.keys()].map((pid) => {
    const start = processStartIdentity(pid);
    return start === undefined ? { pid } : { pid, start };
  });
}

/**
 * Called by the listener synchronously whenever a tool starts or ends (the deploy lock records them
 * at once, before the task could be killed). Returns a function that stops listening.
 */
export function onRunningToolsChanged(listener: (tools: RunningTool[]) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed(): void {
  const tools = runningTools();
  for (const listener of listeners) {
    try {
      listener(tools);
    } catch {
      // A listener failing (a lock on a share that went away) must not stop the tool's run.
    }
  }
}

/** The runner registers each tool it starts; the returned function is called once the tool is gone. */
export function registerRunningTool(child: ChildProcess): () => void {
  const pid = child.pid;
  if (pid === undefined) return () => undefined;
  running.set(pid, child);
  changed();
  let done = false;
  return () => {
    if (done) return;
    done = true;
    running.delete(pid);
    changed();
  };
}

/**
 * Ends every running tool and what it started, synchronously (the caller is about to exit):
 * SIGKILL to its process group on POSIX, `taskkill /T /F` on Windows. Returns the pids ended.
 */
export function endRunningTools(): number[] {
  const ended: number[] = [];
  for (const [pid, child] of running) {
    if (process.platform === 'win32') {
      spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], { windowsHide: true, stdio: 'ignore' });
    } else {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
    ended.push(pid);
  }
  running.clear();
  waitUntilGone(ended);
  if (ended.length > 0) changed();
  return ended;
}

// A killed process takes a moment to go; the lock must not be released before it has.
const GONE_WAIT_MS = 2_000;
const GONE_POLL_MS = 20;

function waitUntilGone(pids: number[]): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + GONE_WAIT_MS;
  while (pids.some((pid) => processAlive(pid)) && Date.now() < deadline) {
    // A synchronous sleep: the caller is about to exit and must not return to the event loop.
    Atomics.wait(sleeper, 0, 0, GONE_POLL_MS);
  }
}
