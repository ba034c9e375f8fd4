import type { BuildOptions } from 'esbuild';
import * as path from 'node:path';
import { repoRoot } from '../paths';

/**
 * How a task entry becomes one self-contained CommonJS file; shared by the build and by the task
 * version guard, so the guard fingerprints exactly what ships.
 */
export function taskBundleOptions(entry: string): BuildOptions {
  return {
    entryPoints: [entry],
    absWorkingDir: repoRoot,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    alias: {
      'whatwg-url': path.join(repoRoot, 'scripts', 'shims', 'whatwg-url.js'),
      // node-fetch 2 probes for the optional `encoding` package inside a try/catch; it is never needed.
      encoding: path.join(repoRoot, 'scripts', 'shims', 'encoding.js'),
    },
  };
}
