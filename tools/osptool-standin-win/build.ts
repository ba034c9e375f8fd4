import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../paths';

const source = path.join(repoRoot, 'tools', 'osptool-standin-win', 'osptool.c');
/** Named as the real tool is: a .com that is a PE console executable. */
export const windowsStandIn = path.join(repoRoot, 'build', 'osptool-standin-win', 'OSPTool.com');

/** Builds the native Windows OSPTool stand-in with mingw-w64 when its source is newer than the build. */
export function buildWindowsStandIn(): string {
  if (fs.existsSync(windowsStandIn) && fs.statSync(windowsStandIn).mtimeMs >= fs.statSync(source).mtimeMs) {
    return windowsStandIn;
  }
  fs.mkdirSync(path.dirname(windowsStandIn), { recursive: true });
  execFileSync(
    'x86_64-w64-mingw32-gcc',
    ['-municode', '-O2', '-Wall', '-Wextra', '-Werror', '-o', windowsStandIn, source, '-lshell32'],
    { stdio: 'inherit' },
  );
  return windowsStandIn;
}
