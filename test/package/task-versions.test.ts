import * as assert from 'node:assert/strict';
import {
  bundleInputs,
  canonicalJson,
  checkTaskVersions,
  currentExtensionVersion,
  compareVersions,
  currentStates,
  readRecord,
  releasedRecord,
  taskVersion,
  updatedRecord,
  type TaskState,
  type TaskVersionRecord,
} from '../../tools/packaging/taskVersions';

const state = (folder: string, version: string, sha256: string): TaskState => ({ folder, version, sha256 });

describe('task version guard', function () {
  this.timeout(60_000);

  it('finds every task recorded in tasks/task-versions.json, and none changed since its release without a version bump', async () => {
    const problems = checkTaskVersions(readRecord(), await currentStates(), currentExtensionVersion());
    assert.deepEqual(
      problems.map((p) => p.message),
      [],
    );
  });

  it('fingerprints a task from its task.json and every file of its bundle, including the shared code it imports', async () => {
    const inputs = await bundleInputs('AirGapExport');
    assert.ok(inputs.includes('tasks/AirGapExport/index.ts'), inputs.slice(0, 5).join(', '));
    assert.ok(
      inputs.some((i) => i.startsWith('shared/')),
      'shared/ modules are inputs',
    );
    assert.ok(!inputs.some((i) => i.startsWith('tasks/AirGapDeploy/')), "another task's files are not inputs");
  });

  it('asks for a bump, naming the task, when a released task changed at the same version', () => {
    const record: TaskVersionRecord = {
      AirGapDeploy: { version: '1.0.0', sha256: 'old', released: true },
      AirGapExport: { version: '1.0.0', sha256: 'same', released: true },
    };
    const problems = checkTaskVersions(record, [
      state('AirGapDeploy', '1.0.0', 'new'),
      state('AirGapExport', '1.0.0', 'same'),
    ]);
    assert.equal(problems.length, 1);
    const [problem] = problems;
    assert.ok(problem);
    assert.equal(problem.kind, 'changedWithoutBump');
    assert.equal(problem.folder, 'AirGapDeploy');
    assert.match(problem.message, /bump "version" in tasks\/AirGapDeploy\/task\.json/);
    assert.match(problem.message, /task-versions\.js --update/);
  });

  it('asks for a bump when the extension version moved past the one a changed task was recorded with', () => {
    const record: TaskVersionRecord = {
      AirGapExport: { version: '1.0.0', sha256: 'old', released: false, extensionVersion: '1.0.0' },
    };
    const changed = [state('AirGapExport', '1.0.0', 'new')];
    assert.deepEqual(checkTaskVersions(record, changed, '1.0.0'), [], 'same extension version: not shipped yet');
    const problems = checkTaskVersions(record, changed, '1.1.0');
    assert.deepEqual(
      problems.map((p) => p.kind),
      ['changedWithoutBump'],
    );
    assert.match(problems[0]?.message ?? '', /extension moved from 1\.0\.0 to 1\.1\.0/);
    assert.deepEqual(checkTaskVersions(record, [state('AirGapExport', '1.0.1', 'new')], '1.1.0'), [], 'bumped');
  });

  it('accepts the change once the version is bumped, and changes to a version not yet released', () => {
    const record: TaskVersionRecord = {
      A: { version: '1.0.0', sha256: 'old', released: true },
      B: { version: '1.1.0', sha256: 'old', released: false },
    };
    assert.deepEqual(checkTaskVersions(record, [state('A', '1.0.1', 'new'), state('B', '1.1.0', 'new')]), []);
  });

  it('refuses a version that went down, a task missing from the record and a recorded task that is gone', () => {
    const record: TaskVersionRecord = {
      A: { version: '1.2.0', sha256: 'x', released: true },
      Gone: { version: '1.0.0', sha256: 'y', released: true },
    };
    const kinds = checkTaskVersions(record, [state('A', '1.1.9', 'x'), state('New', '1.0.0', 'z')]).map((p) => p.kind);
    assert.deepEqual(kinds.sort(), ['lowered', 'removed', 'unrecorded']);
  });

  it('--update records bumped tasks as unreleased and refuses an unbumped change to a released task unless forced', () => {
    const record: TaskVersionRecord = {
      A: { version: '1.0.0', sha256: 'a', released: true },
      B: { version: '1.0.0', sha256: 'b', released: true },
    };
    assert.deepEqual(updatedRecord(record, [state('A', '1.0.1', 'a2'), state('B', '1.0.0', 'b')]), {
      A: { version: '1.0.1', sha256: 'a2', released: false },
      B: { version: '1.0.0', sha256: 'b', released: true },
    });
    assert.throws(
      () => updatedRecord(record, [state('A', '1.0.0', 'a2'), state('B', '1.0.0', 'b')]),
      /tasks\/A changed/,
    );
    assert.equal(updatedRecord(record, [state('A', '1.0.0', 'a2'), state('B', '1.0.0', 'b')], true).A?.sha256, 'a2');
  });

  it('--release marks a current record released, and refuses a stale one', () => {
    const record: TaskVersionRecord = { A: { version: '1.0.1', sha256: 'a', released: false } };
    assert.deepEqual(releasedRecord(record, [state('A', '1.0.1', 'a')]), {
      A: { version: '1.0.1', sha256: 'a', released: true },
    });
    assert.throws(() => releasedRecord(record, [state('A', '1.0.1', 'changed')]), /not current for A/);
  });

  it('reads task.json versions, compares them numerically and fingerprints JSON independent of key order', () => {
    assert.equal(taskVersion({ version: { Major: 1, Minor: 10, Patch: 2 } }, 'T'), '1.10.2');
    assert.throws(() => taskVersion({ version: { Major: '1', Minor: 0, Patch: 0 } }, 'T'), /tasks\/T\/task\.json/);
    assert.equal(compareVersions('1.10.0', '1.9.9'), 1);
    assert.equal(compareVersions('1.0.0', '1.0.0'), 0);
    assert.equal(compareVersions('0.9.0', '1.0.0'), -1);
    assert.equal(canonicalJson({ b: [1, { d: 2, c: 3 }], a: 'x' }), canonicalJson({ a: 'x', b: [1, { c: 3, d: 2 }] }));
    assert.notEqual(canonicalJson({ a: 1 }), canonicalJson({ a: 2 }));
  });
});
