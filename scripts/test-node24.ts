/**
 * `npm run test:node24`: the suites that start the bundled tasks (end-to-end, matrix, task glue),
 * with every task run by the pinned Node 24 (the agent's Node24 handler) instead of the Node that
 * runs mocha. Fetches that Node once into node_modules/.cache (tools/runtimes).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from '../tools/paths';
import { ensureRuntime } from '../tools/runtimes/fetchRuntime';

const SUITES = ['e2e', 'matrix', 'task'];

const node24 = ensureRuntime('node24-linux');
const version = execFileSync(node24, ['--version'], { encoding: 'utf8' }).trim();
if (!version.startsWith('v24.')) throw new Error(`${node24} is ${version}, not Node 24`);
console.log(`tasks run by Node ${version} (${path.relative(repoRoot, node24)}); mocha by Node ${process.version}`);
const mocha = path.join(repoRoot, 'node_modules', 'mocha', 'bin', 'mocha.js');
const specs = SUITES.map((suite) => path.join('build', 'tsc', 'test', suite, '**', '*.test.js'));
// --no-config: .mocharc.json's spec (every test) would be added to these, not replaced.
const options = ['--no-config', '--timeout', '60000', '--slow', '5000', '--enable-source-maps', '--exit'];
const run = spawnSync(process.execPath, [mocha, ...options, ...specs], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: { ...process.env, AIRGAP_TASK_NODE: node24 },
});
process.exit(run.status ?? 1);
