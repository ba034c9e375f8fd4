/**
 * The export of one large package against `curl` downloading the same link from the same server,
 * over plain http and over https (the real LifeTime is https only), and the export's peak RSS for
 * that package against a small one. Skipped when curl is not on PATH.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rootCertificates } from 'node:tls';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';
import { peakRssEnv, readPeakRss, timedProcess } from './children';
import { ExportRig, type RigOptions } from './exportRig';
import type { BenchRow } from './report';
import { MB, median } from './stats';
import { DEV_TOKEN } from '../../tools/factories/estate';
import { throwAwayCertificate } from '../../tools/throwAwayCertificate';

const BIG = { name: 'Wire Package', bytes: 512 * MB, label: '512 MiB' };
const SMALL = { name: 'Small Wire Package', bytes: 5 * MB, label: '5 MiB' };

export interface CurlBenchOptions {
  reps: number;
  log: (line: string) => void;
}

function onPath(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Flushes dirty pages, so that no run pays for the previous one's writes. */
function syncDisk(): void {
  execFileSync('sync', [], { stdio: 'ignore' });
}

/** Which download path the task reports it used (see shared/export/report.ts). */
function transferOf(stdout: string): string {
  return /^Transfer:\s+(.+)$/m.exec(stdout)?.[1]?.trim() ?? 'not reported';
}

export async function againstCurl(options: CurlBenchOptions): Promise<BenchRow[]> {
  if (!onPath('curl')) {
    options.log('export against curl: curl is not on PATH, rows skipped');
    return [];
  }
  const certDir = makeTempDir({ prefix: 'airgap-bench-tls-' });
  const rssFile = path.join(os.tmpdir(), `airgap-bench-curl-rss-${String(process.pid)}.json`);
  const rows: BenchRow[] = [];
  try {
    const { key, cert } = throwAwayCertificate(certDir, 'bench-only');
    const curlTrust = sameTrustAsTheTask(certDir, cert);
    for (const scheme of ['http', 'https'] as const) {
      const rigOptions: RigOptions =
        scheme === 'https'
          ? { tls: { key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, variables: { 'Agent.CAInfo': cert } }
          : {};
      options.log(`export against curl (${scheme}): generating a ${BIG.label} and a ${SMALL.label} package`);
      const rig = await ExportRig.start([BIG, SMALL], rigOptions);
      try {
        rows.push(...(await measure(rig, scheme, scheme === 'https' ? curlTrust : undefined, rssFile, options)));
      } finally {
        await rig.close();
      }
    }
  } finally {
    fs.rmSync(rssFile, { force: true });
    removeTempDir(certDir);
  }
  return rows;
}

/**
 * What curl is told to trust: the task trusts the public roots and the agent's CA (Agent.CAInfo),
 * so curl gets the same set in one file (Node's bundled roots, then the throw-away CA) rather than
 * the CA alone. Both then load about 150 certificates before their first handshake.
 */
function sameTrustAsTheTask(dir: string, caFile: string): string {
  const file = path.join(dir, 'roots-and-ca.pem');
  fs.writeFileSync(file, [...rootCertificates, fs.readFileSync(caFile, 'utf8')].join('\n'));
  return file;
}

async function measure(
  rig: ExportRig,
  scheme: 'http' | 'https',
  caFile: string | undefined,
  rssFile: string,
  options: CurlBenchOptions,
): Promise<BenchRow[]> {
  const tlsArgs = caFile !== undefined ? ['--cacert', caFile] : [];
  const { appKey, versionKey } = rig.keys(BIG.name);
  // Asynchronously: the emulator answers from this very process.
  const { stdout: linkJson } = await timedProcess('curl', [
    '-sSf',
    ...tlsArgs,
    '-H',
    `Authorization: Bearer ${DEV_TOKEN}`,
    `${rig.emulator.apiBase}/applications/${appKey}/versions/${versionKey}/content/`,
  ]);
  const link = (JSON.parse(linkJson) as { url: string }).url;
  const bytes = rig.packageBytes([BIG.name]);
  const out = path.join(rig.share, 'curl.oap');
  const curl = async (): Promise<number> => {
    syncDisk();
    const { ms } = await timedProcess('curl', ['-sSf', ...tlsArgs, '-o', out, link]);
    const size = fs.statSync(out).size;
    fs.rmSync(out);
    if (size !== bytes) throw new Error(`curl wrote ${String(size)} bytes, not ${String(bytes)}`);
    return ms;
  };
  const task = async (name: string): Promise<{ ms: number; rss: number; transfer: string }> => {
    syncDisk();
    const { ms, run } = await rig.exportTask([name], 1, peakRssEnv(rssFile));
    return { ms, rss: readPeakRss(rssFile) / MB, transfer: transferOf(run.stdout) };
  };
  // Warm-up: the package in the page cache, the bundled task's code in the OS cache.
  await curl();
  await task(BIG.name);
  const curlMs: number[] = [];
  const taskMs: number[] = [];
  const bigRss: number[] = [];
  const smallRss: number[] = [];
  const transfers = new Set<string>();
  for (let rep = 0; rep < options.reps; rep++) {
    // Interleaved, so that drift on a noisy machine hits both alike.
    curlMs.push(await curl());
    const big = await task(BIG.name);
    taskMs.push(big.ms);
    bigRss.push(big.rss);
    transfers.add(big.transfer);
    smallRss.push((await task(SMALL.name)).rss);
  }
  const measured = median(taskMs) / 1000;
  const baseline = median(curlMs) / 1000;
  const ratio = baseline / measured;
  const via = [...transfers].join(', ');
  options.log(
    `  ${scheme}: task ${measured.toFixed(2)} s, curl ${baseline.toFixed(2)} s (${ratio.toFixed(2)}×), via ${via}`,
  );
  const peak = median(bigRss);
  const small = median(smallRss);
  options.log(`  ${scheme}: peak RSS ${peak.toFixed(0)} MB (${SMALL.label} package: ${small.toFixed(0)} MB)`);
  return [
    {
      metric: `export of one ${BIG.label} package over ${scheme}`,
      unit: 's',
      measured,
      baselineLabel: `curl -o, same ${scheme} link`,
      baseline,
      ratio,
      target: '≥ 0.9× curl',
      pass: ratio >= 0.9,
      runs: taskMs.map((ms) => ms / 1000),
      baselineRuns: curlMs.map((ms) => ms / 1000),
      note: `${(bytes / MB).toFixed(0)} MB; task timed from spawn to exit, disk synced before each run; transfer: ${via}`,
    },
    {
      metric: `export peak RSS, one ${BIG.label} package over ${scheme}`,
      unit: 'MB',
      measured: peak,
      baselineLabel: `${SMALL.label} package`,
      baseline: small,
      ratio: small / peak,
      target: `≤ 100 MB, ≤ 25 MB over the ${SMALL.label} package`,
      pass: peak <= 100 && peak - small <= 25,
      runs: bigRss,
      baselineRuns: smallRss,
      note: `VmHWM of the task process; ${(peak - small).toFixed(1)} MB more than for the ${SMALL.label} package`,
    },
  ];
}
