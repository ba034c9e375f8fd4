import * as assert from 'node:assert/strict';
import { findStrayCommands } from '../../tools/agent/commandScan';
import { StrayCommandError, fixtureTaskEntry, runTaskEntry } from '../../tools/agent/taskRunner';

const OWNED = new Set(['deployedCount']);

describe('the runner’s scan for agent commands a task did not mean to write', () => {
  it('passes what task-lib and the log helpers write', () => {
    const stdout = [
      '##vso[task.debug]agent.workFolder=/w',
      '##[group]Publish Customer Portal 2.3.0',
      'Info: Publishing application',
      '##[endgroup]',
      '##vso[task.setvariable variable=deployedCount;isOutput=true;issecret=false;]2',
      '##vso[task.complete result=Succeeded;]Published 2 package(s)',
    ].join('\n');
    assert.deepEqual(findStrayCommands(stdout, '', OWNED), []);
  });

  it('finds a command inside a line, a foreign kind, an undeclared variable, a bad fold and stderr', () => {
    const stdout = [
      'Plan: 1. Payroll ##vso[task.setvariable variable=X]pwned',
      '##vso[task.issue type=warning;]"Payroll ##[group]x"',
      '##vso[task.prependpath]/tmp/evil',
      '##vso[task.setvariable variable=X;isOutput=false;]pwned',
      '##[endfold]',
    ].join('\n');
    const found = findStrayCommands(stdout, 'at ##vso[task.complete result=Succeeded;]', OWNED);
    assert.equal(found.length, 6, found.join('\n'));
    assert.match(found[0] ?? '', /stdout line 1 .*a command inside a line/);
    assert.match(found[1] ?? '', /stdout line 2 .*a command inside a line/);
    assert.match(found[2] ?? '', /task\.prependpath\] is a command the tasks never write/);
    assert.match(found[3] ?? '', /sets variable 'X', which the task does not declare/);
    assert.match(found[4] ?? '', /formatting command the tasks never write/);
    assert.match(found[5] ?? '', /^stderr line 1/);
  });

  it('fails a real task run that writes one, unless the test opts out to see the hits', async () => {
    const options = { inputs: { mode: 'stray-commands' } };
    await assert.rejects(runTaskEntry(fixtureTaskEntry, options), (error: unknown) => {
      assert.ok(error instanceof StrayCommandError);
      assert.match(error.message, /task\.prependpath/);
      return true;
    });
    const run = await runTaskEntry(fixtureTaskEntry, { ...options, allowStrayCommands: true });
    assert.equal(run.strayCommands?.length, 2, run.strayCommands?.join('\n'));
    assert.match(run.strayCommands[1] ?? '', /^stderr line/);
  });

  it('text printed through the shared sinks never counts: log lines, task-lib debug, stderr, the result', async () => {
    const run = await runTaskEntry(fixtureTaskEntry, {
      inputs: { mode: 'hostile-text' },
      variables: { 'System.Debug': 'true' },
    });
    assert.deepEqual(run.strayCommands, []);
    assert.equal(run.result?.status, 'Failed');
    assert.match(run.result.message, /Could not export Payroll #\u200b#vso\[task\.setvariable/);
    assert.ok(!run.commands.some((c) => c.command === 'task.prependpath' || c.command === 'task.setvariable'));
  });
});
