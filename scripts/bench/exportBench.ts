/**
 * Export measurements against the LifeTime emulator: throughput against a raw streaming copy of the
 * same links, peak RSS for a large and a small package, LifeTime requests per export, and the
 * bundled task's start-up to its first request.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import type { EmulatorSpec } from '../../tools/emulator/spec';
import { DEV_TOKEN } from '../../tools/factories/estate';
import type { TaskRunOptions } from '../../tools/agent/taskRunner';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';
import { peakRssEnv, rawCopyScript, readPeakRss, startTask, timedProcess, timedTask } from './children';
import type { RawCopyJob } from './rawCopy';
import type { BenchRow } from './report';
import { MB, median } from './stats';

export interface ExportBenchOptions {
  /** Repetitions of each measured run; the median is reported. */
  reps: number;
  log: (line: string) => void;
}

interface BenchApp {
  name: string;
  bytes: number;
}

function benchSpec(apps: readonly BenchApp[]): EmulatorSpec {
  return {
    token: DEV_TOKEN,
    environments: [{ name: 'Acceptance', hostName: 'acc.example.com', type: 'Test' }],
    applications: apps.map((a) => ({
      name: a.name,
      packageBytes: a.bytes,
      versions: [{ version: '1.0.0' }],
      running: { Acceptance: { version: '1.0.0' } },
    })),
  };
}

/** One emulator and one share for a group of measurements; everything is removed by close(). */
class ExportRig {
  private runs = 0;

  private constructor(
    readonly emulator: LifeTimeEmulator,
    readonly share: string,
  ) {}

  static async start(apps: readonly BenchApp[]): Promise<ExportRig> {
    const emulator = await LifeTimeEmulator.start(benchSpec(apps));
    return new ExportRig(emulator, makeTempDir({ prefix: 'airgap-bench-share-' }));
  }

  packageBytes(names: readonly string[]): number {
    return names.reduce((sum, n) => sum + fs.statSync(this.emulator.packagePath(n, '1.0.0')).size, 0);
  }

  taskOptions(names: readonly string[], parallelism: number, env: Record<string, string> = {}): TaskRunOptions {
    return {
      inputs: {
        sourceEnvironment: 'Acceptance',
        sharePath: this.share,
        bundleName: `bench-${String(++this.runs)}`,
        applications: names.join('\n'),
        downloadParallelism: String(parallelism),
      },
      connection: { url: this.emulator.url, token: DEV_TOKEN },
      env,
    };
  }

  /** Runs the export task; returns its time and the LifeTime API requests it made. */
  async exportTask(
    names: readonly string[],
    parallelism: number,
    env: Record<string, string> = {},
  ): Promise<{ ms: number; apiRequests: number }> {
    const before = this.emulator.requests.length;
    const options = this.taskOptions(names, parallelism, env);
    const { ms } = await timedTask('AirGapExport', options);
    const apiRequests = this.emulator.requests.slice(before).filter((r) => r.path.startsWith('/lifetimeapi/')).length;
    fs.rmSync(path.join(this.share, options.inputs.bundleName ?? ''), { recursive: true, force: true });
    return { ms, apiRequests };
  }

  /** The same content links and downloads with plain node:http and fs streams, in a child process. */
  async rawCopy(names: readonly string[], parallelism: number, env: Record<string, string> = {}): Promise<number> {
    const dir = path.join(this.share, `raw-${String(++this.runs)}`);
    fs.mkdirSync(dir);
    const job: RawCopyJob = {
      apiBase: this.emulator.apiBase,
      token: DEV_TOKEN,
      parallelism,
      items: names.map((name, i) => {
        const app = this.emulator.application(name);
        const version = this.emulator.versions(name)[0];
        if (app === undefined || version?.Key === undefined) throw new Error(`no version of ${name}`);
        return { appKey: app.key, versionKey: version.Key, destination: path.join(dir, `${String(i)}.oap`) };
      }),
    };
    const jobFile = path.join(this.share, `raw-job-${String(this.runs)}.json`);
    fs.writeFileSync(jobFile, JSON.stringify(job));
    try {
      const { ms, stdout } = await timedProcess(process.execPath, [rawCopyScript, jobFile], env);
      const expected = this.packageBytes(names);
      if (Number(stdout.trim()) !== expected)
        throw new Error(`raw copy moved ${stdout.trim()} bytes, not ${String(expected)}`);
      return ms;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(jobFile, { force: true });
    }
  }

  async close(): Promise<void> {
    await this.emulator.close();
    removeTempDir(this.share);
  }
}

const THROUGHPUT_APPS = 20;
const THROUGHPUT_BYTES = 20 * MB;

/** 1. Export throughput and 5. requests per export, on 20 packages of 20 MB. */
export async function throughputAndRequests(options: ExportBenchOptions): Promise<BenchRow[]> {
  const apps = Array.from({ length: THROUGHPUT_APPS }, (_, i) => ({
    name: `Bench App ${String(i + 1).padStart(2, '0')}`,
    bytes: THROUGHPUT_BYTES,
  }));
  const names = apps.map((a) => a.name);
  options.log(
    `export throughput: generating ${String(THROUGHPUT_APPS)} packages of ${String(THROUGHPUT_BYTES / MB)} MB`,
  );
  const rig = await ExportRig.start(apps);
  const rows: BenchRow[] = [];
  const requestCounts: number[] = [];
  try {
    const bytes = rig.packageBytes(names);
    const mbps = (ms: number) => bytes / MB / (ms / 1000);
    // Warm-up: the packages in the page cache, the bundled task's code in the OS cache.
    await rig.rawCopy(names, 4);
    requestCounts.push((await rig.exportTask(names, 4)).apiRequests);
    for (const latency of [0, 50]) {
      for (const parallelism of [1, 4]) {
        rig.emulator.setLatency(latency);
        const task: number[] = [];
        const raw: number[] = [];
        for (let rep = 0; rep < options.reps; rep++) {
          // Interleaved, so that drift on a noisy machine hits both alike.
          raw.push(mbps(await rig.rawCopy(names, parallelism)));
          const t = await rig.exportTask(names, parallelism);
          task.push(mbps(t.ms));
          requestCounts.push(t.apiRequests);
        }
        const measured = median(task);
        const baseline = median(raw);
        const ratio = measured / baseline;
        options.log(
          `  latency ${String(latency)} ms, parallelism ${String(parallelism)}: task ${measured.toFixed(0)} MB/s, raw ${baseline.toFixed(0)} MB/s`,
        );
        rows.push({
          metric: `export throughput, parallelism ${String(parallelism)}, latency ${String(latency)} ms`,
          unit: 'MB/s',
          measured,
          baselineLabel: 'raw streaming copy',
          baseline,
          ratio,
          target: '≥ 0.9× raw copy',
          pass: ratio >= 0.9,
          runs: task,
          baselineRuns: raw,
          note: `${String(THROUGHPUT_APPS)} packages, ${(bytes / MB).toFixed(0)} MB in all, task timed from spawn to exit`,
        });
      }
    }
  } finally {
    await rig.close();
  }
  const n = THROUGHPUT_APPS;
  const budget = 2 + 3 * n;
  const worst = Math.max(...requestCounts);
  rows.push({
    metric: `LifeTime requests, export of N = ${String(n)}`,
    unit: 'requests',
    measured: worst,
    baselineLabel: '2 + 3N',
    baseline: budget,
    ratio: budget / worst,
    target: `≤ 2 + 3N = ${String(budget)}`,
    pass: worst <= budget,
    runs: requestCounts,
    note: 'the most of any run (not the median), counted from the emulator request log',
  });
  return rows;
}

/** 2. Peak RSS of the export task for a 1 GB and a 10 MB package, against a raw copy of each. */
export async function exportMemory(options: ExportBenchOptions): Promise<BenchRow[]> {
  const packages = [
    { name: 'Big Package', bytes: 1024 * MB, label: '1 GB' },
    { name: 'Small Package', bytes: 10 * MB, label: '10 MB' },
  ];
  options.log('export memory: generating a 1 GB and a 10 MB package');
  const rig = await ExportRig.start(packages);
  const rssFile = path.join(os.tmpdir(), `airgap-bench-rss-${String(process.pid)}.json`);
  const rows: BenchRow[] = [];
  try {
    for (const p of packages) {
      const task: number[] = [];
      const raw: number[] = [];
      for (let rep = 0; rep < options.reps; rep++) {
        await rig.rawCopy([p.name], 1, peakRssEnv(rssFile));
        raw.push(readPeakRss(rssFile) / MB);
        await rig.exportTask([p.name], 1, peakRssEnv(rssFile));
        task.push(readPeakRss(rssFile) / MB);
      }
      const measured = median(task);
      const baseline = median(raw);
      options.log(`  ${p.label}: task ${measured.toFixed(0)} MB peak RSS, raw copy ${baseline.toFixed(0)} MB`);
      rows.push({
        metric: `export peak RSS, one ${p.label} package`,
        unit: 'MB',
        measured,
        baselineLabel: 'raw streaming copy',
        baseline,
        ratio: baseline / measured,
        target: '≤ 100 MB',
        pass: measured <= 100,
        runs: task,
        baselineRuns: raw,
        note: 'VmHWM of the task process',
      });
    }
  } finally {
    fs.rmSync(rssFile, { force: true });
    await rig.close();
  }
  const [big, small] = rows;
  if (big !== undefined && small !== undefined) {
    big.note = `${big.note ?? ''}; ${(big.measured / small.measured).toFixed(2)}× the 10 MB package's`;
  }
  return rows;
}

/** 6a. Start-up: spawn of the bundled export task to its first LifeTime request, against a bare node process. */
export async function startUp(options: ExportBenchOptions): Promise<BenchRow[]> {
  const rig = await ExportRig.start([{ name: 'Tiny App', bytes: 4096 }]);
  const task: number[] = [];
  const bare: number[] = [];
  const requestCounts: number[] = [];
  const firstRequestAfter = (before: number, spawnedAt: number): number => {
    const first = rig.emulator.requests[before];
    if (first === undefined) throw new Error('no request reached the emulator');
    return first.at - spawnedAt;
  };
  try {
    const reps = options.reps + 2;
    for (let rep = 0; rep <= reps; rep++) {
      let before = rig.emulator.requests.length;
      let spawnedAt = 0;
      const started = startTask('AirGapExport', {
        ...rig.taskOptions(['Tiny App'], 1),
        onStart: () => {
          spawnedAt = Date.now();
        },
      });
      const run = await started.done;
      if (run.result?.status !== 'Succeeded') throw new Error(`tiny export failed: ${JSON.stringify(run.result)}`);
      const taskMs = firstRequestAfter(before, spawnedAt);
      requestCounts.push(rig.emulator.requests.slice(before).filter((r) => r.path.startsWith('/lifetimeapi/')).length);

      before = rig.emulator.requests.length;
      spawnedAt = Date.now();
      await timedProcess(process.execPath, [
        '-e',
        "require('http').get(process.argv[1], (r) => r.resume())",
        `${rig.emulator.apiBase}/environments/`,
      ]);
      const bareMs = firstRequestAfter(before, spawnedAt);
      // The first round only warms the OS file cache.
      if (rep > 0) {
        task.push(taskMs);
        bare.push(bareMs);
      }
    }
  } finally {
    await rig.close();
  }
  const measured = median(task);
  const baseline = median(bare);
  options.log(`start-up: task ${measured.toFixed(0)} ms, bare node ${baseline.toFixed(0)} ms`);
  const worst = Math.max(...requestCounts);
  return [
    {
      metric: 'export task start-up to first request',
      unit: 'ms',
      measured,
      baselineLabel: 'bare node http.get',
      baseline,
      ratio: baseline / measured,
      target: '< 300 ms',
      pass: measured < 300,
      runs: task,
      baselineRuns: bare,
      note: 'spawn to the first request in the emulator log, tiny export',
    },
    {
      metric: 'LifeTime requests, export of N = 1',
      unit: 'requests',
      measured: worst,
      baselineLabel: '2 + 3N',
      baseline: 5,
      ratio: 5 / worst,
      target: '≤ 2 + 3N = 5',
      pass: worst <= 5,
      runs: requestCounts,
      note: 'the most of any run, counted from the emulator request log',
    },
  ];
}
