/** Shared set-up for export tests: a development LifeTime emulator, a share, and a way to run the task. */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import type { EmulatorApplicationSpec } from '../../tools/emulator/spec';
import { DEV_TOKEN, developmentEstate } from '../../tools/factories/estate';
import { findSecretLeaks } from '../../tools/agent/secretScan';
import { runBundledTask, startBundledTask } from '../../tools/agent/taskRunner';
import type { StartedTask, TaskRun, TaskRunOptions } from '../../tools/agent/taskRunner';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';

export interface ExportWorld {
  emulator: LifeTimeEmulator;
  share: string;
  run(inputs: Record<string, string>, options?: Partial<TaskRunOptions> & { token?: string }): Promise<TaskRun>;
  start(inputs: Record<string, string>, options?: Partial<TaskRunOptions>): StartedTask;
  /** Everything under the share, recursively, so a test can prove it unchanged. */
  shareListing(): string[];
  close(): Promise<void>;
}

export const SIGNING_KEYS = crypto.generateKeyPairSync('ed25519');
export const SIGNING_KEY_PEM = SIGNING_KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
export const PUBLIC_KEY_PEM = SIGNING_KEYS.publicKey.export({ type: 'spki', format: 'pem' }).toString();

function listRecursive(root: string, dir = root): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    const rel = path.relative(root, full);
    return entry.isDirectory() ? [rel + '/', ...listRecursive(root, full)] : [rel];
  });
}

export async function exportWorld(
  extraApps: EmulatorApplicationSpec[] = [],
  options: { shareWithSpaces?: boolean; probeKey?: string } = {},
): Promise<ExportWorld> {
  const estate = developmentEstate(extraApps);
  if (options.probeKey !== undefined) estate.probeKey = options.probeKey;
  const emulator = await LifeTimeEmulator.start(estate);
  const share = makeTempDir({ prefix: 'airgap-share-', withSpaces: options.shareWithSpaces ?? true });
  const optionsFor = (inputs: Record<string, string>, extra: Partial<TaskRunOptions> & { token?: string } = {}) => ({
    inputs: { sourceEnvironment: 'Acceptance', sharePath: share, bundleName: 'release-42', ...inputs },
    connection: { url: emulator.url, token: extra.token ?? DEV_TOKEN },
    ...extra,
  });
  return {
    emulator,
    share,
    run: (inputs, extra) => runBundledTask('AirGapExport', optionsFor(inputs, extra)),
    start: (inputs, extra) => startBundledTask('AirGapExport', optionsFor(inputs, extra)),
    shareListing: () => listRecursive(share).sort(),
    close: async () => {
      await emulator.close();
      removeTempDir(share);
    },
  };
}

/** Fails with the leak descriptions (never the secret) when a run printed one. */
export function assertNoLeaks(run: TaskRun, secrets: string[]): void {
  const leaks = findSecretLeaks(run, secrets);
  if (leaks.length > 0) throw new Error(`secrets leaked: ${leaks.join('; ')}`);
}

export function failureOf(run: TaskRun): string {
  if (run.result?.status !== 'Failed') {
    throw new Error(`expected a Failed result, got ${JSON.stringify(run.result)}\n${run.stdout}\n${run.stderr}`);
  }
  return run.result.message;
}

export function succeeded(run: TaskRun): void {
  if (run.result?.status !== 'Succeeded' && run.result?.status !== 'SucceededWithIssues') {
    throw new Error(`expected success, got ${JSON.stringify(run.result)}\n${run.stdout}\n${run.stderr}`);
  }
}
