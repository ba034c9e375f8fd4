/** 4. Producers-first ordering of 10,000 applications with 50,000 dependencies, in process. */
import toposort from 'toposort';
import { orderByDependencies } from '../../shared/ordering/order';
import type { BenchRow } from './report';
import { elapsedMs, median } from './stats';

const APPLICATIONS = 10_000;
const DEPENDENCIES = 50_000;

interface App {
  id: string;
  producers: string[];
}

/** Deterministic pseudo-random numbers (mulberry32), so every run orders the same graph. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random DAG: a hidden order decides who may produce for whom; the list is shuffled. */
export function randomEstate(apps = APPLICATIONS, deps = DEPENDENCIES, seed = 42): App[] {
  const rnd = random(seed);
  const list: App[] = Array.from({ length: apps }, (_, i) => ({ id: `app-${String(i)}`, producers: [] }));
  const edges = new Set<number>();
  while (edges.size < deps) {
    const a = Math.floor(rnd() * apps);
    const b = Math.floor(rnd() * apps);
    if (a === b) continue;
    const [producer, consumer] = a < b ? [a, b] : [b, a];
    const edge = consumer * apps + producer;
    if (edges.has(edge)) continue;
    edges.add(edge);
    list[consumer]?.producers.push(`app-${String(producer)}`);
  }
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [list[i], list[j]] = [list[j] as App, list[i] as App];
  }
  return list;
}

function checkOrder(order: readonly string[], apps: readonly App[]): void {
  const at = new Map(order.map((id, i) => [id, i]));
  if (at.size !== apps.length)
    throw new Error(`the order has ${String(at.size)} of ${String(apps.length)} applications`);
  for (const app of apps) {
    for (const p of app.producers) {
      if ((at.get(p) ?? Infinity) > (at.get(app.id) ?? -1))
        throw new Error(`${p} is ordered after its consumer ${app.id}`);
    }
  }
}

export function ordering(options: { reps: number; log: (line: string) => void }): BenchRow[] {
  const apps = randomEstate();
  const ours = (): string[] =>
    orderByDependencies(
      apps,
      (a) => a.id,
      (a) => a.producers,
      (a) => a.id,
    ).map((a) => a.id);
  // The toposort package (what the ordering used before): edges producer -> consumer.
  const theirs = (): string[] =>
    toposort.array(
      apps.map((a) => a.id),
      apps.flatMap((a) => a.producers.map((p): [string, string] => [p, a.id])),
    );
  checkOrder(ours(), apps);
  checkOrder(theirs(), apps);
  const time = (fn: () => unknown): number => {
    const start = process.hrtime.bigint();
    fn();
    return elapsedMs(start);
  };
  const measuredRuns: number[] = [];
  const baselineRuns: number[] = [];
  const reps = Math.max(7, options.reps * 2);
  for (let rep = 0; rep < reps; rep++) {
    measuredRuns.push(time(ours));
    baselineRuns.push(time(theirs));
  }
  const measured = median(measuredRuns);
  const baseline = median(baselineRuns);
  options.log(`ordering: ${measured.toFixed(1)} ms, toposort package ${baseline.toFixed(1)} ms`);
  return [
    {
      metric: `ordering ${APPLICATIONS.toLocaleString('en')} apps, ${DEPENDENCIES.toLocaleString('en')} dependencies`,
      unit: 'ms',
      measured,
      baselineLabel: 'toposort package',
      baseline,
      ratio: baseline / measured,
      target: '< 100 ms',
      pass: measured < 100,
      runs: measuredRuns,
      baselineRuns,
      note: 'in process, after a warm-up run, order checked producers-first',
    },
  ];
}
