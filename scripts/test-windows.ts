/**
 * `npm run test:windows`: the Windows lane. The bundled tasks run by the pinned Windows Node 20
 * under Wine (tools/runtimes/wine.ts), against the emulator on loopback, with the native Windows
 * OSPTool stand-in built from tools/osptool-standin-win/osptool.c by mingw-w64. Needs wine64 and
 * gcc-mingw-w64-x86-64 (Debian packages); `.ci/run` installs them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from '../tools/paths';
import { ensureRuntime } from '../tools/runtimes/fetchRuntime';
import { ensureWinePrefix, findWine, wineEnvironment } from '../tools/runtimes/wine';
import { buildWindowsStandIn } from '../tools/osptool-standin-win/build';

const started = Date.now();
const wine = findWine();
if (wine === undefined) {
  console.error('The Windows lane needs Wine: apt-get install -y wine64 gcc-mingw-w64-x86-64');
  process.exit(1);
}
ensureWinePrefix(wine);
const node = ensureRuntime('node20-windows');
buildWindowsStandIn();
const version = execFileSync(wine, [node, '--version'], { encoding: 'utf8', env: wineEnvironment() }).trim();
console.log(`tasks run by Windows Node ${version} under ${wine}; prefix ready in ${Date.now() - started} ms`);

const mocha = path.join(repoRoot, 'node_modules', 'mocha', 'bin', 'mocha.js');
// --no-config: .mocharc.json leaves test/windows out of `npm test`, and its spec would be added.
const options = ['--no-config', '--timeout', '120000', '--slow', '20000', '--enable-source-maps', '--exit'];
const run = spawnSync(process.execPath, [mocha, ...options, 'build/tsc/test/windows/**/*.test.js'], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: { ...process.env, AIRGAP_WINDOWS_LANE: '1' },
});
// End what the lane left in its own prefix (the stand-in's helper outlives its tool on purpose,
// and keeps wineserver up), so CI leaves nothing running.
spawnSync(path.join(path.dirname(wine), 'wineserver'), ['-k'], { env: wineEnvironment(), stdio: 'ignore' });
console.log(`Windows lane: ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(run.status ?? 1);
