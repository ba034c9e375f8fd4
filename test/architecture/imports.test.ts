/**
 * The boundaries docs/ARCHITECTURE.md promises, checked on the sources so they keep holding: no
 * import cycle between the folders of shared/, nothing in shared/ from the development tools, the
 * tests or the scripts, no test <-> scripts imports, and one import path per symbol (no re-exports).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../tools/paths';

interface SourceImport {
  /** Repository-relative, forward slashes, e.g. `shared/export/run.ts`. */
  from: string;
  /** Repository-relative target without extension, e.g. `shared/bundle/manifest`. */
  to: string;
}

function sourcesUnder(folder: string): string[] {
  const root = path.join(repoRoot, folder);
  return fs.readdirSync(root, { withFileTypes: true, recursive: true }).flatMap((entry) => {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) return [];
    return [path.relative(repoRoot, path.join(entry.parentPath, entry.name)).split(path.sep).join('/')];
  });
}

// `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')`, relative ones only.
const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(?\s*)'(\.{1,2}\/[^']+)'/g;

function importsOf(file: string): SourceImport[] {
  const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
  return [...text.matchAll(SPECIFIER)].map((m) => ({
    from: file,
    to: path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1] ?? '')).replace(/\.(ts|js|json)$/, ''),
  }));
}

function under(target: string, folder: string): boolean {
  return target === folder || target.startsWith(`${folder}/`);
}

/** `shared/export/run.ts` -> `shared/export`; a file at the root of shared/ is its own folder. */
function folderOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? `${parts[0] ?? ''}/${parts[1] ?? ''}` : file;
}

/** Every cycle in a folder graph, each as the list of folders it passes. */
function cyclesIn(edges: Map<string, Set<string>>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of edges.keys()) if (state.get(node) === undefined) visit(node);
  return cycles;
}

describe('source boundaries', () => {
  const shared = sourcesUnder('shared').flatMap(importsOf);

  it('reads the imports it checks (the checks would pass vacuously otherwise)', () => {
    assert.ok(shared.length > 100, `only ${shared.length} imports found in shared/`);
    assert.ok(shared.some((i) => i.from === 'shared/export/run.ts' && i.to === 'shared/bundle/manifest'));
  });

  it('has no import cycle between the folders of shared/', () => {
    const edges = new Map<string, Set<string>>();
    for (const i of shared) {
      const from = folderOf(i.from);
      const to = folderOf(i.to);
      if (!under(i.to, 'shared') || from === to) continue;
      edges.set(from, (edges.get(from) ?? new Set()).add(to));
    }
    assert.ok(edges.size > 5, 'the folder graph is built');
    assert.deepEqual(
      cyclesIn(edges).map((c) => c.join(' -> ')),
      [],
    );
  });

  it('keeps shared/ free of the development tools, the tests and the scripts', () => {
    const outside = shared.filter((i) => ['tools', 'test', 'scripts'].some((f) => under(i.to, f)));
    assert.deepEqual(
      outside.map((i) => `${i.from} -> ${i.to}`),
      [],
    );
  });

  it('has no file at the root of shared/: each belongs to a folder with its job', () => {
    assert.deepEqual(
      sourcesUnder('shared').filter((f) => f.split('/').length === 2),
      [],
    );
  });

  it('gives every symbol of shared/ one import path (no re-exports)', () => {
    const reexports = sourcesUnder('shared').filter((f) =>
      /^export\s+(\*|\{[^}]*\}|type\s*\{[^}]*\})\s*from\s/m.test(fs.readFileSync(path.join(repoRoot, f), 'utf8')),
    );
    assert.deepEqual(reexports, []);
  });

  it('keeps task-lib to the task glue, the task shells and the parameter readers', () => {
    const users = sourcesUnder('shared').filter((f) =>
      fs.readFileSync(path.join(repoRoot, f), 'utf8').includes("from 'azure-pipelines-task-lib"),
    );
    assert.ok(users.includes('shared/task/run.ts'), 'the check finds task-lib imports');
    assert.deepEqual(
      users.filter((f) => !f.startsWith('shared/task/') && !/\/(task|parameters)\.ts$/.test(f)),
      [],
    );
  });

  it('keeps test/ and scripts/ apart: both build on tools/ and shared/', () => {
    const crossing = [
      ...sourcesUnder('test')
        .flatMap(importsOf)
        .filter((i) => under(i.to, 'scripts')),
      ...sourcesUnder('scripts')
        .flatMap(importsOf)
        .filter((i) => under(i.to, 'test')),
      ...sourcesUnder('tools')
        .flatMap(importsOf)
        .filter((i) => under(i.to, 'test') || under(i.to, 'scripts')),
    ];
    assert.deepEqual(
      crossing.map((i) => `${i.from} -> ${i.to}`),
      [],
    );
  });
});
