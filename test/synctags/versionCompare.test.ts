import * as assert from 'node:assert/strict';
import { compareVersions } from '../../shared/synctags/versionCompare';

describe('compareVersions', () => {
  it('orders dotted numbers numerically, with missing parts as zero', () => {
    assert.equal(compareVersions('1.10.0', '1.9.9'), 1);
    assert.equal(compareVersions('1.0', '1.0.0'), 0);
    assert.equal(compareVersions('2', '1.99'), 1);
    assert.equal(compareVersions('0.9', '1.0'), -1);
  });

  it('never throws on tags that are not numbers', () => {
    assert.equal(compareVersions('1.2.3-rc1', '1.2.3-rc2'), -1);
    assert.equal(compareVersions('Release B', 'release a'), 1);
    assert.equal(compareVersions('v1.2', '1.2'), 0);
    assert.equal(compareVersions('', '1.0'), -1);
  });
});
