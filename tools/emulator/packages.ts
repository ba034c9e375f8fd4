import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeOap } from '../factories/oapFactory';
import type { ApplicationState, EmulatorState, VersionState } from './state';

/** The .oap of every tagged version, generated on disk with the application's producers in its Manifest.xml. */
export class PackageStore {
  constructor(
    private readonly workDir: string,
    private readonly state: EmulatorState,
  ) {}

  pathFor(app: ApplicationState, version: VersionState): string {
    return path.join(this.workDir, app.key, `${version.key}.oap`);
  }

  /** The name a browser would save the download as. */
  fileNameFor(app: ApplicationState): string {
    return `${app.name.replace(/[^A-Za-z0-9_-]+/g, '_')}.oap`;
  }

  async generate(app: ApplicationState, version: VersionState): Promise<void> {
    if (version.noBinary) return;
    const filePath = this.pathFor(app, version);
    await fs.promises.mkdir(path.dirname(filePath), { recursive: true });
    const producers = app.producers.flatMap((name) => {
      const producer = this.state.applicationByName(name);
      return producer ? [{ uid: producer.uid, name: producer.name }] : [];
    });
    await writeOap(filePath, {
      uid: app.uid,
      name: app.name,
      producers,
      moduleName: app.name.replace(/[^A-Za-z0-9_]/g, ''),
      payloadBytes: app.packageBytes,
      ...(app.iconBytes !== undefined ? { iconBytes: app.iconBytes } : {}),
      // Distinct bytes per version, so that a client that mixes up versions is caught by sha256.
      seed: `${app.key}/${version.key}/${version.version}`,
      description: app.description,
    });
  }

  /** A few at a time: large packages are written by streams, and many at once only thrash the disk. */
  async generateAll(): Promise<void> {
    const jobs = this.state.applications.flatMap((app) => app.versions.map((v) => () => this.generate(app, v)));
    const workers = Array.from({ length: Math.min(4, jobs.length) }, async () => {
      for (let job = jobs.shift(); job; job = jobs.shift()) await job();
    });
    await Promise.all(workers);
  }
}
