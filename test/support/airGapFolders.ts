/**
 * The folders a deploy test world lays out on disk: a temporary root whose path has spaces, the
 * share inside it, and OSPTool's install folder as on a Windows agent, plus the stand-in's call log.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir } from '../../tools/tempDir';

export interface AirGapFolders {
  root: string;
  /** `<root>/air gap share`, created. */
  share: string;
  /** `<root>/Common Files/OutSystems/11.0`, created: where OSPTool and its control file go. */
  toolDir: string;
}

/** Creates the folders under a new temporary root named with `prefix`; the caller removes `root`. */
export function airGapFolders(prefix: string): AirGapFolders {
  const root = makeTempDir({ withSpaces: true, prefix });
  const share = path.join(root, 'air gap share');
  fs.mkdirSync(share);
  const toolDir = path.join(root, 'Common Files', 'OutSystems', '11.0');
  fs.mkdirSync(toolDir, { recursive: true });
  return { root, share, toolDir };
}

/** The non-blank lines of a call log, or none when the tool was never called. */
export function callLogLines(file: string): string[] {
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
    : [];
}
