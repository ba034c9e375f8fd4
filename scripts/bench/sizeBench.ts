/** 6b. The .vsix that `npm run package` wrote, against the bundled files it carries. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { distDir, extensionStageDir } from '../../tools/paths';
import type { BenchRow } from './report';
import { MB } from './stats';

function folderBytes(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => {
    const full = path.join(dir, e.name);
    return sum + (e.isDirectory() ? folderBytes(full) : e.isFile() ? fs.statSync(full).size : 0);
  }, 0);
}

export function vsixSize(): BenchRow[] {
  const newest = fs
    .readdirSync(distDir)
    .filter((f) => f.endsWith('.vsix'))
    .map((f) => ({ file: path.join(distDir, f), mtime: fs.statSync(path.join(distDir, f)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime)[0];
  if (newest === undefined) throw new Error(`no .vsix in ${distDir}; run npm run package first`);
  const measured = fs.statSync(newest.file).size / MB;
  const staged = folderBytes(extensionStageDir) / MB;
  return [
    {
      metric: '.vsix size',
      unit: 'MB',
      measured,
      baselineLabel: 'staged files, uncompressed',
      baseline: staged,
      ratio: staged / measured,
      target: '≤ 3 MB',
      pass: measured <= 3,
      runs: [measured],
      note: path.basename(newest.file),
    },
  ];
}
