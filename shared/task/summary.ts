import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { scrubSecrets } from './secretRegistry';
import { neutraliseCommands } from './untrusted';

/**
 * Attaches markdown to the run (shown in the "Extensions" tab). The agent titles the section with
 * the file name, so the file is named after `title`, in a folder of its own so that two summaries
 * with the same title in one job do not overwrite each other before the agent uploads them.
 */
export function uploadSummary(title: string, markdown: string): void {
  const tempRoot = tl.getVariable('Agent.TempDirectory')?.trim() || os.tmpdir();
  const folder = path.join(tempRoot, `airgap-summary-${crypto.randomBytes(6).toString('hex')}`);
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `${fileNameFor(title)}.md`);
  // Cells are escaped by markdownCell; notes around them quote LifeTime too, so break commands everywhere.
  fs.writeFileSync(file, neutraliseCommands(scrubSecrets(markdown)), 'utf8');
  tl.uploadSummary(file);
}

function fileNameFor(title: string): string {
  const name = title
    .replace(/[^A-Za-z0-9 ._-]+/g, '-')
    .replace(/^[ .-]+|[ .]+$/g, '')
    .slice(0, 100);
  return name === '' ? 'Summary' : name;
}
