import * as assert from 'node:assert/strict';
import { scrubOutput } from '../../shared/task/output';
import { registerSecret } from '../../shared/task/secretRegistry';

describe('the output scrubber (shared/task/output.ts)', () => {
  const secret = 'scrubber-test-secret-7f3a91';

  before(() => {
    // Writes the registration line to this process's stdout, as the task does.
    registerSecret(secret);
  });

  it('lets the task.setsecret registration through whole, so the agent can mask the value', () => {
    assert.equal(scrubOutput(`##vso[task.setsecret]${secret}`), `##vso[task.setsecret]${secret}`);
  });

  it('scrubs a line that only quotes ##vso[task.setsecret] after its start', () => {
    assert.equal(
      scrubOutput(`##vso[task.debug]LifeTime said ##vso[task.setsecret] ${secret}`),
      '##vso[task.debug]LifeTime said ##vso[task.setsecret] ***',
    );
    assert.equal(scrubOutput(`Payroll ##vso[task.setsecret]${secret}\n`), 'Payroll ##vso[task.setsecret]***\n');
  });
});
