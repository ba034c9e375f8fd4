import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../paths';
import { PINNED_RUNTIMES, type RuntimeName } from './pinnedRuntimes';

/** Where fetched runtimes live: under node_modules, so `npm ci` starts afresh and git never sees them. */
export const runtimeCacheDir = path.join(repoRoot, 'node_modules', '.cache', 'airgap-runtimes');

/**
 * The path of a pinned runtime's executable, fetched once with `npm pack` (the registry's own
 * client, which checks the tarball against the registry's integrity) and checked again against
 * the pinned integrity before it is unpacked. Later calls reuse the unpacked copy.
 */
export function ensureRuntime(name: RuntimeName): string {
  const pin = PINNED_RUNTIMES[name];
  const folder = path.join(runtimeCacheDir, `${pin.package}-${pin.version}`);
  const executable = path.join(folder, 'package', ...pin.executable.split('/'));
  if (fs.existsSync(path.join(folder, '.complete'))) return executable;

  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const packed = execFileSync(
    npm,
    ['pack', `${pin.package}@${pin.version}`, '--pack-destination', folder, '--silent', '--no-fund', '--no-audit'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], shell: process.platform === 'win32' },
  )
    .trim()
    .split('\n')
    .pop();
  if (packed === undefined || packed === '') throw new Error(`npm pack ${pin.package}@${pin.version} named no tarball`);
  const tarball = path.join(folder, packed);
  const integrity = `sha512-${crypto.createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`;
  if (integrity !== pin.integrity) {
    throw new Error(`${tarball}: integrity ${integrity} is not the pinned ${pin.integrity}; refusing to run it`);
  }
  execFileSync('tar', ['-xzf', tarball, '-C', folder, `package/${pin.executable}`, 'package/package.json']);
  fs.rmSync(tarball);
  fs.chmodSync(executable, 0o755);
  fs.writeFileSync(path.join(folder, '.complete'), `${pin.package}@${pin.version} ${pin.integrity}\n`);
  return executable;
}
