import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Every folder (`name/`) and file (`name <size>`) under `root`, sorted, so a test can prove a share
 * unchanged or empty. Secrets need no check here: the task runner fails any run that leaks one.
 */
export function snapshot(root: string): string[] {
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      const rel = path.relative(root, full);
      return entry.isDirectory() ? [`${rel}/`, ...walk(full)] : [`${rel} ${String(fs.statSync(full).size)}`];
    });
  return walk(root).sort();
}
