/**
 * Whether this machine is a VM that hands freed memory back to its host (Linux free page
 * reporting, virtio-balloon). On the bench machine it reports once 1 GiB has been freed: each
 * 512 MiB package written and deleted then leaves the next run with pages the host took back, and
 * whichever program gets them pays about 1 s more in the kernel for 512 MiB (profiled:
 * copy_folio_from_iter_atomic 8× longer, the same bytes; dd alone 0.1 s warm, 1.0–1.4 s cold).
 * That is the host's bookkeeping, not the program measured, so the bench says when it is on.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const PARAMETERS = '/sys/module/page_reporting/parameters';

export interface FreePageReporting {
  /** Freed memory that waits before it is reported, when this kernel has that setting. */
  maxWaitingMiB?: number;
  /** True when the 512 MiB rows can be hit by it (less than 4 GiB may wait). */
  disturbsLargeRows: boolean;
}

function readNumber(name: string): number | undefined {
  try {
    const value = Number(fs.readFileSync(path.join(PARAMETERS, name), 'utf8').trim());
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** undefined when the kernel reports no free pages to a host (bare metal, most VMs). */
export function freePageReporting(): FreePageReporting | undefined {
  if (!fs.existsSync(PARAMETERS)) return undefined;
  const maxWaitingMiB = readNumber('max_waiting_mib');
  return {
    ...(maxWaitingMiB !== undefined ? { maxWaitingMiB } : {}),
    disturbsLargeRows: maxWaitingMiB === undefined || maxWaitingMiB < 4096,
  };
}

export function describeFreePageReporting(reporting: FreePageReporting | undefined): string {
  if (reporting === undefined) return 'free page reporting: off';
  const waiting = reporting.maxWaitingMiB !== undefined ? `after ${String(reporting.maxWaitingMiB)} MiB freed` : 'on';
  if (!reporting.disturbsLargeRows)
    return `free page reporting to the host: ${waiting} (does not reach the 512 MiB rows)`;
  return (
    `free page reporting to the host: ${waiting}. The 512 MiB rows will swing by up to 40% from run to run, ` +
    `whichever program gets back the pages the host took; for stable figures, as root: ` +
    `echo 65536 > ${PARAMETERS}/max_waiting_mib (and set it back afterwards)`
  );
}
