/** 3. The deploy task's bundle verification (dry run) against `sha256sum` over the same files. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeBundle, readManifest } from '../../tools/factories/bundleFactory';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';
import { timedProcess, timedTask } from './children';
import type { BenchRow } from './report';
import { MB, median } from './stats';

const PACKAGES = 10;
const PACKAGE_BYTES = 50 * MB;

export async function verification(options: { reps: number; log: (line: string) => void }): Promise<BenchRow[]> {
  const root = makeTempDir({ prefix: 'airgap-bench-verify-' });
  try {
    options.log(`verification: writing a bundle of ${String(PACKAGES)} packages of ${String(PACKAGE_BYTES / MB)} MB`);
    const bundle = await makeBundle(
      path.join(root, 'bundle'),
      Array.from({ length: PACKAGES }, (_, i) => ({
        name: `Verify App ${String(i + 1).padStart(2, '0')}`,
        payloadBytes: PACKAGE_BYTES,
      })),
    );
    const manifest = readManifest(bundle);
    const files = manifest.applications.map((a) => path.join(bundle, a.file));
    const bytes = files.reduce((sum, f) => sum + fs.statSync(f).size, 0);
    const expected = new Map(manifest.applications.map((a) => [path.join(bundle, a.file), a.sha256]));
    const mbps = (ms: number) => bytes / MB / (ms / 1000);

    const sha256sum = async (): Promise<number> => {
      const { ms, stdout } = await timedProcess('sha256sum', files);
      for (const line of stdout.trim().split('\n')) {
        const [hash, file] = [line.slice(0, 64), line.slice(66)];
        if (expected.get(file) !== hash) throw new Error(`sha256sum disagrees on ${file}`);
      }
      return ms;
    };
    const deployDryRun = async (): Promise<number> => {
      const { ms, run } = await timedTask('AirGapDeploy', {
        inputs: {
          bundlePath: bundle,
          osptoolPath: path.join(root, 'OSPTool.com'),
          targetHostname: 'preprod.example.com',
          airGapUser: 'airgap.bench',
          airGapPassword: 'bench-password-not-used',
          dryRun: 'true',
        },
      });
      if (!run.stdout.includes('Bundle verified')) throw new Error('the dry run did not verify the bundle');
      return ms;
    };

    // Warm-up: the files in the page cache for both.
    await sha256sum();
    await deployDryRun();
    const task: number[] = [];
    const baseline: number[] = [];
    for (let rep = 0; rep < options.reps; rep++) {
      baseline.push(mbps(await sha256sum()));
      task.push(mbps(await deployDryRun()));
    }
    const measured = median(task);
    const base = median(baseline);
    options.log(`  deploy dry run ${measured.toFixed(0)} MB/s, sha256sum ${base.toFixed(0)} MB/s`);
    return [
      {
        metric: 'deploy bundle verification (dry run)',
        unit: 'MB/s',
        measured,
        baselineLabel: 'sha256sum',
        baseline: base,
        ratio: measured / base,
        target: '≥ 0.8× sha256sum',
        pass: measured / base >= 0.8,
        runs: task,
        baselineRuns: baseline,
        note: `${String(PACKAGES)} packages, ${(bytes / MB).toFixed(0)} MB in all, both timed from spawn to exit, files in the page cache`,
      },
    ];
  } finally {
    removeTempDir(root);
  }
}
