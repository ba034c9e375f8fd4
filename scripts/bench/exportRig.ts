/** One LifeTime emulator and one share for a group of export measurements, with the runs made on them. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LifeTimeEmulator, type EmulatorOptions } from '../../tools/emulator/emulator';
import type { EmulatorSpec } from '../../tools/emulator/spec';
import { DEV_TOKEN } from '../../tools/factories/estate';
import type { TaskRun, TaskRunOptions, TaskRuntime } from '../../tools/agent/taskRunner';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';
import { rawCopyScript, timedProcess, timedTask } from './children';
import type { RawCopyJob } from './rawCopy';

export interface BenchApp {
  name: string;
  bytes: number;
}

export interface RigOptions {
  /** Serve LifeTime (and so its download links) over https with this certificate. */
  tls?: EmulatorOptions['tls'];
  /** Pipeline variables for every task run, e.g. Agent.CAInfo for that certificate's CA. */
  variables?: Record<string, string>;
}

/**
 * The icon of a real package's Manifest.xml: 90 KB make the 123 KB manifest of
 * test/fixtures/oap/cicd-probe-o11.oap, so the export reads a manifest of real size after each download.
 */
const REAL_ICON_BYTES = 90_000;

function benchSpec(apps: readonly BenchApp[]): EmulatorSpec {
  return {
    token: DEV_TOKEN,
    environments: [{ name: 'Acceptance', hostName: 'acc.example.com', type: 'Test' }],
    applications: apps.map((a) => ({
      name: a.name,
      packageBytes: a.bytes,
      iconBytes: REAL_ICON_BYTES,
      versions: [{ version: '1.0.0' }],
      running: { Acceptance: { version: '1.0.0' } },
    })),
  };
}

/** Everything is removed by close(). */
export class ExportRig {
  private runs = 0;

  private constructor(
    readonly emulator: LifeTimeEmulator,
    readonly share: string,
    private readonly variables: Record<string, string>,
  ) {}

  static async start(apps: readonly BenchApp[], options: RigOptions = {}): Promise<ExportRig> {
    const emulator = await LifeTimeEmulator.start(benchSpec(apps), options.tls ? { tls: options.tls } : {});
    return new ExportRig(emulator, makeTempDir({ prefix: 'airgap-bench-share-' }), options.variables ?? {});
  }

  packageBytes(names: readonly string[]): number {
    return names.reduce((sum, n) => sum + fs.statSync(this.emulator.packagePath(n, '1.0.0')).size, 0);
  }

  /** The keys of the one version of an application. */
  keys(name: string): { appKey: string; versionKey: string } {
    const app = this.emulator.application(name);
    const version = this.emulator.versions(name)[0];
    if (app === undefined || version?.Key === undefined) throw new Error(`no version of ${name}`);
    return { appKey: app.key, versionKey: version.Key };
  }

  taskOptions(names: readonly string[], parallelism: number, env: Record<string, string> = {}): TaskRunOptions {
    return {
      inputs: {
        sourceEnvironment: 'Acceptance',
        sharePath: this.share,
        bundleName: `bench-${String(++this.runs)}`,
        applications: names.join('\n'),
        downloadParallelism: String(parallelism),
      },
      connection: { url: this.emulator.url, token: DEV_TOKEN },
      variables: this.variables,
      env,
    };
  }

  /** Runs the export task; returns its time, the LifeTime API requests it made and the run. */
  async exportTask(
    names: readonly string[],
    parallelism: number,
    env: Record<string, string> = {},
    runtime?: TaskRuntime,
  ): Promise<{ ms: number; apiRequests: number; run: TaskRun }> {
    const before = this.emulator.requests.length;
    const options = { ...this.taskOptions(names, parallelism, env), ...(runtime !== undefined ? { runtime } : {}) };
    const { ms, run } = await timedTask('AirGapExport', options);
    const apiRequests = this.emulator.requests.slice(before).filter((r) => r.path.startsWith('/lifetimeapi/')).length;
    fs.rmSync(path.join(this.share, options.inputs.bundleName ?? ''), { recursive: true, force: true });
    return { ms, apiRequests, run };
  }

  /** The same content links and downloads with plain node:http and fs streams, in a child process. */
  async rawCopy(names: readonly string[], parallelism: number, env: Record<string, string> = {}): Promise<number> {
    const dir = path.join(this.share, `raw-${String(++this.runs)}`);
    fs.mkdirSync(dir);
    const job: RawCopyJob = {
      apiBase: this.emulator.apiBase,
      token: DEV_TOKEN,
      parallelism,
      items: names.map((name, i) => ({ ...this.keys(name), destination: path.join(dir, `${String(i)}.oap`) })),
    };
    const jobFile = path.join(this.share, `raw-job-${String(this.runs)}.json`);
    fs.writeFileSync(jobFile, JSON.stringify(job));
    try {
      const { ms, stdout } = await timedProcess(process.execPath, [rawCopyScript, jobFile], env);
      const expected = this.packageBytes(names);
      if (Number(stdout.trim()) !== expected)
        throw new Error(`raw copy moved ${stdout.trim()} bytes, not ${String(expected)}`);
      return ms;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(jobFile, { force: true });
    }
  }

  async close(): Promise<void> {
    await this.emulator.close();
    removeTempDir(this.share);
  }
}
