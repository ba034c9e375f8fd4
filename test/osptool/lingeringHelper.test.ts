/**
 * OSPTool exits 0 but leaves a helper behind that holds its output pipes: the run must end with
 * the exit code soon after the exit, not wait for the pipes until the timeout.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { processAlive } from '../../shared/util/processIdentity';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';
import { runScriptedTool, writeScriptedTool } from './scriptedTool';

describe('runOspTool when the tool exits but a helper keeps its output open', function () {
  if (process.platform === 'win32') return; // the tool is a script with a shebang
  this.timeout(30_000);
  let dir: string;
  let helperPid: number | undefined;

  before(() => {
    dir = makeTempDir({ prefix: 'airgap-lingering-' });
  });
  after(() => {
    if (helperPid !== undefined && processAlive(helperPid)) process.kill(helperPid, 'SIGKILL');
    removeTempDir(dir);
  });

  it('settles with exit code 0 shortly after the exit, keeping the output printed before it', async () => {
    const pidFile = path.join(dir, 'helper.pid');
    // A detached sleeper (its own session, so no process-group kill reaches it) inherits stdout and stderr.
    const tool = writeScriptedTool(
      dir,
      [
        "const { spawn } = require('node:child_process');",
        "const fs = require('node:fs');",
        "const helper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], {",
        "  detached: true, stdio: ['ignore', 'inherit', 'inherit'],",
        '});',
        `fs.writeFileSync(${JSON.stringify(pidFile)}, String(helper.pid));`,
        'helper.unref();',
        "console.log('Info: Solution published successfully');",
        'process.exit(0);',
        '',
      ].join('\n'),
    );
    const started = Date.now();
    const { result, lines } = await runScriptedTool(tool);
    const elapsed = Date.now() - started;
    helperPid = Number(fs.readFileSync(pidFile, 'utf8'));
    assert.ok(processAlive(helperPid), 'the helper was still holding the pipes');
    assert.equal(result.failed, false, result.failureReason);
    assert.equal(result.exitCode, 0);
    assert.equal(result.timedOut, false);
    assert.ok(elapsed < 8_000, `the run took ${elapsed} ms`);
    assert.deepEqual(lines, ['Info: Solution published successfully']);
    process.kill(helperPid, 'SIGKILL');
  });
});
