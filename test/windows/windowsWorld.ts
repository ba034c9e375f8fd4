/**
 * The Windows lane's set-up: a development and a production LifeTime emulator on loopback, a share
 * whose path has spaces, the native OSPTool stand-in under `…\Common Files\OutSystems\11.0\`, and
 * the bundled tasks run by Windows Node 20 under Wine with Windows paths (Z:\ is /).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import { DEV_TOKEN, PRE_HOSTNAME, PROD_TOKEN, developmentEstate, productionEstate } from '../../tools/factories/estate';
import { runBundledTask, startBundledTask } from '../../tools/agent/taskRunner';
import type { BundledTaskName, StartedTask, TaskRun, TaskRunOptions } from '../../tools/agent/taskRunner';
import { removeTempDir } from '../../tools/tempDir';
import { airGapFolders, callLogLines } from '../support/airGapFolders';
import { windowsPath, wineTaskRuntime } from '../../tools/runtimes/wine';
import { buildWindowsStandIn } from '../../tools/osptool-standin-win/build';

/** Every character the contract must hand over unchanged: spaces, ", $, &, %, ^, !. */
export const WINDOWS_PASSWORD = 'p@ss w"rd $x&y %PATH% ^!';
export const WINDOWS_USER = 'air gap user';

export type StandInMode = 'ok' | 'exit' | 'error-text' | 'hang' | 'hang-helper';

export interface WindowsWorld {
  root: string;
  /** The share on this machine; tasks get it as windowsPath(share). */
  share: string;
  osptool: string;
  development: LifeTimeEmulator;
  production: LifeTimeEmulator;
  /** The stand-in's mode for each call from now on (the last one repeats). */
  control(...modes: StandInMode[]): void;
  /** Each call's arguments, exactly as CommandLineToArgvW gave them to the stand-in. */
  calls(): string[][];
  run(task: BundledTaskName, inputs: Record<string, string>, extra?: Partial<TaskRunOptions>): Promise<TaskRun>;
  start(task: BundledTaskName, inputs: Record<string, string>, extra?: Partial<TaskRunOptions>): StartedTask;
  deployInputs(bundleHostPath: string): Record<string, string>;
  close(): Promise<void>;
}

export async function windowsWorld(): Promise<WindowsWorld> {
  const runtime = wineTaskRuntime();
  const development = await LifeTimeEmulator.start(developmentEstate());
  const production = await LifeTimeEmulator.start(productionEstate());
  const { root, share, toolDir } = airGapFolders('airgap-windows-');
  const osptool = path.join(toolDir, 'OSPTool.com');
  fs.copyFileSync(buildWindowsStandIn(), osptool);
  const callsFile = path.join(toolDir, 'osptool-calls.txt');
  const controlFile = path.join(toolDir, 'osptool-control.txt');
  const calls = (): string[][] =>
    callLogLines(callsFile).map((line) => line.split(' ').map((hex) => Buffer.from(hex, 'hex').toString('utf8')));

  const connectionFor = (task: BundledTaskName): TaskRunOptions['connection'] =>
    task === 'AirGapExport'
      ? { url: development.url, token: DEV_TOKEN }
      : task === 'AirGapSyncTags'
        ? { url: production.url, token: PROD_TOKEN }
        : undefined;
  const optionsFor = (task: BundledTaskName, inputs: Record<string, string>, extra: Partial<TaskRunOptions> = {}) => {
    const connection = connectionFor(task);
    return { inputs, runtime, ...(connection === undefined ? {} : { connection }), ...extra };
  };
  return {
    root,
    share,
    osptool,
    development,
    production,
    control: (...modes) => fs.writeFileSync(controlFile, [`@${calls().length}`, ...modes].join(' ')),
    calls,
    run: (task, inputs, extra) => runBundledTask(task, optionsFor(task, inputs, extra)),
    start: (task, inputs, extra) => startBundledTask(task, optionsFor(task, inputs, extra)),
    deployInputs: (bundle) => ({
      bundlePath: windowsPath(bundle),
      osptoolPath: windowsPath(osptool),
      targetHostname: PRE_HOSTNAME,
      airGapUser: WINDOWS_USER,
      airGapPassword: WINDOWS_PASSWORD,
    }),
    close: async () => {
      await development.close();
      await production.close();
      removeTempDir(root);
    },
  };
}
