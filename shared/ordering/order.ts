// Producers-first deployment order.
//
// Not the toposort package: it recurses once per dependency level, so a 10,000-application chain
// listed consumers-first overflows the stack (RangeError), and its depth-first order does not keep
// the input order between independent applications (it can give 3,2,0 where 3,0,2 is possible).
// Kahn's algorithm with a min-heap keyed by input position is iterative and always takes the
// earliest-listed application that is ready, so the order is deterministic and stays as close to
// the input as the dependencies allow.

export class DependencyCycleError extends Error {
  override name = 'DependencyCycleError';

  /** Labels of the applications in the cycle, each once, each consuming the next (the last consumes the first). */
  readonly cycle: string[];

  constructor(cycle: string[]) {
    const closed = cycle.length > 0 ? [...cycle, cycle[0]] : [];
    super(
      `dependency cycle between applications: ${closed.map((l) => JSON.stringify(l)).join(' -> ')}; each one consumes the next, so none of them can be deployed first`,
    );
    this.cycle = cycle;
  }
}

/**
 * Orders items so that each comes after the producers it names. Producers that are not among the
 * items, and items naming themselves, are ignored. Throws DependencyCycleError on a cycle.
 */
export function orderByDependencies<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  producersOf: (item: T) => Iterable<string>,
  labelOf: (item: T) => string,
): T[] {
  const count = items.length;
  const at = (i: number): T => items[i] as T;
  const position = new Map<string, number>();
  items.forEach((item, i) => {
    const id = idOf(item);
    const first = position.get(id);
    if (first !== undefined) {
      throw new Error(`applications "${labelOf(at(first))}" and "${labelOf(item)}" have the same id "${id}"`);
    }
    position.set(id, i);
  });

  // Flat (CSR) adjacency in typed arrays: producers of i are producerList[producerStart[i] ..
  // producerStart[i + 1]), in the order i names them; consumers likewise, in input order. No Set
  // or array per application, so 10,000 applications with 50,000 dependencies take milliseconds.
  const producerStart = new Int32Array(count + 1);
  const producerList: number[] = [];
  const lastListedFor = new Int32Array(count).fill(-1);
  const waiting = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    producerStart[i] = producerList.length;
    for (const id of producersOf(at(i))) {
      const p = position.get(id);
      if (p !== undefined && p !== i && lastListedFor[p] !== i) {
        lastListedFor[p] = i;
        producerList.push(p);
      }
    }
    waiting[i] = producerList.length - (producerStart[i] as number);
  }
  producerStart[count] = producerList.length;

  const consumerStart = new Int32Array(count + 1);
  for (const p of producerList) consumerStart[p + 1] = (consumerStart[p + 1] as number) + 1;
  for (let i = 0; i < count; i++)
    consumerStart[i + 1] = (consumerStart[i + 1] as number) + (consumerStart[i] as number);
  const consumerList = new Int32Array(producerList.length);
  const fill = consumerStart.slice(0, count);
  for (let i = 0; i < count; i++) {
    for (let k = producerStart[i] as number; k < (producerStart[i + 1] as number); k++) {
      const p = producerList[k] as number;
      consumerList[fill[p] as number] = i;
      fill[p] = (fill[p] as number) + 1;
    }
  }

  const ready = new MinHeap();
  for (let i = 0; i < count; i++) {
    if (waiting[i] === 0) {
      ready.push(i);
    }
  }
  const order: T[] = [];
  for (let i = ready.pop(); i !== undefined; i = ready.pop()) {
    order.push(at(i));
    for (let k = consumerStart[i] as number; k < (consumerStart[i + 1] as number); k++) {
      const c = consumerList[k] as number;
      const left = (waiting[c] as number) - 1;
      waiting[c] = left;
      if (left === 0) {
        ready.push(c);
      }
    }
  }
  if (order.length < count) {
    const producersOfPosition = (i: number): number[] => producerList.slice(producerStart[i], producerStart[i + 1]);
    throw new DependencyCycleError(findCycle(producersOfPosition, waiting).map((i) => labelOf(at(i))));
  }
  return order;
}

/**
 * After Kahn's algorithm stops, every item still waiting has a producer that is still waiting too,
 * so following those producers from any of them must come back to one already seen: a real cycle.
 */
function findCycle(producers: (i: number) => readonly number[], waiting: Int32Array): number[] {
  const start = waiting.findIndex((w) => w > 0);
  const seenAt = new Map<number, number>();
  const path: number[] = [];
  let node = start;
  while (!seenAt.has(node)) {
    seenAt.set(node, path.length);
    path.push(node);
    const next = producers(node).find((p) => (waiting[p] ?? 0) > 0);
    if (next === undefined) {
      throw new Error('internal error: a waiting application has no waiting producer');
    }
    node = next;
  }
  const cycle = path.slice(seenAt.get(node));
  // Start the report at the earliest-listed member, so the same input gives the same message.
  const first = cycle.indexOf(Math.min(...cycle));
  return [...cycle.slice(first), ...cycle.slice(0, first)];
}

/** Binary min-heap of input positions. */
class MinHeap {
  private readonly heap: number[] = [];

  push(value: number): void {
    const h = this.heap;
    h.push(value);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((h[parent] as number) <= value) {
        break;
      }
      h[i] = h[parent] as number;
      i = parent;
    }
    h[i] = value;
  }

  pop(): number | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) {
      return top;
    }
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= h.length) {
        break;
      }
      const right = left + 1;
      const child = right < h.length && (h[right] as number) < (h[left] as number) ? right : left;
      if ((h[child] as number) >= last) {
        break;
      }
      h[i] = h[child] as number;
      i = child;
    }
    h[i] = last;
    return top;
  }
}
