/**
 * The export of one large package against `curl` downloading the same link from the same server,
 * over plain http and over https (the real LifeTime is https only), and the export's peak RSS for
 * that package against a small one. Skipped when curl is not on PATH.
 *
 * The tasks run on each runtime an agent may give them: the pinned Node 24 (the Node24 handler of
 * agents 4.265.1 and later) and the Node running the bench (Node 20, the Node20_1 handler of older
 * agents). Beside curl, each runtime also runs hashedCopy.ts, the smallest program that does the
 * transfer's unavoidable work (read, SHA-256, write): what that runtime itself allows.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rootCertificates } from 'node:tls';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';
import type { TaskRuntime } from '../../tools/agent/taskRunner';
import { defaultTaskRuntime } from '../../tools/agent/taskRunner';
import { ensureRuntime } from '../../tools/runtimes/fetchRuntime';
import { hashedCopyScript, peakRssEnv, readPeakRss, timedProcess } from './children';
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

/** A Node that runs the tasks (and hashedCopy) for a group of rows. */
interface BenchRuntime {
  label: string;
  node: string;
}

/** Node 24 first (what current agents run), then the bench's own Node when it is another major. */
function benchRuntimes(log: (line: string) => void): BenchRuntime[] {
  const own: BenchRuntime = { label: `Node ${process.versions.node.split('.')[0] ?? ''}`, node: process.execPath };
  if (own.label === 'Node 24' || process.platform !== 'linux') return [own];
  try {
    return [{ label: 'Node 24', node: ensureRuntime('node24-linux') }, own];
  } catch (error) {
    log(`export against curl: the pinned Node 24 is not available (${String(error)}); its rows are left out`);
    return [own];
  }
}

export async function againstCurl(options: CurlBenchOptions): Promise<BenchRow[]> {
  if (!onPath('curl')) {
    options.log('export against curl: curl is not on PATH, rows skipped');
    return [];
  }
  const runtimes = benchRuntimes(options.log);
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
        const trust = scheme === 'https' ? { curl: curlTrust, node: cert } : undefined;
        rows.push(...(await measure(rig, scheme, runtimes, trust, rssFile, options)));
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

/** A ratio under this is a miss, against curl or, where the runtime itself is slower, against it. */
const TARGET = 0.9;

/** What one runtime's runs gave. */
interface RuntimeRuns {
  runtime: BenchRuntime;
  taskMs: number[];
  hashedMs: number[];
  bigRss: number[];
  smallRss: number[];
  transfers: Set<string>;
}

async function measure(
  rig: ExportRig,
  scheme: 'http' | 'https',
  runtimes: readonly BenchRuntime[],
  trust: { curl: string; node: string } | undefined,
  rssFile: string,
  options: CurlBenchOptions,
): Promise<BenchRow[]> {
  const tlsArgs = trust !== undefined ? ['--cacert', trust.curl] : [];
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
  const out = path.join(rig.share, 'baseline.oap');
  const checkedOut = (who: string): void => {
    const size = fs.statSync(out).size;
    fs.rmSync(out);
    if (size !== bytes) throw new Error(`${who} wrote ${String(size)} bytes, not ${String(bytes)}`);
  };
  const curlMs: number[] = [];
  const curl = async (): Promise<void> => {
    syncDisk();
    const { ms } = await timedProcess('curl', ['-sSf', ...tlsArgs, '-o', out, link]);
    checkedOut('curl');
    curlMs.push(ms);
  };
  const hashed = async (runs: RuntimeRuns): Promise<void> => {
    syncDisk();
    const args = [hashedCopyScript, link, out, ...(trust !== undefined ? [trust.node] : [])];
    const { ms } = await timedProcess(runs.runtime.node, args);
    checkedOut('hashedCopy');
    runs.hashedMs.push(ms);
  };
  const task = async (runs: RuntimeRuns): Promise<void> => {
    const taskRuntime: TaskRuntime = {
      ...defaultTaskRuntime(),
      command: (entry) => ({ command: runs.runtime.node, args: [entry] }),
    };
    const once = async (name: string): Promise<{ ms: number; rss: number; transfer: string }> => {
      syncDisk();
      const { ms, run } = await rig.exportTask([name], 1, peakRssEnv(rssFile), taskRuntime);
      return { ms, rss: readPeakRss(rssFile) / MB, transfer: transferOf(run.stdout) };
    };
    const big = await once(BIG.name);
    runs.taskMs.push(big.ms);
    runs.bigRss.push(big.rss);
    runs.transfers.add(big.transfer);
    runs.smallRss.push((await once(SMALL.name)).rss);
  };
  const all: RuntimeRuns[] = runtimes.map((runtime) => ({
    runtime,
    taskMs: [],
    hashedMs: [],
    bigRss: [],
    smallRss: [],
    transfers: new Set(),
  }));
  const steps = [curl, ...all.flatMap((runs) => [() => task(runs), () => hashed(runs)])];
  // Warm-up, twice round: the packages in the page cache, each program's code in the OS cache, and
  // the memory a 512 MiB file takes handed out once (the first rounds after the packages were
  // generated ran up to 30% slower, whichever program ran).
  const warmUps = 2;
  // These rows move most with the machine's noise: twice the runs, every program in each round,
  // each in turn first, so that drift hits all alike.
  const rounds = warmUps + options.reps * 2 - 1;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < steps.length; i++) await steps[(round + i) % steps.length]?.();
    if (round === warmUps - 1) {
      curlMs.length = 0;
      for (const runs of all) {
        for (const list of [runs.taskMs, runs.hashedMs, runs.bigRss, runs.smallRss]) list.length = 0;
      }
    }
  }
  const baseline = median(curlMs) / 1000;
  return all.flatMap((runs) => rowsOf(runs, scheme, bytes, baseline, curlMs, options));
}

function rowsOf(
  runs: RuntimeRuns,
  scheme: 'http' | 'https',
  bytes: number,
  baseline: number,
  curlMs: readonly number[],
  options: CurlBenchOptions,
): BenchRow[] {
  const measured = median(runs.taskMs) / 1000;
  const bound = median(runs.hashedMs) / 1000;
  const ratio = baseline / measured;
  const boundRatio = baseline / bound;
  const ofBound = bound / measured;
  // Where the runtime itself cannot reach the target against curl, the task answers for its own part.
  const pass = ratio >= TARGET || (boundRatio < TARGET && ofBound >= TARGET);
  const via = [...runs.transfers].join(', ');
  const where = `${scheme}, ${runs.runtime.label}`;
  options.log(
    `  ${where}: task ${measured.toFixed(2)} s, curl ${baseline.toFixed(2)} s (${ratio.toFixed(2)}×), hashed copy ${bound.toFixed(2)} s (${boundRatio.toFixed(2)}× curl; task ${ofBound.toFixed(2)}× of it), via ${via}`,
  );
  const peak = median(runs.bigRss);
  const small = median(runs.smallRss);
  options.log(`  ${where}: peak RSS ${peak.toFixed(0)} MB (${SMALL.label} package: ${small.toFixed(0)} MB)`);
  return [
    {
      metric: `export of one ${BIG.label} package over ${scheme}, tasks on ${runs.runtime.label}`,
      unit: 's',
      measured,
      baselineLabel: `curl -o, same ${scheme} link`,
      baseline,
      ratio,
      target: `≥ ${String(TARGET)}× curl, or of the hashed copy when that is under it`,
      pass,
      runs: runs.taskMs.map((ms) => ms / 1000),
      baselineRuns: curlMs.map((ms) => ms / 1000),
      note: `${(bytes / MB).toFixed(0)} MB; each program timed from spawn to exit, disk synced before each run; hashed copy (hashedCopy.ts on ${runs.runtime.label}) ${bound.toFixed(2)} s, ${boundRatio.toFixed(2)}× curl, the task ${ofBound.toFixed(2)}× of it; transfer: ${via}`,
    },
    {
      metric: `export peak RSS, one ${BIG.label} package over ${scheme}, tasks on ${runs.runtime.label}`,
      unit: 'MB',
      measured: peak,
      baselineLabel: `${SMALL.label} package`,
      baseline: small,
      ratio: small / peak,
      target: `≤ 100 MB, ≤ 25 MB over the ${SMALL.label} package`,
      pass: peak <= 100 && peak - small <= 25,
      runs: runs.bigRss,
      baselineRuns: runs.smallRss,
      note: `VmHWM of the task process; ${(peak - small).toFixed(1)} MB more than for the ${SMALL.label} package`,
    },
  ];
}
