import type { FaultSpec } from './spec';

interface QueuedFault {
  spec: FaultSpec;
  remaining: number;
}

function matches(spec: FaultSpec, method: string, path: string): boolean {
  if (spec.method !== undefined && spec.method.toUpperCase() !== method.toUpperCase()) return false;
  return typeof spec.path === 'string' ? path.includes(spec.path) : spec.path.test(path);
}

/** Injected faults, consumed in order of injection: the first one matching a request fires. */
export class FaultQueue {
  private readonly queue: QueuedFault[] = [];

  add(spec: FaultSpec): void {
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`Fault times must be a positive integer, got ${times}`);
    this.queue.push({ spec, remaining: times });
  }

  clear(): void {
    this.queue.length = 0;
  }

  /**
   * The fault for this request, if any, counted as fired. `expired-link` only means something for a
   * download, so it is left for one when `isDownload` is false.
   */
  take(method: string, path: string, isDownload: boolean): FaultSpec | undefined {
    const index = this.queue.findIndex(
      (f) => matches(f.spec, method, path) && (isDownload || f.spec.kind !== 'expired-link'),
    );
    const found = this.queue[index];
    if (!found) return undefined;
    found.remaining -= 1;
    if (found.remaining === 0) this.queue.splice(index, 1);
    return found.spec;
  }
}
