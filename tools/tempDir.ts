import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TempDirOptions {
  /** Put spaces in the path, as in `C:\Program Files` or a share folder named by a person. */
  withSpaces?: boolean;
  prefix?: string;
}

/** A new, empty folder under the OS temp folder. */
export function makeTempDir(options: TempDirOptions = {}): string {
  const prefix = options.prefix ?? 'airgap-test-';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), options.withSpaces ? `${prefix}with spaces ` : prefix));
  if (!options.withSpaces) return dir;
  const inner = path.join(dir, 'a folder with spaces');
  fs.mkdirSync(inner);
  return inner;
}

/** Removes a folder made by makeTempDir (for a spaced one, its outer folder too). */
export function removeTempDir(dir: string): void {
  const outer = path.basename(dir) === 'a folder with spaces' ? path.dirname(dir) : dir;
  fs.rmSync(outer, { recursive: true, force: true, maxRetries: 3 });
}

/** Runs `fn` with a fresh temp folder and removes it afterwards, whatever happens. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>, options: TempDirOptions = {}): Promise<T> {
  const dir = makeTempDir(options);
  try {
    return await fn(dir);
  } finally {
    removeTempDir(dir);
  }
}
