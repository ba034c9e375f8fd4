import type { HttpSettings } from './settings';

/**
 * The command-line argument that turns the test knobs on. The agent starts a task as `node
 * <entry>` with no arguments, and a pipeline can set environment variables (the agent exports
 * every non-secret pipeline variable as one) but never the task's arguments; only the test
 * runner (tools/agent/taskRunner.ts) passes it.
 */
export const TEST_KNOBS_ARGUMENT = '--airgap-test-knobs';

/**
 * TEST KNOBS ONLY, not a user setting: the end-to-end tests run the bundled tasks against the
 * loopback emulator with short limits so that fault cases (slow headers, 503 bursts) finish
 * quickly. AIRGAP_HTTP_TIMEOUT_MS (per-attempt timeout), AIRGAP_HTTP_BACKOFF_MS (backoff base) and
 * AIRGAP_HTTP_RETRIES (further attempts) are read from the environment, where a pipeline variable
 * of that name would land too, so they count only when the process was started with
 * TEST_KNOBS_ARGUMENT, which a pipeline cannot do. Anything not a whole number in range is ignored.
 */
export function testKnobOverrides(): Partial<HttpSettings> {
  const overrides: Partial<HttpSettings> = {};
  if (!process.argv.slice(2).includes(TEST_KNOBS_ARGUMENT)) return overrides;
  const timeoutMs = wholeNumber(process.env['AIRGAP_HTTP_TIMEOUT_MS'], 1, 600_000);
  if (timeoutMs !== undefined) overrides.timeoutMs = timeoutMs;
  const backoffBaseMs = wholeNumber(process.env['AIRGAP_HTTP_BACKOFF_MS'], 0, 60_000);
  if (backoffBaseMs !== undefined) overrides.backoffBaseMs = backoffBaseMs;
  const retries = wholeNumber(process.env['AIRGAP_HTTP_RETRIES'], 0, 20);
  if (retries !== undefined) overrides.retries = retries;
  return overrides;
}

function wholeNumber(raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return undefined;
  const value = Number(raw.trim());
  return value >= min && value <= max ? value : undefined;
}
