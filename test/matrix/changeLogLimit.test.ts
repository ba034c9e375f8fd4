/**
 * A change log in the bundle far larger than any real one (a mistake, or a manifest edited to make
 * LifeTime choke) is refused before the tag POST, naming the application, rather than sent whole
 * over the network to be answered with a 400.
 */
import * as assert from 'node:assert/strict';
import { MAX_CHANGE_LOG_BYTES } from '../../shared/synctags/run';
import { tagWorld, type TagWorld } from './matrixSupport';

describe('tag sync: an oversized change log is refused before the POST', function () {
  this.timeout(120_000);
  let world: TagWorld;
  before(async () => {
    world = await tagWorld([
      { name: 'Customer Core', version: '1.1.0', changeLog: 'Adds consent records.' },
      { name: 'Customer Portal', version: '2.3.0', changeLog: 'é'.repeat(MAX_CHANGE_LOG_BYTES / 2 + 1) },
    ]);
  });
  after(async () => {
    await world.close();
  });

  it('fails naming the application and its size; only the other application is tagged', async () => {
    const run = await world.sync();
    assert.equal(run.result?.status, 'Failed', run.stdout);
    assert.match(
      run.result.message,
      new RegExp(`change log of "Customer Portal" 2\\.3\\.0 in the bundle is ${MAX_CHANGE_LOG_BYTES + 2} bytes`),
    );
    assert.equal(world.tagPosts().length, 1, 'only Customer Core was POSTed');
    assert.deepEqual(world.tagCounts(), { 'Customer Core': 1, 'Customer Portal': 0 });
  });
});
