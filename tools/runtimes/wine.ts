import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskRuntime } from '../agent/taskRunner';
import { repoRoot } from '../paths';
import { ensureRuntime } from './fetchRuntime';

/** The Wine prefix of the Windows lane: under build/, made once (the first start takes seconds). */
export const winePrefix = path.join(repoRoot, 'build', 'wine-prefix');

/**
 * The locale Wine runs in: Portuguese, so the OEM code page is 850 and the ANSI one 1252, as on a
 * Western European Windows agent (under the C locale Wine uses 437, which has no "ã").
 */
const WINE_LOCALE = 'pt_PT.UTF-8';

/** wine64 from PATH, or where Debian's wine64 package puts it without the `wine` wrapper. */
export function findWine(): string | undefined {
  for (const dir of [...(process.env['PATH'] ?? '').split(path.delimiter), '/usr/lib/wine']) {
    for (const name of ['wine64', 'wine']) {
      const candidate = path.join(dir, name);
      if (dir !== '' && fs.existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

/** `Z:\…` for a path on this machine: Wine maps Z: to /. */
export function windowsPath(hostPath: string): string {
  return 'Z:' + path.resolve(hostPath).split('/').join('\\');
}

/** The prefix's C: drive on this machine (for files a test puts under C:\Program Files). */
export function driveC(): string {
  return path.join(winePrefix, 'drive_c');
}

export function wineEnvironment(): Record<string, string> {
  const env: Record<string, string> = {
    WINEPREFIX: winePrefix,
    WINEDEBUG: '-all',
    WINEDLLOVERRIDES: 'mscoree,mshtml=', // no Mono or Gecko installer prompts
    LC_ALL: WINE_LOCALE,
    LANG: WINE_LOCALE,
    // Node 20 refuses Wine's reported Windows version without it.
    NODE_SKIP_PLATFORM_CHECK: '1',
  };
  for (const key of ['PATH', 'HOME']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/** Creates the prefix once (`wineboot -i`), in the lane's locale. */
export function ensureWinePrefix(wine: string): void {
  if (fs.existsSync(path.join(winePrefix, 'system.reg'))) return;
  fs.mkdirSync(winePrefix, { recursive: true });
  execFileSync(wine, ['wineboot', '-i'], { env: wineEnvironment(), stdio: 'ignore', timeout: 180_000 });
}

/**
 * Runs a bundled task with the pinned Windows Node 20 under Wine, as a Windows agent's Node20_1
 * handler would: Windows paths (drive letter, backslashes, spaces), `Agent.OS` Windows_NT, output
 * through files (Windows node.exe fails with EBADF on a Linux pipe). Windows Node 24 does not start
 * under Wine 8 (V8 runs out of reserved memory), so this lane is Node 20 only.
 */
export function wineTaskRuntime(): TaskRuntime {
  const wine = findWine();
  if (wine === undefined) throw new Error('wine64 not found: apt-get install wine64 (see README, Windows lane)');
  ensureWinePrefix(wine);
  const node = ensureRuntime('node20-windows');
  return {
    agentOs: 'Windows_NT',
    taskPath: windowsPath,
    command: (entry) => ({ command: wine, args: [node, windowsPath(entry)] }),
    environment: wineEnvironment,
    outputThroughFiles: true,
    spacesInAgentPath: true,
  };
}
