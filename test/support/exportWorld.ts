/** Shared set-up for export tests: a development LifeTime emulator, a share, and a way to run the task. */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import type { EmulatorApplicationSpec } from '../../tools/emulator/spec';
import { DEV_TOKEN, developmentEstate } from '../../tools/factories/estate';
import { runBundledTask, startBundledTask } from '../../tools/agent/taskRunner';
import type { StartedTask, TaskRun, TaskRunOptions } from '../../tools/agent/taskRunner';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';
import { snapshot } from './snapshot';

export interface ExportWorld {
  emulator: LifeTimeEmulator;
  share: string;
  run(inputs: Record<string, string>, options?: Partial<TaskRunOptions> & { token?: string }): Promise<TaskRun>;
  start(inputs: Record<string, string>, options?: Partial<TaskRunOptions>): StartedTask;
  /** Everything under the share, recursively (see snapshot), so a test can prove it unchanged. */
  shareListing(): string[];
  close(): Promise<void>;
}

export const SIGNING_KEYS = crypto.generateKeyPairSync('ed25519');
export const SIGNING_KEY_PEM = SIGNING_KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
export const PUBLIC_KEY_PEM = SIGNING_KEYS.publicKey.export({ type: 'spki', format: 'pem' }).toString();

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
    shareListing: () => snapshot(share),
    close: async () => {
      await emulator.close();
      removeTempDir(share);
    },
  };
}

/** One pinned version in a deployment manifest (the format the reference project writes). */
export interface PinnedEntry {
  ApplicationName: string;
  ApplicationKey: string | undefined;
  Version: string;
  VersionKey: string | undefined;
  IsModified?: boolean;
}

/** Writes a deployment manifest beside the world's share (not in it) and returns its path. */
export function writeDeploymentManifest(world: ExportWorld, fileName: string, pins: readonly PinnedEntry[]): string {
  const file = path.join(world.share, '..', fileName);
  fs.writeFileSync(file, JSON.stringify(pins));
  return file;
}
