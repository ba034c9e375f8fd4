import * as assert from 'node:assert/strict';
import { backoffDelay, parseRetryAfter, sleep } from '../../shared/http/backoff';

describe('backoff', () => {
  it('grows exponentially up to the cap, with full jitter below it', () => {
    const top = (): number => 0.999999;
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, 1000, 30_000, top)),
      [999, 1999, 3999, 7999, 15_999, 29_999, 29_999],
    );
    assert.equal(
      backoffDelay(5, 1000, 30_000, () => 0),
      0,
    );
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });

  it('stops sleeping when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort(new Error('cancelled by the pipeline'));
    await assert.rejects(pending, /cancelled by the pipeline/);
  });
});
