import { spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundledTaskEntry, repoRoot } from '../paths';
import { TEST_KNOBS_ARGUMENT } from '../../shared/http/testKnobs';
import { declaredOutputVariables, findStrayCommands } from './commandScan';
import { findSecretLeaks } from './secretScan';
import { makeTempDir, removeTempDir } from '../tempDir';
import { parseVsoCommands, type VsoCommand } from './vso';

export type BundledTaskName = 'AirGapExport' | 'AirGapDeploy' | 'AirGapSyncTags' | 'AirGapPromote';

export interface TaskConnection {
  /** Endpoint id (a GUID, as the agent hands it over); a random one by default. */
  id?: string;
  url: string;
  token: string;
  /** Where the agent would put the token: both places (default), or only one of them. */
  tokenIn?: 'both' | 'json' | 'parameter';
  /** Replaces the `ENDPOINT_AUTH_<id>` JSON verbatim (to test malformed authorizations). */
  rawAuthorization?: string;
}

export interface TaskRunOptions {
  /** By input name as in task.json; each becomes INPUT_<NAME>. */
  inputs: Record<string, string>;
  connection?: TaskConnection;
  /** The input that holds the connection's endpoint id. */
  connectionInput?: string;
  /** Pipeline variables (e.g. `System.Debug`), set as the agent does: dots to underscores, upper case. */
  variables?: Record<string, string>;
  /** Secret pipeline variables: SECRET_<NAME>, listed in VSTS_SECRET_VARIABLES. */
  secretVariables?: Record<string, string>;
  /** Raw environment additions, applied last. */
  env?: Record<string, string>;
  /** The run is killed (SIGKILL) after this long; 120 s by default. */
  timeoutMs?: number;
  /** Working directory; the agent's sources directory by default. */
  cwd?: string;
  onStart?: (child: ChildProcess) => void;
  /** Keep the fake agent folders (temp, work) after the run, e.g. to inspect files the task left. */
  keepAgentDirectory?: boolean;
  /**
   * Starts the task through another program (e.g. `unshare` to give it a read-only view of the
   * share); receives node's path and the entry and returns the command line to run instead. The
   * runner appends TEST_KNOBS_ARGUMENT to those arguments, so the launcher must pass them on to node.
   */
  launcher?: (node: string, entry: string) => { command: string; args: string[] };
  /**
   * The Node (and OS) that runs the task, as an agent's handler would; by default the Node named
   * by AIRGAP_TASK_NODE (the Node 24 lane), else the one running the tests.
   */
  runtime?: TaskRuntime;
  /**
   * Every run is scanned for the secrets it was given (see `secretsGiven`) and fails with
   * SecretLeakError on a hit. Only a test that proves the scanner itself works sets this; the
   * hits are then in `TaskRun.secretLeaks`.
   */
  allowSecretLeaks?: boolean;
  /**
   * Every run is scanned for agent commands the task did not mean to write (commandScan.ts) and
   * fails with StrayCommandError on a hit. Only the test that proves the scan works sets this; the
   * hits are then in `TaskRun.strayCommands`.
   */
  allowStrayCommands?: boolean;
}

/** Untrusted text reached the agent as a command; the message names the lines. */
export class StrayCommandError extends Error {
  override name = 'StrayCommandError';
  constructor(
    readonly stray: string[],
    readonly run: TaskRun,
  ) {
    super(`the task run wrote agent commands it did not mean to: ${stray.join('; ')}`);
  }
}

/**
 * How a task process is started: which node, on which agent OS, and how paths and output reach
 * it. The default runs a Linux (or macOS) node directly; tools/runtimes/wine.ts runs Windows
 * node.exe under Wine, as a Windows agent would.
 */
export interface TaskRuntime {
  /** `Agent.OS` as this agent reports it. */
  agentOs: string;
  /** A path on this machine as the task sees it (e.g. `Z:\tmp\x` under Wine). */
  taskPath(hostPath: string): string;
  /** The command line that runs `entry` (a host path). */
  command(entry: string): { command: string; args: string[] };
  /** Environment the runtime itself needs (e.g. WINEPREFIX), and the OS's own variables. */
  environment(): Record<string, string>;
  /**
   * The task's stdout and stderr go to files rather than pipes (Windows node.exe under Wine fails
   * with EBADF on a Linux pipe); they are read when the task ends.
   */
  outputThroughFiles: boolean;
  /** The agent's folders (temp, work) have spaces in their path, as `C:\Program Files\…` would. */
  spacesInAgentPath?: boolean;
}

/** The runtime a run gets when it names none: AIRGAP_TASK_NODE, else the Node running the tests. */
export function defaultTaskRuntime(): TaskRuntime {
  const node = process.env['AIRGAP_TASK_NODE'] ?? process.execPath;
  return {
    agentOs: { win32: 'Windows_NT', darwin: 'Darwin' }[process.platform as string] ?? 'Linux',
    taskPath: (hostPath) => hostPath,
    command: (entry) => ({ command: node, args: [entry] }),
    environment: baseEnvironment,
    outputThroughFiles: false,
  };
}

/** A task run printed or attached a secret it was given; the message names where, never the secret. */
export class SecretLeakError extends Error {
  override name = 'SecretLeakError';
  constructor(
    readonly leaks: string[],
    readonly run: TaskRun,
  ) {
    super(`the task run leaked a secret it was given: ${leaks.join('; ')}`);
  }
}

/** Shorter values are not searched for (they would match by chance); tests use distinctive secrets. */
const MIN_SCANNED_SECRET = 6;

/**
 * The secrets a run was handed, as the agent would hand them: the connection's token (and a raw
 * authorization's text), the inputs airGapPassword and probeKey, signingKey when it is PEM text
 * (a path is no secret; each line of its body counts on its own), and secret pipeline variables.
 */
export function secretsGiven(options: TaskRunOptions): string[] {
  const found: string[] = [];
  if (options.connection !== undefined) found.push(options.connection.token);
  for (const name of ['airGapPassword', 'probeKey']) {
    const value = options.inputs[name];
    if (value !== undefined) found.push(value);
  }
  const signingKey = options.inputs['signingKey'];
  if (signingKey?.includes('-----BEGIN') === true) {
    // The key material is the body: a one-line body (an Ed25519 key) printed alone is a leak too.
    found.push(signingKey, ...signingKey.split(/\r?\n|\r/).filter((l) => !l.includes('-----')));
  }
  found.push(...Object.values(options.secretVariables ?? {}));
  return [...new Set(found.filter((s) => s.trim().length >= MIN_SCANNED_SECRET))];
}

export interface TaskRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  commands: VsoCommand[];
  /** The most pessimistic `task.complete`, as the agent merges them. */
  result?: { status: string; message: string };
  /** Every `task.setvariable`, last value wins. */
  outputVariables: Record<string, string>;
  /** Values registered with `task.setsecret`. */
  secrets: string[];
  warnings: string[];
  errors: string[];
  summaries: { path: string; content: string }[];
  progress: { value: number; text: string }[];
  agentDirectory: string;
  endpointId?: string;
  /** What the automatic scan found (empty unless `allowSecretLeaks` let the run through). */
  secretLeaks?: string[];
  /** What the command scan found (empty unless `allowStrayCommands` let the run through). */
  strayCommands?: string[];
  /**
   * From spawn to the process's close (exited, output drained), without this runner's own work
   * around it (agent folders, output scans, clean-up): what a benchmark times, as it times curl.
   */
  processMs: number;
}

export interface StartedTask {
  child: ChildProcess;
  done: Promise<TaskRun>;
}

/** The bundled test-only task that exercises shared/task (see test/support/fixtureTask). */
export const fixtureTaskEntry = path.join(repoRoot, 'build', 'test-tasks', 'fixture', 'index.js');

/** The agent's variable-to-environment naming: dots and spaces to underscores, upper case. */
export function envName(name: string): string {
  return name.replace(/[. ]/g, '_').toUpperCase();
}

function baseEnvironment(): Record<string, string> {
  const keep =
    process.platform === 'win32'
      ? ['PATH', 'PATHEXT', 'SystemRoot', 'SystemDrive', 'windir', 'ComSpec', 'USERPROFILE', 'TEMP', 'TMP']
      : ['PATH', 'HOME', 'TMPDIR', 'LANG'];
  const env: Record<string, string> = {};
  for (const key of keep) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/** The agent folders a task may write to, created before it starts (host paths). */
function agentFolders(agentDir: string): Record<string, string> {
  const work = path.join(agentDir, '_work');
  const build = path.join(work, '1');
  return {
    'Agent.TempDirectory': path.join(work, '_temp'),
    'Build.SourcesDirectory': path.join(build, 's'),
    'Build.ArtifactStagingDirectory': path.join(build, 'a'),
  };
}

function agentVariables(agentDir: string, jobId: string, runtime: TaskRuntime): Record<string, string> {
  const join = (...parts: string[]): string => runtime.taskPath(path.join(agentDir, ...parts));
  const work = '_work';
  const build = path.join(work, '1');
  const agentOs = runtime.agentOs;
  const variables = {
    'Agent.TempDirectory': join(work, '_temp'),
    'Agent.WorkFolder': join(work),
    'Agent.BuildDirectory': join(build),
    'Agent.HomeDirectory': join(),
    'Agent.Name': 'airgap-test-agent',
    'Agent.MachineName': os.hostname(),
    'Agent.OS': agentOs,
    'Agent.OSArchitecture': process.arch === 'arm64' ? 'ARM64' : 'X64',
    'Agent.JobName': 'Deploy',
    'Agent.JobStatus': 'Succeeded',
    'System.TeamFoundationCollectionUri': 'https://dev.azure.com/airgap-tests/',
    'System.CollectionUri': 'https://dev.azure.com/airgap-tests/',
    'System.TeamProject': 'AirGap',
    'System.TeamProjectId': '3c1c7c57-2b8f-4a57-9f1d-0c6a2e0b8b11',
    'System.DefinitionName': 'airgap-release',
    'System.DefinitionId': '7',
    'System.HostType': 'build',
    'System.JobId': jobId,
    'System.Culture': 'en-US',
    'System.DefaultWorkingDirectory': join(build, 's'),
    'Build.BuildNumber': '20261128.1',
    'Build.BuildId': '4242',
    'Build.DefinitionName': 'airgap-release',
    'Build.SourcesDirectory': join(build, 's'),
    'Build.ArtifactStagingDirectory': join(build, 'a'),
    'Build.BinariesDirectory': join(build, 'b'),
  };
  return variables;
}

function taskEnvironment(
  options: TaskRunOptions,
  agentDir: string,
  runtime: TaskRuntime,
): { env: Record<string, string>; endpointId?: string } {
  const env = runtime.environment();
  const variables = { ...agentVariables(agentDir, crypto.randomUUID(), runtime), ...options.variables };
  for (const [name, value] of Object.entries(variables)) env[envName(name)] = value;
  env['VSTS_PUBLIC_VARIABLES'] = JSON.stringify(Object.keys(variables));
  const secretNames = Object.keys(options.secretVariables ?? {});
  for (const [name, value] of Object.entries(options.secretVariables ?? {})) env[`SECRET_${envName(name)}`] = value;
  env['VSTS_SECRET_VARIABLES'] = JSON.stringify(secretNames);

  const inputs = { ...options.inputs };
  let endpointId: string | undefined;
  if (options.connection) {
    const connection = options.connection;
    const inputName = options.connectionInput ?? 'lifeTimeConnection';
    endpointId = connection.id ?? crypto.randomUUID();
    inputs[inputName] = endpointId;
    env[`ENDPOINT_URL_${endpointId}`] = connection.url;
    env[`ENDPOINT_AUTH_SCHEME_${endpointId}`] = 'Token';
    const tokenIn = connection.tokenIn ?? 'both';
    if (connection.rawAuthorization !== undefined) {
      env[`ENDPOINT_AUTH_${endpointId}`] = connection.rawAuthorization;
    } else if (tokenIn !== 'parameter') {
      env[`ENDPOINT_AUTH_${endpointId}`] = JSON.stringify({
        scheme: 'Token',
        parameters: { apitoken: connection.token },
      });
    }
    if (tokenIn !== 'json') env[`ENDPOINT_AUTH_PARAMETER_${endpointId}_APITOKEN`] = connection.token;
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${envName(name)}`] = value;
  return { env: { ...env, ...options.env }, ...(endpointId === undefined ? {} : { endpointId }) };
}

const RESULT_RANK: Record<string, number> = {
  succeeded: 0,
  succeededwithissues: 1,
  failed: 2,
  cancelled: 3,
  canceled: 3,
  skipped: 4,
};

function mergedResult(commands: VsoCommand[]): TaskRun['result'] {
  let best: TaskRun['result'];
  let bestRank = -1;
  for (const c of commands) {
    if (c.command !== 'task.complete') continue;
    const status = c.properties['result'] ?? '';
    const rank = RESULT_RANK[status.toLowerCase()] ?? 2;
    if (rank > bestRank) {
      best = { status, message: c.data };
      bestRank = rank;
    }
  }
  return best;
}

function summarise(
  stdout: string,
  stderr: string,
  exit: { exitCode: number | null; signal: NodeJS.Signals | null; timedOut: boolean; processMs: number },
  agentDirectory: string,
  endpointId: string | undefined,
): TaskRun {
  const commands = parseVsoCommands(stdout);
  const outputVariables: Record<string, string> = {};
  const run: TaskRun = {
    ...exit,
    stdout,
    stderr,
    commands,
    outputVariables,
    secrets: [],
    warnings: [],
    errors: [],
    summaries: [],
    progress: [],
    agentDirectory,
    ...(endpointId === undefined ? {} : { endpointId }),
  };
  const result = mergedResult(commands);
  if (result) run.result = result;
  for (const c of commands) {
    switch (c.command) {
      case 'task.setvariable': {
        const name = c.properties['variable'];
        if (name !== undefined) outputVariables[name] = c.data;
        break;
      }
      case 'task.setsecret':
        run.secrets.push(c.data);
        break;
      case 'task.issue':
        if (c.properties['type'] === 'warning') run.warnings.push(c.data);
        else if (c.properties['type'] === 'error') run.errors.push(c.data);
        break;
      case 'task.uploadsummary':
        run.summaries.push({ path: c.data, content: fs.existsSync(c.data) ? fs.readFileSync(c.data, 'utf8') : '' });
        break;
      case 'task.setprogress':
        run.progress.push({ value: Number(c.properties['value']), text: c.data });
        break;
    }
  }
  return run;
}

/** Starts a bundled task entry as the agent's Node24 / Node20_1 handler does: `node index.js`, env only. */
export function startTaskEntry(entry: string, options: TaskRunOptions): StartedTask {
  if (!fs.existsSync(entry)) throw new Error(`${entry} does not exist; run npm run build first`);
  const runtime = options.runtime ?? defaultTaskRuntime();
  const agentDirectory = makeTempDir({ prefix: 'airgap-agent-', withSpaces: runtime.spacesInAgentPath === true });
  const { env, endpointId } = taskEnvironment(options, agentDirectory, runtime);
  const folders = agentFolders(agentDirectory);
  for (const dir of Object.values(folders)) fs.mkdirSync(dir, { recursive: true });
  const base = runtime.command(entry);
  // A launcher wraps the runtime's node (the default runtime's command is node itself).
  const launch = options.launcher?.(base.command, entry) ?? base;
  const files = runtime.outputThroughFiles
    ? { stdout: path.join(agentDirectory, 'task-stdout.txt'), stderr: path.join(agentDirectory, 'task-stderr.txt') }
    : undefined;
  const outputFds = files && { stdout: fs.openSync(files.stdout, 'w'), stderr: fs.openSync(files.stderr, 'w') };
  // The argument no agent passes: it lets the run honour the test-only HTTP knobs in its environment.
  const spawnedAt = process.hrtime.bigint();
  const child = spawn(launch.command, [...launch.args, TEST_KNOBS_ARGUMENT], {
    cwd: options.cwd ?? folders['Build.SourcesDirectory'] ?? agentDirectory,
    env,
    stdio: ['ignore', outputFds?.stdout ?? 'pipe', outputFds?.stderr ?? 'pipe'],
    windowsHide: true,
  });
  if (outputFds !== undefined) {
    fs.closeSync(outputFds.stdout);
    fs.closeSync(outputFds.stderr);
  }
  options.onStart?.(child);

  const done = new Promise<TaskRun>((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      const processMs = Number(process.hrtime.bigint() - spawnedAt) / 1e6;
      clearTimeout(timer);
      try {
        if (files !== undefined) {
          out.push(fs.readFileSync(files.stdout));
          err.push(fs.readFileSync(files.stderr));
        }
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = Buffer.concat(err).toString('utf8');
        const run = summarise(stdout, stderr, { exitCode, signal, timedOut, processMs }, agentDirectory, endpointId);
        const leaks = findSecretLeaks(run, secretsGiven(options));
        run.secretLeaks = leaks;
        const stray = findStrayCommands(stdout, stderr, declaredOutputVariables(entry));
        run.strayCommands = stray;
        if (leaks.length > 0 && options.allowSecretLeaks !== true) {
          reject(new SecretLeakError(leaks, run));
        } else if (stray.length > 0 && options.allowStrayCommands !== true) {
          reject(new StrayCommandError(stray, run));
        } else {
          resolve(run);
        }
      } catch (error: unknown) {
        reject(error instanceof Error ? error : new Error(String(error)));
      } finally {
        if (!options.keepAgentDirectory) removeTempDir(agentDirectory);
      }
    });
  });
  return { child, done };
}

export function runTaskEntry(entry: string, options: TaskRunOptions): Promise<TaskRun> {
  return startTaskEntry(entry, options).done;
}

export function startBundledTask(task: BundledTaskName, options: TaskRunOptions): StartedTask {
  return startTaskEntry(bundledTaskEntry(task), options);
}

export function runBundledTask(task: BundledTaskName, options: TaskRunOptions): Promise<TaskRun> {
  return runTaskEntry(bundledTaskEntry(task), options);
}
