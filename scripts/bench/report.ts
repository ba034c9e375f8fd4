/** One line of the bench table and of bench/results.json, and how both are written. */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { hostMemoryReclaim, type HostMemoryReclaim } from './hostMemoryReclaim';
import { round } from './stats';

export interface BenchRow {
  metric: string;
  unit: string;
  /** Median of `runs`. */
  measured: number;
  /** What `measured` is compared with, measured in the same run. */
  baselineLabel: string;
  baseline?: number;
  /** measured / baseline, or baseline / measured when lower is better (so > 1 is always "better than baseline"). */
  ratio?: number;
  target: string;
  pass: boolean;
  runs: number[];
  baselineRuns?: number[];
  note?: string;
}

export interface MachineDetails {
  os: string;
  arch: string;
  cpus: { count: number; model: string };
  memoryBytes: number;
  node: string;
  /** Present on a VM that gives memory back to its host while the bench runs (hostMemoryReclaim.ts). */
  hostMemoryReclaim?: HostMemoryReclaim;
}

export function machineDetails(): MachineDetails {
  const cpus = os.cpus();
  const reclaim = hostMemoryReclaim();
  return {
    os: `${os.type()} ${os.release()} (${process.platform})`,
    arch: process.arch,
    cpus: { count: cpus.length, model: cpus[0]?.model.trim() ?? 'unknown' },
    memoryBytes: os.totalmem(),
    node: process.version,
    ...(reclaim !== undefined ? { hostMemoryReclaim: reclaim } : {}),
  };
}

export function gitCommit(cwd: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

function cell(value: number | undefined, unit = ''): string {
  if (value === undefined) return '—';
  return `${String(round(value, value >= 100 ? 0 : 2))}${unit === '' ? '' : ' ' + unit}`;
}

export function tableRows(rows: readonly BenchRow[]): string[][] {
  return rows.map((r) => [
    r.metric,
    cell(r.measured, r.unit),
    r.baseline === undefined ? r.baselineLabel : `${cell(r.baseline, r.unit)} (${r.baselineLabel})`,
    r.ratio === undefined ? '—' : `${String(round(r.ratio, 2))}×`,
    r.target,
    r.pass ? 'pass' : 'FAIL',
  ]);
}

export const TABLE_HEADERS = ['metric', 'measured', 'baseline', 'ratio', 'target', 'result'];

/** A plain-text table for the console, columns padded to their widest cell. */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The same table in Markdown, for the README's Performance section. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `| ${headers.map(esc).join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}
