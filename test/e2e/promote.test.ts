import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { failureOf } from '../support/taskResults';
import { CORE, PORTAL, promoteWorld, type PromoteWorld } from '../support/promoteWorld';

describe('OutSystemsAirGapPromote (bundled task): what is promoted, checked before any plan', function () {
  this.timeout(120_000);
  let w: PromoteWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('succeeds without a plan when Production already runs every version of the bundle', async () => {
    w = await promoteWorld([
      { ...PORTAL, production: { version: PORTAL.version } },
      { ...CORE, production: { version: CORE.version } },
    ]);
    const run = await w.run();
    assert.equal(run.result?.status, 'Succeeded', run.result?.message);
    assert.equal(run.outputVariables.promotedCount, '0');
    assert.equal(run.outputVariables.deploymentKey, '');
    assert.deepEqual(w.changes(), [], 'nothing was changed in LifeTime');
    assert.equal(
      w.production.requests.filter((r) => r.path.includes('/deployments')).length,
      0,
      'not even a plan looked for',
    );
    const summary = run.summaries[0]?.content ?? '';
    assert.match(summary, /\| Customer Portal \| 2\.3\.0 \| 2\.3\.0 \| already there \|/);
    assert.match(summary, /No deployment plan/);
  });

  const refusals: { why: string; pre: { version: string | null; modified?: boolean }; message: RegExp }[] = [
    { why: 'never tagged in PRE', pre: { version: null }, message: /never tagged there; run the tag sync/ },
    {
      why: 'modified in PRE since its tag',
      pre: { version: CORE.version, modified: true },
      message: /Pre-Production runs changes made after its tag 1\.1\.0/,
    },
    {
      why: 'tagged with another number in PRE',
      pre: { version: '1.0.0' },
      message: /Pre-Production runs the tag 1\.0\.0, not the bundle's 1\.1\.0/,
    },
  ];
  for (const r of refusals) {
    it(`fails naming an application ${r.why}, before any plan exists`, async () => {
      w = await promoteWorld([PORTAL, { ...CORE, pre: r.pre }]);
      const run = await w.run();
      const message = failureOf(run);
      assert.match(message, /"Customer Core" 1\.1\.0/);
      assert.match(message, r.message);
      assert.match(message, /no deployment plan was created/);
      assert.doesNotMatch(message, /"Customer Portal"/, 'only the application at fault is named');
      assert.deepEqual(w.changes(), []);
    });
  }

  it('fails naming an application PRE does not run, and one LifeTime does not know', async () => {
    w = await promoteWorld([{ ...PORTAL, pre: 'absent' }, CORE]);
    const unknown = { ...CORE, name: 'Reporting', key: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' };
    const run = await w.run();
    assert.match(failureOf(run), /"Customer Portal" 2\.3\.0: does not run in Pre-Production/);
    await w.close();
    w = await promoteWorld([CORE]);
    // The same bundle shape, with an application the production LifeTime has never seen.
    const other = await promoteWorld([unknown]);
    try {
      const message = failureOf(await w.run({ bundlePath: other.bundle }));
      assert.match(
        message,
        /"Reporting" 1\.1\.0: no application with key 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d, UID \S+ or name "Reporting"/,
      );
    } finally {
      await other.close();
    }
    assert.deepEqual(w.changes(), []);
  });

  it('matches an application by name when production knows it under another key', async () => {
    const lifeTimeKey = '0f0e0d0c-0b0a-4909-8807-060504030201';
    w = await promoteWorld([{ ...CORE, lifeTimeKey, production: { version: CORE.version } }]);
    const run = await w.run();
    assert.equal(run.result?.status, 'Succeeded', run.result?.message);
    assert.match(run.stdout, new RegExp(`matched by name \\(LifeTime key ${lifeTimeKey}\\)`));
  });

  it('refuses a bundle whose package was changed after the export, before asking LifeTime anything', async () => {
    w = await promoteWorld();
    const oap = fs.readdirSync(w.bundle).find((f) => f.endsWith('.oap')) ?? '';
    const file = path.join(w.bundle, oap);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff;
    fs.writeFileSync(file, bytes);
    const message = failureOf(await w.run());
    assert.ok(message.includes(oap), message);
    assert.match(message, /sha256/);
    assert.equal(w.production.requests.length, 0, 'no LifeTime request at all');
  });
});
