/** The task version guard's command line; the rules are in tools/packaging/taskVersions.ts. */
import * as path from 'node:path';
import { repoRoot } from '../tools/paths';
import {
  checkTaskVersions,
  currentExtensionVersion,
  currentStates,
  readRecord,
  recordFile,
  releasedRecord,
  updateCommand,
  updatedRecord,
  writeRecord,
} from '../tools/packaging/taskVersions';

async function main(argv: readonly string[]): Promise<number> {
  const unknown = argv.filter((a) => !['--update', '--release', '--force'].includes(a));
  if (unknown.length > 0)
    throw new Error(`unknown argument(s) ${unknown.join(' ')} (use --update [--force] or --release)`);
  const states = await currentStates();
  const record = readRecord();
  if (argv.includes('--update')) {
    writeRecord(updatedRecord(record, states, argv.includes('--force'), currentExtensionVersion()));
    console.log(
      `recorded ${states.map((s) => `${s.folder}@${s.version}`).join(', ')} in ${path.relative(repoRoot, recordFile)}`,
    );
    return 0;
  }
  if (argv.includes('--release')) {
    writeRecord(releasedRecord(record, states));
    console.log(`marked released: ${states.map((s) => `${s.folder}@${s.version}`).join(', ')}`);
    return 0;
  }
  const problems = checkTaskVersions(record, states, currentExtensionVersion());
  for (const p of problems) console.error(p.message);
  for (const s of states) {
    const entry = record[s.folder];
    if (entry && !entry.released && entry.sha256 !== s.sha256) {
      console.log(
        `${s.folder}@${s.version} (unreleased) changed since it was recorded; \`${updateCommand}\` records it`,
      );
    }
  }
  if (problems.length === 0) console.log('task versions: ok');
  return problems.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
