import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BundleStaging, BundleWriteError, checkBundleName } from '../../shared/bundle/writer';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';

describe('bundle writer', () => {
  it('refuses bundle names that are not one portable folder name, saying why', () => {
    for (const [name, why] of [
      ['', /is empty/],
      ['..', /not a folder name/],
      ['a/b', /path separator/],
      ['a\\b', /path separator/],
      ['release:42', /Windows does not allow/],
      ['CON', /reserves for a device/],
      ['lpt1.txt', /reserves for a device/],
      ['release.', /ends with a dot/],
      ['.hidden', /starts with a dot/],
    ] as const) {
      assert.throws(
        () => checkBundleName(name),
        (e: unknown) => e instanceof BundleWriteError && why.test(e.message),
        name,
      );
    }
    assert.doesNotThrow(() => checkBundleName('20261128.1 release candidate'));
  });

  it('measures a name in UTF-8 bytes too, as ext4 does, so a long accented name fails before LifeTime is asked', () => {
    const share = makeTempDir();
    try {
      // 192 characters, 240 bytes: within NTFS's 255 units, but its staging folder exceeds ext4's 255 bytes.
      const accented = 'Produção'.repeat(24);
      assert.throws(
        () => checkBundleName(accented),
        /is 240 bytes long in UTF-8 \(192 characters\); at most 237 bytes fit/,
      );
      assert.throws(
        () => fs.mkdirSync(path.join(share, `.${accented}.partial-ffffffff`)),
        /ENAMETOOLONG/,
        'the file system refuses the staging folder the check refuses',
      );
      const fits = 'Produção'.repeat(23);
      assert.doesNotThrow(() => checkBundleName(fits));
      fs.mkdirSync(path.join(share, `.${fits}.partial-ffffffff`));
    } finally {
      removeTempDir(share);
    }
  });

  it('moves a finished folder into place and refuses a name taken meanwhile, leaving it untouched', async () => {
    const share = makeTempDir({ withSpaces: true });
    try {
      const first = await BundleStaging.create(share, 'R1');
      const second = await BundleStaging.create(share, 'R1');
      fs.writeFileSync(first.fileInStaging('airgap-manifest.json'), 'first');
      fs.writeFileSync(second.fileInStaging('airgap-manifest.json'), 'second');
      assert.equal(await first.commit(), path.join(share, 'R1'));
      await assert.rejects(second.commit(), /appeared on the share while this export was running/);
      assert.equal(fs.readFileSync(path.join(share, 'R1', 'airgap-manifest.json'), 'utf8'), 'first');
      assert.deepEqual(fs.readdirSync(share), ['R1'], 'the loser left no temporary folder');
      await assert.rejects(BundleStaging.create(share, 'R1'), /already exists/);
    } finally {
      removeTempDir(share);
    }
  });
});
