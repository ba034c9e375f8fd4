/**
 * The test-only HTTP knobs the matrices rely on (shared/task/agentHttpSettings.ts): honoured when
 * sane and when the process carries the test marker argument, ignored otherwise.
 */
import * as assert from 'node:assert/strict';
import { TEST_KNOBS_ARGUMENT } from '../../shared/http/testKnobs';
import { agentHttpSettings } from '../../shared/task/agentHttpSettings';
import { defaultHttpSettings } from '../../shared/http/settings';

const KNOBS = ['AIRGAP_HTTP_TIMEOUT_MS', 'AIRGAP_HTTP_BACKOFF_MS', 'AIRGAP_HTTP_RETRIES'];

describe('test-only HTTP knobs of agentHttpSettings', () => {
  let saved: Record<string, string | undefined> = {};
  const argv = process.argv;
  beforeEach(() => {
    saved = Object.fromEntries(KNOBS.map((name) => [name, process.env[name]]));
    // As the test runner starts a bundled task: with the marker no agent passes.
    process.argv = [...argv, TEST_KNOBS_ARGUMENT];
  });
  afterEach(() => {
    process.argv = argv;
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  });

  const effective = (): number[] => {
    const settings = agentHttpSettings();
    return [settings.timeoutMs, settings.backoffBaseMs, settings.retries];
  };
  const defaults = (): number[] => {
    const settings = defaultHttpSettings();
    return [settings.timeoutMs, settings.backoffBaseMs, settings.retries];
  };

  it('keeps the product defaults when no knob is set', () => {
    for (const name of KNOBS) Reflect.deleteProperty(process.env, name);
    assert.deepEqual(effective(), defaults());
  });

  it('takes whole numbers in range', () => {
    process.env['AIRGAP_HTTP_TIMEOUT_MS'] = '1500';
    process.env['AIRGAP_HTTP_BACKOFF_MS'] = '0';
    process.env['AIRGAP_HTTP_RETRIES'] = '2';
    assert.deepEqual(effective(), [1500, 0, 2]);
  });

  it('ignores anything else', () => {
    process.env['AIRGAP_HTTP_TIMEOUT_MS'] = '0';
    process.env['AIRGAP_HTTP_BACKOFF_MS'] = '-5';
    process.env['AIRGAP_HTTP_RETRIES'] = 'many';
    assert.deepEqual(effective(), defaults());
  });

  it('ignores them without the marker: a pipeline variable of that name reaches the environment, never the arguments', () => {
    process.argv = argv;
    process.env['AIRGAP_HTTP_TIMEOUT_MS'] = '1500';
    process.env['AIRGAP_HTTP_BACKOFF_MS'] = '0';
    process.env['AIRGAP_HTTP_RETRIES'] = '2';
    assert.deepEqual(effective(), defaults());
  });
});
