/**
 * Builds bundles directly (without LifeTime) for deploy and tag-sync tests: synthetic packages
 * with the real Manifest.xml shape, or the two real fixtures, and a manifest in the export's format.
 */
import * as crypto from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../paths';
import { BUNDLE_KIND, BUNDLE_SCHEMA_VERSION, serializeBundleManifest } from '../../shared/bundle/manifest';
import type { BundleApplication, BundleManifest } from '../../shared/bundle/manifest';
import { readOapManifest } from '../../shared/oap/oapReader';
import { guidToUid } from '../../shared/oap/uid';
import { writeOap } from './oapFactory';

export interface BundleAppSpec {
  name: string;
  version?: string;
  key?: string;
  /** Names of producers; those in the bundle become both Manifest.xml references and recorded producers. */
  producers?: string[];
  /** Use one of the real packages in test/fixtures/oap instead of a synthetic one. */
  realFixture?: 'trigger-pipeline-o11.oap' | 'cicd-probe-o11.oap';
  changeLog?: string;
  payloadBytes?: number;
  mobileVersions?: { NativePlatform: string; VersionNumber: string; VersionDescription?: string }[];
}

export interface BundleOptions {
  signWith?: KeyObject;
  /** Record producers in airgap-manifest.json too (the export does); false leaves only the packages' own. */
  recordProducers?: boolean;
}

function keyFor(name: string): string {
  const h = crypto.createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function makeBundle(dir: string, apps: BundleAppSpec[], options: BundleOptions = {}): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const keys = new Map(apps.map((a) => [a.name, a.key ?? keyFor(a.name)]));
  const applications: BundleApplication[] = [];
  for (const app of apps) {
    const key = keys.get(app.name) ?? '';
    const file = `${app.name.replace(/[^A-Za-z0-9]+/g, '_')}_v${(app.version ?? '1.0.0').replace(/\./g, '_')}.oap`;
    const target = path.join(dir, file);
    let uid: string;
    if (app.realFixture !== undefined) {
      fs.copyFileSync(path.join(repoRoot, 'test', 'fixtures', 'oap', app.realFixture), target);
      uid = (await readOapManifest(target)).application.uid;
    } else {
      uid = guidToUid(key);
      await writeOap(target, {
        uid,
        name: app.name,
        seed: app.name,
        payloadBytes: app.payloadBytes ?? 4096,
        producers: (app.producers ?? []).map((p) => ({ uid: guidToUid(keys.get(p) ?? keyFor(p)), name: p })),
      });
    }
    const bytes = fs.readFileSync(target);
    applications.push({
      name: app.name,
      key,
      uid,
      version: app.version ?? '1.0.0',
      versionKey: keyFor(`${app.name}@${app.version ?? '1.0.0'}`),
      changeLog: app.changeLog ?? `Release of ${app.name}.`,
      isTestApplication: false,
      ...(app.mobileVersions !== undefined ? { mobileVersions: app.mobileVersions } : {}),
      file,
      size: bytes.length,
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      producers:
        options.recordProducers === false
          ? []
          : (app.producers ?? []).filter((p) => keys.has(p)).map((p) => ({ key: keys.get(p) ?? '', name: p })),
    });
  }
  const manifest: BundleManifest = {
    schemaVersion: BUNDLE_SCHEMA_VERSION,
    kind: BUNDLE_KIND,
    createdAt: '2026-11-28T10:00:00.000Z',
    createdBy: { task: 'OutSystemsAirGapExport', version: '1.0.0' },
    source: {
      lifeTimeUrl: 'https://lifetime-dev.example.com',
      environment: { name: 'Acceptance', key: keyFor('Acceptance') },
    },
    pipeline: { buildNumber: '20261128.1' },
    dependencySource: 'packages',
    applications,
    deploymentOrder: applications.map((a) => a.key),
    externalRequirements: [],
  };
  writeManifest(dir, manifest, options.signWith);
  return dir;
}

export function writeManifest(dir: string, manifest: BundleManifest, signWith?: KeyObject): Buffer {
  const bytes = serializeBundleManifest(manifest);
  fs.writeFileSync(path.join(dir, 'airgap-manifest.json'), bytes);
  if (signWith !== undefined)
    fs.writeFileSync(path.join(dir, 'airgap-manifest.json.sig'), crypto.sign(null, bytes, signWith));
  return bytes;
}

export function readManifest(dir: string): BundleManifest {
  return JSON.parse(fs.readFileSync(path.join(dir, 'airgap-manifest.json'), 'utf8')) as BundleManifest;
}
