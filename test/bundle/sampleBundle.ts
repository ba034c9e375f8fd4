// Bundles written the way the export task writes them, for verification tests.
import type { KeyObject } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BUNDLE_KIND,
  BUNDLE_SCHEMA_VERSION,
  MANIFEST_FILE_NAME,
  SIGNATURE_FILE_NAME,
  serializeBundleManifest,
} from '../../shared/bundle/manifest';
import type { BundleApplication, BundleManifest } from '../../shared/bundle/manifest';
import { signManifest } from '../../shared/bundle/signing';
import { guidToUid } from '../../shared/oap/uid';
import { writeOap } from '../../tools/factories/oapFactory';

export interface SampleApp {
  name: string;
  /** Names of producer apps in the same bundle. */
  producers?: string[];
  payloadBytes?: number;
}

export function keyOf(name: string): string {
  const hex = Buffer.from(name.padEnd(16, '.').slice(0, 16), 'latin1').toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function uidOf(name: string): string {
  return guidToUid(keyOf(name));
}

export function sampleManifest(applications: BundleApplication[]): BundleManifest {
  return {
    schemaVersion: BUNDLE_SCHEMA_VERSION,
    kind: BUNDLE_KIND,
    createdAt: '2026-11-28T10:00:00.000Z',
    createdBy: { task: 'OutSystemsAirGapExport', version: '1.0.0' },
    source: { lifeTimeUrl: 'https://lt.example.com', environment: { name: 'Acceptance', key: keyOf('Acceptance') } },
    pipeline: {
      collectionUri: 'https://dev.azure.com/org/',
      teamProject: 'Core',
      buildNumber: '20261128.1',
      buildId: '42',
    },
    dependencySource: 'packages',
    applications,
    deploymentOrder: applications.map((a) => a.key),
    externalRequirements: [
      { name: 'System Components', uid: 'TZGvlRpo3EqyvfVG3iPkEQ', requiredBy: applications.map((a) => a.name) },
    ],
  };
}

export function sampleApplication(name: string, overrides: Partial<BundleApplication> = {}): BundleApplication {
  return {
    name,
    key: keyOf(name),
    uid: uidOf(name),
    version: '1.0.0',
    versionKey: keyOf(`v-${name}`),
    changeLog: `Release of ${name}`,
    createdOn: '2026-11-27T09:00:00Z',
    isTestApplication: false,
    file: `${name.replace(/[^A-Za-z0-9]+/g, '_')}_v1_0_0.oap`,
    size: 0,
    sha256: '0'.repeat(64),
    producers: [],
    ...overrides,
  };
}

/** Writes packages, manifest and (with a key) signature into `folder`; returns the manifest. */
export async function writeSampleBundle(
  folder: string,
  apps: SampleApp[],
  options: { signWith?: KeyObject } = {},
): Promise<BundleManifest> {
  await mkdir(folder, { recursive: true });
  const applications: BundleApplication[] = [];
  for (const a of apps) {
    const application = sampleApplication(a.name, {
      producers: (a.producers ?? []).map((p) => ({ key: keyOf(p), name: p })),
    });
    const written = await writeOap(join(folder, application.file), {
      uid: application.uid,
      name: a.name,
      producers: [
        { uid: 'TZGvlRpo3EqyvfVG3iPkEQ', name: 'System Components' },
        ...(a.producers ?? []).map((p) => ({ uid: uidOf(p), name: p })),
      ],
      payloadBytes: a.payloadBytes ?? 2048,
    });
    applications.push({ ...application, size: written.size, sha256: written.sha256 });
  }
  const manifest = sampleManifest(applications);
  await writeManifest(folder, manifest, options.signWith);
  return manifest;
}

export async function writeManifest(folder: string, manifest: BundleManifest, signWith?: KeyObject): Promise<Buffer> {
  const bytes = serializeBundleManifest(manifest);
  await writeFile(join(folder, MANIFEST_FILE_NAME), bytes);
  if (signWith !== undefined) {
    await writeFile(join(folder, SIGNATURE_FILE_NAME), signManifest(bytes, signWith));
  }
  return bytes;
}
