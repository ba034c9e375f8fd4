/**
 * The promotion's cost in LifeTime requests: the bundled Promote task against the emulator's
 * production LifeTime, N applications tagged in Pre-Production, each run counted from the
 * emulator's request log against a bound derived from what the task must ask:
 *
 *   2 (environments, by name) + 1 (applications with their status) + N (the version PRE runs)
 *   + 1 (deployment plans on the target) + 1 (deployment zones) + 1 (create) + 1 (details,
 *   for conflicts) + 1 (start) + status reads,
 *
 * status reads being at most 5 (the first and the quicker early polls) + ⌈D / 3 s⌉ for a plan that
 * runs D after its start. A rerun, with everything already in Production, asks 3 + N.
 */
import * as path from 'node:path';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import type { EmulatorSpec } from '../../tools/emulator/spec';
import { makeBundle } from '../../tools/factories/bundleFactory';
import { PROD_TOKEN } from '../../tools/factories/estate';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';
import { timedTask } from './children';
import type { BenchRow } from './report';

export interface PromoteBenchOptions {
  reps: number;
  log: (line: string) => void;
}

const APPS = 20;
const POLL_MS = 3000;

function keyFor(i: number): string {
  return `${String(i).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

function spec(): EmulatorSpec {
  return {
    token: PROD_TOKEN,
    environments: [
      { name: 'Pre-Production', hostName: 'preprod.example.com', type: 'Test' },
      { name: 'Production', hostName: 'www.example.com', type: 'Production' },
    ],
    applications: Array.from({ length: APPS }, (_, i) => ({
      name: `Bench App ${String(i + 1).padStart(2, '0')}`,
      key: keyFor(i + 1),
      versions: [{ version: '1.0.0' }, { version: '1.1.0' }],
      running: { 'Pre-Production': { version: '1.1.0' }, Production: { version: '1.0.0' } },
    })),
  };
}

interface Counted {
  requests: number;
  bound: number;
  statusReads: number;
}

export async function promoteRequests(options: PromoteBenchOptions): Promise<BenchRow[]> {
  options.log(`promotion: ${String(APPS)} applications, ${String(options.reps)} promotions and reruns`);
  const first: Counted[] = [];
  const reruns: number[] = [];
  for (let rep = 0; rep < options.reps; rep++) {
    const emulator = await LifeTimeEmulator.start(spec());
    const root = makeTempDir({ prefix: 'airgap-bench-promote-' });
    try {
      const bundle = await makeBundle(
        path.join(root, 'bundle'),
        spec().applications.map((a) => ({ name: a.name, key: a.key ?? '', version: '1.1.0' })),
      );
      const task = {
        inputs: { sourceEnvironment: 'Pre-Production', targetEnvironment: 'Production', bundlePath: bundle },
        connection: { url: emulator.url, token: PROD_TOKEN },
      };
      await timedTask('AirGapPromote', task);
      const api = emulator.requests.filter((r) => r.path.startsWith('/lifetimeapi/'));
      const start = api.find((r) => r.method === 'POST' && /\/start\/?$/.test(r.path));
      const reads = api.filter((r) => /\/status\/?$/.test(r.path));
      const lastRead = reads[reads.length - 1];
      const runMs = start !== undefined && lastRead !== undefined ? Math.max(0, lastRead.at - start.at) : 0;
      first.push({ requests: api.length, bound: APPS + 9 + 5 + Math.ceil(runMs / POLL_MS), statusReads: reads.length });
      const before = api.length;
      await timedTask('AirGapPromote', task);
      reruns.push(emulator.requests.filter((r) => r.path.startsWith('/lifetimeapi/')).length - before);
    } finally {
      await emulator.close();
      removeTempDir(root);
    }
  }
  const worst = first.reduce((a, b) => (b.requests - b.bound > a.requests - a.bound ? b : a));
  options.log(
    `  promotion: at most ${String(worst.requests)} requests (${String(worst.statusReads)} status reads) against a bound of ${String(worst.bound)}; rerun ${String(Math.max(...reruns))}`,
  );
  const rerunBound = 3 + APPS;
  const rerunWorst = Math.max(...reruns);
  return [
    {
      metric: `LifeTime requests, promotion of N = ${String(APPS)}`,
      unit: 'requests',
      measured: worst.requests,
      baselineLabel: 'N + 14 + ⌈D / 3 s⌉',
      baseline: worst.bound,
      ratio: worst.bound / worst.requests,
      target: `≤ N + 14 + ⌈D / 3 s⌉ = ${String(worst.bound)}`,
      pass: first.every((c) => c.requests <= c.bound),
      runs: first.map((c) => c.requests),
      note: 'one plan of all N; D is the plan run from its start to the last status read; the run closest to its bound',
    },
    {
      metric: `LifeTime requests, promotion rerun of N = ${String(APPS)} (nothing left)`,
      unit: 'requests',
      measured: rerunWorst,
      baselineLabel: '3 + N',
      baseline: rerunBound,
      ratio: rerunBound / rerunWorst,
      target: `≤ 3 + N = ${String(rerunBound)}`,
      pass: rerunWorst <= rerunBound,
      runs: reruns,
      note: 'no plan is looked for: Production already runs every version',
    },
  ];
}
