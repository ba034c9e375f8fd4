import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  FileTooLargeError,
  NotRegularFileError,
  openRegularFileDescriptor,
  readRegularFile,
  readRegularFileSync,
} from '../../shared/util/regularFile';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';

describe('reading share files that someone else can replace (shared/util/regularFile.ts)', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir({ prefix: 'airgap-regular-' });
  });
  afterEach(() => removeTempDir(dir));

  it('reads a regular file, within its limit, async and sync', async () => {
    const file = path.join(dir, 'a.json');
    fs.writeFileSync(file, '{"a":1}');
    assert.equal((await readRegularFile(file, 100)).toString(), '{"a":1}');
    assert.equal(readRegularFileSync(file, 100).toString(), '{"a":1}');
    await assert.rejects(readRegularFile(file, 3), FileTooLargeError);
    assert.throws(() => readRegularFileSync(file, 3), FileTooLargeError);
  });

  it('refuses a folder and a symbolic link by what they are, and passes ENOENT through', async () => {
    fs.mkdirSync(path.join(dir, 'folder'));
    fs.writeFileSync(path.join(dir, 'target'), 'x');
    fs.symlinkSync(path.join(dir, 'target'), path.join(dir, 'link'));
    await assert.rejects(readRegularFile(path.join(dir, 'folder'), 10), /is a folder, not a regular file/);
    await assert.rejects(readRegularFile(path.join(dir, 'link'), 10), /is a symbolic link, not a regular file/);
    await assert.rejects(readRegularFile(path.join(dir, 'missing'), 10), { code: 'ENOENT' });
  });

  it('refuses a named pipe at once instead of waiting for a writer', async function () {
    if (process.platform === 'win32') this.skip();
    const fifo = path.join(dir, 'lock');
    execFileSync('mkfifo', [fifo]);
    await assert.rejects(readRegularFile(fifo, 10), (error: unknown) => {
      assert.ok(error instanceof NotRegularFileError);
      assert.equal(error.kind, 'a named pipe (FIFO)');
      return true;
    });
    assert.throws(() => readRegularFileSync(fifo, 10), /named pipe/);
    await assert.rejects(openRegularFileDescriptor(fifo), /named pipe/);
  });
});
