import * as assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeployLock, DeployLockedError } from '../../shared/deploy/lock';
import type { JournalLocation } from '../../shared/deploy/journal';
import { processStartIdentity } from '../../shared/util/processIdentity';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';

/** The pid of a process that has ended (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  assert.ok(child.pid !== undefined);
  return child.pid;
}

describe('deploy lock (shared/deploy/lock.ts): what it names, and when it is taken over', () => {
  let dir: string;
  let location: JournalLocation;
  let sleeper: ChildProcess;
  const lockFile = (): string => path.join(dir, `${location.stem}.lock`);
  const writeLock = (content: object): void => fs.writeFileSync(lockFile(), JSON.stringify(content));

  beforeEach(() => {
    dir = makeTempDir({ prefix: 'airgap-lock-' });
    location = { dir, stem: 'R42.deploy-preprod.example.com', fallback: false };
    sleeper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)']);
  });
  afterEach(() => {
    sleeper.kill('SIGKILL');
    removeTempDir(dir);
  });

  it('records the running tools in the lock, and a dead holder with a live tool is not taken over', async () => {
    const lock = await DeployLock.acquire(location);
    const pid = sleeper.pid ?? 0;
    lock.recordTools([{ pid }]);
    assert.deepEqual((JSON.parse(fs.readFileSync(lockFile(), 'utf8')) as { tools: unknown }).tools, [{ pid }]);
    assert.equal(await lock.release(), undefined);

    writeLock({ id: 'x', pid: await deadPid(), machine: os.hostname(), startedAt: 'then', tools: [{ pid }] });
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(lockFile(), old, old);
    await assert.rejects(DeployLock.acquire(location), (error: unknown) => {
      assert.ok(error instanceof DeployLockedError);
      assert.match(error.message, new RegExp(`the OSPTool it started \\(process ${pid}\\) is still publishing`));
      return true;
    });
  });

  it('takes over once the tool is gone, or when the pid now belongs to another process', async function () {
    const notes: string[] = [];
    writeLock({
      id: 'x',
      pid: await deadPid(),
      machine: os.hostname(),
      startedAt: 'then',
      tools: [{ pid: await deadPid() }],
    });
    const lock = await DeployLock.acquire(location, { onTakeOver: (n) => notes.push(n) });
    assert.match(notes[0] ?? '', /its process \d+ on this machine is gone/);
    await lock.release();

    if (processStartIdentity(process.pid) === undefined) this.skip(); // start identities: Linux
    writeLock({
      id: 'y',
      pid: await deadPid(),
      machine: os.hostname(),
      startedAt: 'then',
      tools: [{ pid: sleeper.pid, start: 'another start' }],
    });
    const reused = await DeployLock.acquire(location, { onTakeOver: (n) => notes.push(n) });
    assert.equal(notes.length, 2, 'a reused pid is not the tool');
    await reused.release();
  });

  it('refuses a folder or a named pipe at the lock path, naming it, and leaves no .stale-* behind', async () => {
    fs.mkdirSync(lockFile());
    await assert.rejects(DeployLock.acquire(location), /\.lock is a folder, not a lock file/);
    fs.rmdirSync(lockFile());
    if (process.platform === 'win32') return;
    execFileSync('mkfifo', [lockFile()]);
    await assert.rejects(DeployLock.acquire(location), /\.lock is a named pipe \(FIFO\), not a lock file/);
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.includes('.stale-')),
      [],
    );
  });

  it('says so on release when its lock was replaced by a named pipe, and leaves it', async function () {
    if (process.platform === 'win32') this.skip();
    const lock = await DeployLock.acquire(location);
    fs.rmSync(lockFile());
    execFileSync('mkfifo', [lockFile()]);
    assert.match((await lock.release()) ?? '', /was replaced by a named pipe \(FIFO\) during the deployment/);
    assert.ok(fs.lstatSync(lockFile()).isFIFO());
  });
});
