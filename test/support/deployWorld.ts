/** Shared set-up for deploy tests: a share with spaces, the OSPTool stand-in beside its control file, a production LifeTime. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DeployParameters } from '../../shared/deploy/parameters';
import type { DeployEnvironment } from '../../shared/deploy/run';
import type { Reporter } from '../../shared/util/reporter';
import { repoRoot } from '../../tools/paths';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import type { EmulatorApplicationSpec, EmulatorSpec } from '../../tools/emulator/spec';
import type { StandInControl } from '../../tools/osptool-standin/control';
import { PRE_HOSTNAME, PROD_TOKEN, productionEstate } from '../../tools/factories/estate';
import { runBundledTask, startBundledTask } from '../../tools/agent/taskRunner';
import type { StartedTask, TaskRun, TaskRunOptions } from '../../tools/agent/taskRunner';
import { removeTempDir } from '../../tools/tempDir';
import { airGapFolders, callLogLines } from './airGapFolders';

export const AIRGAP_PASSWORD = 'Pre-Prod p@ss "quoted" & $(whoami) 42';
export const AIRGAP_USER = 'airgap.deployer';

export interface DeployWorld {
  root: string;
  share: string;
  osptool: string;
  production: LifeTimeEmulator;
  control(control: Omit<StandInControl, 'emulatorUrl'>): void;
  calls(): string[][];
  /** Application names published, in call order (the package file's application as the stand-in saw it). */
  publishedFiles(): string[];
  run(bundlePath: string, inputs?: Record<string, string>, options?: Partial<TaskRunOptions>): Promise<TaskRun>;
  start(bundlePath: string, inputs?: Record<string, string>, options?: Partial<TaskRunOptions>): StartedTask;
  /** OSPTool, with the production LifeTime connected (the pre-flight). */
  runConnected(bundlePath: string, inputs?: Record<string, string>): Promise<TaskRun>;
  /** publishMethod lifetime, as on a Linux agent: the connection and the target environment, no OSPTool inputs. */
  runLifeTime(bundlePath: string, inputs?: Record<string, string>): Promise<TaskRun>;
  startLifeTime(bundlePath: string, inputs?: Record<string, string>): StartedTask;
  /** The bundled Sync tags task for this bundle, on the production LifeTime's Pre-Production. */
  runSyncTags(bundlePath: string, inputs?: Record<string, string>): Promise<TaskRun>;
  close(): Promise<void>;
}

export async function deployWorld(
  productionApps: EmulatorApplicationSpec[] = [],
  overrides: Partial<EmulatorSpec> = {},
): Promise<DeployWorld> {
  const production = await LifeTimeEmulator.start({ ...productionEstate(productionApps), ...overrides });
  const { root, share, toolDir } = airGapFolders('airgap-deploy-');
  const osptool = path.join(toolDir, 'OSPTool.js');
  fs.copyFileSync(path.join(repoRoot, 'build', 'osptool-standin', 'osptool.js'), osptool);
  fs.chmodSync(osptool, 0o755);
  const controlFile = path.join(toolDir, 'osptool-control.json');
  const callsFile = path.join(toolDir, 'osptool-calls.jsonl');
  const writeControl = (control: Omit<StandInControl, 'emulatorUrl'>) =>
    fs.writeFileSync(controlFile, JSON.stringify({ emulatorUrl: production.url, ...control }));
  writeControl({ expectedPassword: AIRGAP_PASSWORD });
  const optionsFor = (
    bundlePath: string,
    inputs: Record<string, string> = {},
    extra: Partial<TaskRunOptions> = {},
  ) => ({
    inputs: {
      bundlePath,
      osptoolPath: osptool,
      targetHostname: PRE_HOSTNAME,
      airGapUser: AIRGAP_USER,
      airGapPassword: AIRGAP_PASSWORD,
      ...inputs,
    },
    ...extra,
  });
  const connection = () => ({ url: production.url, token: PROD_TOKEN });
  const lifeTimeOptions = (bundlePath: string, inputs: Record<string, string>): TaskRunOptions => ({
    inputs: { bundlePath, publishMethod: 'lifetime', targetEnvironment: 'Pre-Production', ...inputs },
    connection: connection(),
  });
  const calls = (): string[][] => callLogLines(callsFile).map((l) => JSON.parse(l) as string[]);
  return {
    root,
    share,
    osptool,
    production,
    control: writeControl,
    calls,
    publishedFiles: () => calls().map((argv) => path.basename(argv[1] ?? '')),
    run: (bundlePath, inputs, extra) => runBundledTask('AirGapDeploy', optionsFor(bundlePath, inputs, extra)),
    runConnected: (bundlePath, inputs = {}) =>
      runBundledTask(
        'AirGapDeploy',
        optionsFor(bundlePath, { targetEnvironment: 'Pre-Production', ...inputs }, { connection: connection() }),
      ),
    runLifeTime: (bundlePath, inputs = {}) => runBundledTask('AirGapDeploy', lifeTimeOptions(bundlePath, inputs)),
    startLifeTime: (bundlePath, inputs = {}) => startBundledTask('AirGapDeploy', lifeTimeOptions(bundlePath, inputs)),
    runSyncTags: (bundlePath, inputs = {}) =>
      runBundledTask('AirGapSyncTags', {
        inputs: { targetEnvironment: 'Pre-Production', bundlePath, ...inputs },
        connection: connection(),
      }),
    start: (bundlePath, inputs, extra) => startBundledTask('AirGapDeploy', optionsFor(bundlePath, inputs, extra)),
    close: async () => {
      await production.close();
      removeTempDir(root);
    },
  };
}

/** The deploy operation's parameters for this world's OSPTool stand-in and PRE, for in-process tests. */
export function deployParameters(
  world: DeployWorld,
  bundlePath: string,
  overrides: Partial<DeployParameters> = {},
): DeployParameters {
  return {
    bundlePath,
    publish: {
      method: 'osptool',
      osptoolPath: world.osptool,
      targetHostname: PRE_HOSTNAME,
      user: AIRGAP_USER,
      password: AIRGAP_PASSWORD,
    },
    allowDowngrade: false,
    waitForBundleMinutes: 0,
    timeoutMinutes: 1,
    dryRun: false,
    ...overrides,
  };
}

/** What the deploy operation needs besides its parameters; OSPTool's lines go to `toolLines`. */
export function deployEnvironment(world: DeployWorld, reporter: Reporter, toolLines: string[] = []): DeployEnvironment {
  return {
    reporter,
    signal: new AbortController().signal,
    agentTempDirectory: world.root,
    writeToolLine: (line) => toolLines.push(line),
  };
}
