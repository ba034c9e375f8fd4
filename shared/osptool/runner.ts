import { spawn, type ChildProcess } from 'node:child_process';
import { ospToolArguments, type OspToolCommand } from './command';
import { errorTextsIn, type OspToolErrorText } from './errorTexts';
import { forEachLine } from './lineSplitter';
import { killProcessTree } from './processTree';
import { registerRunningTool } from './registry';
import { windowsOemCodePage } from './windowsCodePage';

export interface OspToolOptions extends OspToolCommand {
  timeoutMs: number;
  /** The timeout as the user gave it, for the failure reason (e.g. `0.05 minute(s)`); else worked out from timeoutMs. */
  timeoutDescription?: string;
  signal?: AbortSignal;
  /** Each output line, with the password replaced by `***`. */
  onLine: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * The code page a line that is not UTF-8 is read in (see consoleEncoding.ts); by default the
   * system's OEM code page on Windows, none elsewhere.
   */
  oemCodePage?: number;
}

export interface OspToolResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** Which of OSPTOOL_ERROR_TEXTS appeared in the output, in order of first appearance. */
  errorTexts: OspToolErrorText[];
  durationMs: number;
  failed: boolean;
  /** The one place OSPTool's failure is put in words (exit code, error texts, timeout, cancellation). */
  failureReason?: string;
}

// After SIGTERM, how long the tool gets before its whole process group is killed outright.
const KILL_GRACE_MS = 5_000;
// After the tool exits (or is killed), how long to wait for output pipes some orphan may still
// hold before giving up on them.
const PIPE_GRACE_MS = 2_000;
/**
 * After a timeout or a cancellation, the run ends this long after the stop began whatever the
 * kill did: a taskkill that failed (Wine's has no /T; access denied; a process already gone), a
 * tool that would not die, or a helper that holds the pipes. The README states it.
 */
export const STOP_DEADLINE_MS = KILL_GRACE_MS + PIPE_GRACE_MS + 1_000;

/** Publishes one package with OSPTool, started directly (never through a shell). */
export async function runOspTool(options: OspToolOptions): Promise<OspToolResult> {
  const oemCodePage = options.oemCodePage ?? (await windowsOemCodePage());
  return runWithCodePage(options, oemCodePage);
}

function runWithCodePage(options: OspToolOptions, oemCodePage: number | undefined): Promise<OspToolResult> {
  const started = Date.now();
  const mask = (line: string): string => (options.password === '' ? line : line.split(options.password).join('***'));
  const errorTexts: OspToolErrorText[] = [];
  let timedOut = false;
  let aborted = options.signal?.aborted ?? false;

  const result = (fields: Partial<OspToolResult> & { failureReason?: string }): OspToolResult => {
    const exitCode = fields.exitCode ?? null;
    const signal = fields.signal ?? null;
    const failureReason = fields.failureReason ?? reasonFor(exitCode, signal, timedOut, aborted, errorTexts, options);
    return {
      exitCode,
      signal,
      timedOut,
      aborted,
      errorTexts: [...errorTexts],
      durationMs: Date.now() - started,
      failed: failureReason !== undefined,
      ...(failureReason === undefined ? {} : { failureReason }),
    };
  };

  if (aborted) return Promise.resolve(result({ failureReason: 'OSPTool was not started: the task was cancelled.' }));

  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(options.toolPath, ospToolArguments(options), {
        shell: false,
        windowsHide: true,
        // Its own process group, so a timeout can end the tool and anything it started.
        detached: process.platform !== 'win32',
        // No stdin: a tool that prompts (a catalog for a new module) reads end-of-file instead of hanging.
        stdio: ['ignore', 'pipe', 'pipe'],
        // task-lib has already moved INPUT_*/ENDPOINT_AUTH_*/SECRET_* out of process.env.
        env: process.env,
      });
    } catch (error: unknown) {
      // A null byte in an argument makes spawn throw with the argument quoted: mask it.
      resolve(result({ failureReason: mask(startFailure(options.toolPath, error)) }));
      return;
    }

    // Known to the task while it runs, so no way out of the task leaves it publishing (registry.ts).
    child.once('exit', registerRunningTool(child));

    let settled = false;
    let exited = false;
    let exit: { exitCode: number | null; signal: NodeJS.Signals | null } = { exitCode: null, signal: null };
    const timers: NodeJS.Timeout[] = [];
    const releasePipes = (): void => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    };
    const settle = (value: OspToolResult): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(value);
    };

    const readers = (['stdout', 'stderr'] as const).map((name) => {
      const stream = child[name];
      if (stream === null) return Promise.resolve();
      const onLine = (line: string): void => {
        if (settled) return; // a helper still writing after the run ended
        for (const text of errorTextsIn(line)) if (!errorTexts.includes(text)) errorTexts.push(text);
        options.onLine(mask(line), name);
      };
      return forEachLine(stream, onLine, oemCodePage);
    });

    const stop = (): void => {
      void killProcessTree(child, 'SIGTERM');
      timers.push(
        setTimeout(() => {
          void killProcessTree(child, 'SIGKILL');
          timers.push(setTimeout(releasePipes, PIPE_GRACE_MS));
        }, KILL_GRACE_MS),
        // The last deadline: whatever the kill did, the run ends, failed with the timeout or the
        // cancellation as its reason; a tool that never confirmed its end is named by its pid.
        setTimeout(() => {
          releasePipes();
          if (!exited) child.unref(); // an unkillable tool must not keep the task process alive
          settle(result({ ...exit, ...(exited ? {} : { failureReason: unconfirmedStop(child.pid) }) }));
        }, STOP_DEADLINE_MS),
      );
    };
    const unconfirmedStop = (pid: number | undefined): string =>
      `${reasonFor(null, null, timedOut, aborted, errorTexts, options) ?? 'OSPTool was stopped.'} ` +
      `Its end could not be confirmed: process ${String(pid)} may still be running.`;
    const onAbort = (): void => {
      if (settled || timedOut || exited) return;
      aborted = true;
      stop();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    timers.push(
      setTimeout(() => {
        if (settled || aborted || exited) return;
        timedOut = true;
        stop();
      }, options.timeoutMs),
    );

    child.on('error', (error) => {
      // Only a failure to start ends the run here; a failed kill leaves it to the timers.
      if (child.pid === undefined) settle(result({ failureReason: mask(startFailure(options.toolPath, error)) }));
    });
    // 'close' waits for the output pipes too, and a helper the tool started may hold them open long
    // after the tool itself is done. So once the tool exits on its own, the output still in the pipes
    // gets PIPE_GRACE_MS to arrive, then the pipes are let go of and the run ends with the exit code.
    // (A tool stopped by stop() is left to it: it kills the whole tree and lets go of the pipes.)
    child.on('exit', (exitCode, signal) => {
      exited = true;
      exit = { exitCode, signal };
      if (timedOut || aborted) return;
      timers.push(
        setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
        }, PIPE_GRACE_MS),
      );
      void Promise.all(readers).then(() => settle(result({ exitCode, signal })));
    });
    child.on('close', (exitCode, signal) => {
      void Promise.all(readers).then(() => settle(result({ exitCode, signal })));
    });
  });
}

function reasonFor(
  exitCode: number | null,
  signal: NodeJS.Signals | null,
  timedOut: boolean,
  aborted: boolean,
  errorTexts: readonly string[],
  options: OspToolOptions,
): string | undefined {
  if (aborted) return 'OSPTool was stopped because the task was cancelled.';
  if (timedOut) {
    const limit = options.timeoutDescription ?? describeDuration(options.timeoutMs);
    return `OSPTool did not finish within ${limit} and was stopped.`;
  }
  const reported = errorTexts.map((t) => `"${t}"`).join(', ');
  if (exitCode !== null && exitCode !== 0) {
    return `OSPTool exited with code ${exitCode}` + (reported === '' ? '.' : ` and reported ${reported}.`);
  }
  if (signal !== null) return `OSPTool was ended by ${signal}.`;
  if (reported !== '') return `OSPTool reported ${reported}.`;
  return undefined;
}

function startFailure(toolPath: string, error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === 'ENOENT') return `OSPTool not found at ${toolPath}`;
  if (code === 'EACCES') return `OSPTool at ${toolPath} cannot be started: permission denied`;
  const message = error instanceof Error ? error.message : String(error);
  return `OSPTool at ${toolPath} cannot be started: ${message}`;
}

function describeDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
  if (ms % 1000 === 0) return `${ms / 1000} second${ms === 1000 ? '' : 's'}`;
  return `${ms} ms`;
}
