/**
 * Whether this machine is a VM that gives memory back to its host while the bench runs: Linux free
 * page reporting (virtio-balloon) and a DAMON "pageout" scheme. On the bench machine both are on:
 * freed memory is reported once 1 GiB waits, and DAMON pages out what looks cold, such as the
 * emulator's package in the page cache. Each 512 MiB package written and deleted then leaves the
 * next run with pages the host took back, and whichever program gets them pays up to 1 s more in
 * the kernel for 512 MiB (profiled: copy_folio_from_iter_atomic 8× longer for the same bytes; dd
 * alone 0.1 s warm, 1.0–1.4 s cold). That is the host's bookkeeping, not the program measured, so
 * the bench says when it is on, and how to hold it off for a run.
 */
import * as fs from 'node:fs';

const REPORTING = '/sys/module/page_reporting/parameters/max_waiting_mib';
const KDAMONDS = '/sys/kernel/mm/damon/admin/kdamonds';

export interface HostMemoryReclaim {
  /** Freed memory that waits before it is reported to the host, when the kernel reports at all. */
  reportingAfterMiB?: number;
  /** DAMON monitors that are on and page out memory they find cold. */
  damonPageout: string[];
  /** True when the 512 MiB rows can be hit by either. */
  disturbsLargeRows: boolean;
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function pagingOutMonitors(): string[] {
  const monitors: string[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync(KDAMONDS).filter((n) => /^\d+$/.test(n));
  } catch {
    return monitors;
  }
  for (const name of names) {
    const dir = `${KDAMONDS}/${name}`;
    if (read(`${dir}/state`) !== 'on') continue;
    let schemes: string[] = [];
    try {
      schemes = fs.readdirSync(`${dir}/contexts/0/schemes`).filter((n) => /^\d+$/.test(n));
    } catch {
      continue;
    }
    if (schemes.some((s) => read(`${dir}/contexts/0/schemes/${s}/action`) === 'pageout')) monitors.push(dir);
  }
  return monitors;
}

export function hostMemoryReclaim(): HostMemoryReclaim | undefined {
  const waiting = read(REPORTING);
  const reportingAfterMiB = waiting !== undefined && /^\d+$/.test(waiting) ? Number(waiting) : undefined;
  const damonPageout = pagingOutMonitors();
  if (reportingAfterMiB === undefined && damonPageout.length === 0) return undefined;
  return {
    ...(reportingAfterMiB !== undefined ? { reportingAfterMiB } : {}),
    damonPageout,
    disturbsLargeRows: (reportingAfterMiB !== undefined && reportingAfterMiB < 4096) || damonPageout.length > 0,
  };
}

export function describeHostMemoryReclaim(reclaim: HostMemoryReclaim | undefined): string {
  if (reclaim === undefined) return 'memory handed back to a host: none';
  const parts = [
    reclaim.reportingAfterMiB !== undefined ? `free page reporting after ${String(reclaim.reportingAfterMiB)} MiB` : '',
    reclaim.damonPageout.length > 0 ? `DAMON pageout on (${reclaim.damonPageout.join(', ')})` : '',
  ].filter((p) => p !== '');
  if (!reclaim.disturbsLargeRows)
    return `memory handed back to the host: ${parts.join('; ')} (does not reach the 512 MiB rows)`;
  return (
    `memory handed back to the host: ${parts.join('; ')}. The 512 MiB rows will swing by up to 40% from run ` +
    `to run, whichever program gets back the pages the host took. For stable figures, as root, for the run: ` +
    `echo 65536 > ${REPORTING}` +
    reclaim.damonPageout.map((d) => ` and echo off > ${d}/state`).join('') +
    ' (and set them back afterwards)'
  );
}
