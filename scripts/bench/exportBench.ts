/**
 * Export measurements against the LifeTime emulator: throughput against a raw streaming copy of the
 * same links, peak RSS for a large and a small package, LifeTime requests per export, and the
 * bundled task's start-up to its first request.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { peakRssEnv, readPeakRss, startTask, timedProcess } from './children';
import { ExportRig } from './exportRig';
import type { BenchRow } from './report';
import { MB, median } from './stats';

export interface ExportBenchOptions {
  /** Repetitions of each measured run; the median is reported. */
  reps: number;
  log: (line: string) => void;
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
