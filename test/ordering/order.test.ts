import { strict as assert } from 'node:assert';
import toposort from 'toposort';
import { DependencyCycleError, orderByDependencies } from '../../shared/ordering/order';

interface App {
  id: string;
  needs: string[];
}

const app = (id: string, ...needs: string[]): App => ({ id, needs });

function order(apps: readonly App[]): string[] {
  return orderByDependencies(
    apps,
    (a) => a.id,
    (a) => a.needs,
    (a) => `App ${a.id}`,
  ).map((a) => a.id);
}

/** Every producer inside the set comes before each of its consumers. */
function assertProducersFirst(apps: readonly App[], ordered: readonly string[]): void {
  const at = new Map(ordered.map((id, i) => [id, i]));
  assert.equal(ordered.length, apps.length);
  for (const a of apps) {
    for (const p of a.needs) {
      const pi = at.get(p);
      if (pi !== undefined && p !== a.id) {
        assert.ok(pi < (at.get(a.id) ?? -1), `${p} before ${a.id}`);
      }
    }
  }
}

function cycleOf(apps: readonly App[]): DependencyCycleError {
  try {
    order(apps);
  } catch (error) {
    assert.ok(error instanceof DependencyCycleError);
    return error;
  }
  return assert.fail('expected a dependency cycle');
}

/** A fixed pseudo-random sequence, so the large tests are the same on every run. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

describe('orderByDependencies', () => {
  it('orders a chain producers first', () => {
    assert.deepEqual(order([app('C', 'B'), app('B', 'A'), app('A')]), ['A', 'B', 'C']);
  });

  it('orders a diamond, ties in input order', () => {
    const apps = [app('Top', 'Left', 'Right'), app('Right', 'Base'), app('Left', 'Base'), app('Base')];
    assert.deepEqual(order(apps), ['Base', 'Right', 'Left', 'Top']);
  });

  it('keeps independent applications in input order', () => {
    assert.deepEqual(order([app('z'), app('a'), app('m'), app('b')]), ['z', 'a', 'm', 'b']);
  });

  it('moves a consumer listed before its producer right after it, the rest keeping their order', () => {
    assert.deepEqual(order([app('a', 'c'), app('b'), app('c'), app('d')]), ['b', 'c', 'a', 'd']);
  });

  it('takes the earliest-listed ready application where toposort would not', () => {
    // toposort.array gives 3,2,0,4,5,1 here: after 3, both 0 and 2 are ready and 0 is listed first.
    const apps = [app('0', '3'), app('1', '5'), app('2', '3'), app('3'), app('4'), app('5', '3')];
    assert.deepEqual(order(apps), ['3', '0', '2', '4', '5', '1']);
    const edges: [string, string][] = [
      ['3', '2'],
      ['3', '5'],
      ['3', '0'],
      ['5', '1'],
    ];
    assert.notDeepEqual(
      toposort.array(
        apps.map((a) => a.id),
        edges,
      ),
      ['3', '0', '2', '4', '5', '1'],
    );
  });

  it('ignores producers outside the set, self-references and repeated producers', () => {
    const apps = [app('b', 'a', 'System Components', 'b', 'a'), app('a', 'Service Center')];
    assert.deepEqual(order(apps), ['a', 'b']);
  });

  it('gives the same order for the same input', () => {
    const apps = [app('p'), app('q', 'p'), app('r'), app('s', 'r', 'p'), app('t', 'q')];
    const first = order(apps);
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(order(apps), first);
    }
    assert.deepEqual(first, ['p', 'q', 'r', 's', 't']);
  });

  it('returns the items themselves and handles an empty list', () => {
    const apps = [app('b', 'a'), app('a')];
    const ordered = orderByDependencies(
      apps,
      (a) => a.id,
      (a) => a.needs,
      (a) => a.id,
    );
    assert.equal(ordered[0], apps[1]);
    assert.equal(ordered[1], apps[0]);
    assert.deepEqual(order([]), []);
  });

  it('refuses two items with the same id, naming both', () => {
    assert.throws(() => order([app('a'), app('a')]), /"App a" and "App a" have the same id "a"/);
  });

  describe('cycles', () => {
    it('names both applications of a 2-cycle', () => {
      const error = cycleOf([app('A', 'B'), app('B', 'A'), app('C')]);
      assert.deepEqual(error.cycle, ['App A', 'App B']);
      assert.match(error.message, /^dependency cycle between applications: "App A" -> "App B" -> "App A"/);
    });

    it('names the three applications of a 3-cycle, not their consumers', () => {
      const error = cycleOf([app('Outside', 'X'), app('X', 'Y'), app('Y', 'Z'), app('Z', 'X'), app('Free')]);
      assert.deepEqual(error.cycle, ['App X', 'App Y', 'App Z']);
      assert.match(error.message, /"App X" -> "App Y" -> "App Z" -> "App X"/);
    });

    it('reports the same cycle for the same input', () => {
      const apps = [app('c', 'a'), app('b', 'c'), app('a', 'b')];
      assert.deepEqual(cycleOf(apps).cycle, cycleOf(apps).cycle);
      assert.deepEqual(cycleOf(apps).cycle, ['App c', 'App a', 'App b']);
    });
  });

  describe('at scale', () => {
    it('orders a 10,000-application chain listed consumers first, where toposort overflows the stack', () => {
      const n = 10_000;
      const apps = Array.from({ length: n }, (_, i) => (i === n - 1 ? app(String(i)) : app(String(i), String(i + 1))));
      const ordered = order(apps);
      assert.equal(ordered[0], String(n - 1));
      assert.equal(ordered[n - 1], '0');
      assertProducersFirst(apps, ordered);
      const edges = apps.flatMap((a) => a.needs.map((p): [string, string] => [p, a.id]));
      assert.throws(
        () =>
          toposort.array(
            apps.map((a) => a.id),
            edges,
          ),
        RangeError,
      );
    });

    it('orders a random 10,000-application, 50,000-edge DAG', () => {
      const n = 10_000;
      const random = lcg(42);
      // Edges only from a higher hidden rank to a lower one, so there is no cycle; then shuffled input.
      const needs: string[][] = Array.from({ length: n }, () => []);
      for (let edges = 0; edges < 50_000;) {
        const a = Math.floor(random() * n);
        const b = Math.floor(random() * n);
        if (a > b) {
          (needs[a] as string[]).push(String(b));
          edges++;
        }
      }
      const apps = needs.map((list, i) => app(String(i), ...list));
      for (let i = apps.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [apps[i], apps[j]] = [apps[j] as App, apps[i] as App];
      }
      const ordered = order(apps);
      assertProducersFirst(apps, ordered);
      assert.deepEqual(order(apps), ordered);
    });
  });
});
