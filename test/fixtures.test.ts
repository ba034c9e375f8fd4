import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../tools/paths';

describe('test fixtures', () => {
  it('carries the vendor Swagger file with the endpoints the client uses', () => {
    const swagger = JSON.parse(
      fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'lifetime-api-v2.swagger.json'), 'utf8'),
    ) as { basePath: string; paths: Record<string, unknown> };
    assert.equal(swagger.basePath, '/lifetimeapi/rest/v2');
    for (const p of [
      '/environments/',
      '/applications/',
      '/applications/{ApplicationKey}/',
      '/applications/{ApplicationKey}/versions/',
      '/applications/{ApplicationKey}/versions/{VersionKey}/',
      '/applications/{ApplicationKey}/versions/{VersionKey}/content/',
      '/environments/{EnvironmentKey}/applications/{ApplicationKey}/',
      '/environments/{EnvironmentKey}/applications/{ApplicationKey}/versions/',
    ]) {
      assert.ok(p in swagger.paths, `${p} is in the Swagger file`);
    }
  });

  it('carries the two real .oap packages with their notice', () => {
    const dir = path.join(repoRoot, 'test', 'fixtures', 'oap');
    assert.ok(fs.existsSync(path.join(dir, 'NOTICE.md')));
    for (const f of ['trigger-pipeline-o11.oap', 'cicd-probe-o11.oap']) {
      const head = fs.readFileSync(path.join(dir, f)).subarray(0, 4);
      assert.deepEqual([...head], [0x50, 0x4b, 0x03, 0x04], `${f} starts as a zip`);
    }
  });
});
