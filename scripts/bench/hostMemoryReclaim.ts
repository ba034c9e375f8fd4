/**
 * Whether this machine is a VM that gives memory back to its host while the bench runs: Linux free
 * page reporting (virtio-balloon) and a DAMON "pageout" scheme. On the bench machine both are on:
 * freed pages are reported as soon as they are free (min_free_ms 0), and DAMON pages out what looks
 * cold. Each 512 MiB package written and deleted then leaves the
 * next run with pages the host took back, and whichever program gets them pays up to 1 s more in
 * the kernel for 512 MiB (profiled: copy_folio_from_iter_atomic 8× longer for the same bytes; dd
 * alone 0.1 s warm, 1.0–1.4 s cold; with min_free_ms at 60 s, 0.11 s two seconds after a delete).
 * That is the host's bookkeeping, not the program measured, so
 * the bench says when it is on, and how to hold it off for a run.
 */
import * as fs from 'node:fs';

const REPORTING = '/sys/module/page_reporting/parameters';
/**
 * Freed pages younger than this are not reported. 60 s covers the gap between two runs but not the
 * bench's earlier groups, whose freed memory could then be reported while the 512 MiB rows run.
 * Five minutes, about the whole bench, is the longest this kernel accepts.
 */
const STEADY_MIN_FREE_MS = 300_000;
const KDAMONDS = '/sys/kernel/mm/damon/admin/kdamonds';

export interface HostMemoryReclaim {
  /** How long a freed page stays free before it may be reported to the host, when the kernel reports at all. */
  reportingAfterMs?: number;
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
  const minFree = read(`${REPORTING}/min_free_ms`);
  const reportingAfterMs = minFree !== undefined && /^\d+$/.test(minFree) ? Number(minFree) : undefined;
  const damonPageout = pagingOutMonitors();
  if (reportingAfterMs === undefined && damonPageout.length === 0) return undefined;
  return {
    ...(reportingAfterMs !== undefined ? { reportingAfterMs } : {}),
    damonPageout,
    disturbsLargeRows:
      (reportingAfterMs !== undefined && reportingAfterMs < STEADY_MIN_FREE_MS) || damonPageout.length > 0,
  };
}

export function describeHostMemoryReclaim(reclaim: HostMemoryReclaim | undefined): string {
  if (reclaim === undefined) return 'memory handed back to a host: none';
  const parts = [
    reclaim.reportingAfterMs !== undefined
      ? `free page reporting of pages free for ${String(reclaim.reportingAfterMs)} ms`
      : '',
    reclaim.damonPageout.length > 0 ? `DAMON pageout on (${reclaim.damonPageout.join(', ')})` : '',
  ].filter((p) => p !== '');
  if (!reclaim.disturbsLargeRows)
    return `memory handed back to the host: ${parts.join('; ')} (does not reach the 512 MiB rows)`;
  return (
    `memory handed back to the host: ${parts.join('; ')}. The 512 MiB rows will swing by up to 40% from run ` +
    `to run, whichever program gets back the pages the host took. For stable figures, as root, for the run: ` +
    `echo ${String(STEADY_MIN_FREE_MS)} > ${REPORTING}/min_free_ms` +
    reclaim.damonPageout.map((d) => ` and echo off > ${d}/state`).join('') +
    ' (and set them back afterwards)'
  );
}
