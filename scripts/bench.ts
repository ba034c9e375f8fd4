/**
 * `npm run bench`: speed and memory, each as a ratio against a baseline measured in the same run
 * (medians of several runs, since these machines are noisy). Prints a table and writes
 * bench/results.json with the machine's details. Timings never go into tests; they go here.
 *
 *   npm run bench                                  # everything (packages first), writes bench/results.json
 *   node build/tsc/scripts/bench.js --reps 3       # fewer repetitions
 *   node build/tsc/scripts/bench.js --only ordering,verification   # a part, written to bench/out/
 *
 * Exits with code 1 when a target is missed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { snapshotBundledTasks } from './bench/children';
import { againstCurl } from './bench/curlBench';
import { exportMemory, startUp, throughputAndRequests } from './bench/exportBench';
import { ordering } from './bench/orderingBench';
import { promoteRequests } from './bench/promoteBench';
import { describeHostMemoryReclaim } from './bench/hostMemoryReclaim';
import { TABLE_HEADERS, gitCommit, machineDetails, markdownTable, tableRows, textTable } from './bench/report';
import type { BenchRow } from './bench/report';
import { vsixSize } from './bench/sizeBench';
import { round } from './bench/stats';
import { verification } from './bench/verifyBench';
import { repoRoot } from '../tools/paths';

interface Options {
  reps: number;
  log: (line: string) => void;
}

const GROUPS: Record<string, (options: Options) => BenchRow[] | Promise<BenchRow[]>> = {
  size: () => vsixSize(),
  throughput: throughputAndRequests,
  memory: exportMemory,
  curl: againstCurl,
  verification,
  ordering,
  startup: startUp,
  promote: promoteRequests,
};

function parseArgs(argv: readonly string[]): { reps: number; only: string[] } {
  let reps = 5;
  let only = Object.keys(GROUPS);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1] ?? '';
    if (arg === '--reps' && /^[1-9]\d*$/.test(value)) {
      reps = Number(value);
      i++;
    } else if (arg === '--only') {
      only = value.split(',').filter((g) => g !== '');
      const unknown = only.filter((g) => !(g in GROUPS));
      if (unknown.length > 0)
        throw new Error(`unknown group(s) ${unknown.join(', ')}; known: ${Object.keys(GROUPS).join(', ')}`);
      i++;
    } else {
      throw new Error(
        `unknown argument ${String(arg)}; usage: bench.js [--reps N] [--only ${Object.keys(GROUPS).join(',')}]`,
      );
    }
  }
  return { reps, only };
}

async function main(): Promise<void> {
  const { reps, only } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const log = (line: string) =>
    process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  const machine = machineDetails();
  log(
    `${machine.os}, ${String(machine.cpus.count)} × ${machine.cpus.model}, ${(machine.memoryBytes / 2 ** 30).toFixed(0)} GB, node ${machine.node}; ${String(reps)} runs each`,
  );

  log(describeHostMemoryReclaim(machine.hostMemoryReclaim));

  snapshotBundledTasks();
  const rows: BenchRow[] = [];
  for (const group of only) {
    const run = GROUPS[group];
    if (run !== undefined) rows.push(...(await run({ reps, log })));
  }
  const order = [
    'export throughput',
    'export of one',
    'export peak RSS',
    'deploy bundle',
    'ordering',
    'LifeTime requests',
    'export task start-up',
    '.vsix',
  ];
  const rank = (r: BenchRow) => order.findIndex((prefix) => r.metric.startsWith(prefix));
  rows.sort((a, b) => rank(a) - rank(b));

  const table = tableRows(rows);
  process.stdout.write(`\n${textTable(TABLE_HEADERS, table)}\n\n`);
  const results = {
    command: 'npm run bench',
    date: new Date().toISOString(),
    durationSeconds: round((Date.now() - started) / 1000, 0),
    commit: gitCommit(repoRoot),
    machine,
    repetitions: reps,
    allPassed: rows.every((r) => r.pass),
    results: rows.map((r) => ({
      ...r,
      measured: round(r.measured),
      ...(r.baseline !== undefined ? { baseline: round(r.baseline) } : {}),
      ...(r.ratio !== undefined ? { ratio: round(r.ratio) } : {}),
      runs: r.runs.map((v) => round(v)),
      ...(r.baselineRuns !== undefined ? { baselineRuns: r.baselineRuns.map((v) => round(v)) } : {}),
    })),
    markdown: markdownTable(TABLE_HEADERS, table),
  };
  const complete = only.length === Object.keys(GROUPS).length;
  const file = complete
    ? path.join(repoRoot, 'bench', 'results.json')
    : path.join(repoRoot, 'bench', 'out', `results-${only.join('-')}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  log(`wrote ${path.relative(repoRoot, file)}`);
  const failed = rows.filter((r) => !r.pass);
  if (failed.length > 0) {
    process.stdout.write(`targets missed: ${failed.map((r) => r.metric).join('; ')}\n`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
});
