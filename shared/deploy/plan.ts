/**
 * The publication plan: producers before consumers. The dependencies are those the manifest records
 * together with those read again from each verified package's own Manifest.xml (restricted to the
 * bundle), so the order holds whichever dependency source the export used.
 */
import type { BundleApplication } from '../bundle/manifest';
import type { VerifiedBundle } from '../bundle/verify';
import { orderByDependencies } from '../ordering/order';

export interface PlannedPackage {
  position: number;
  application: BundleApplication;
  filePath: string;
  /** Names of the bundled producers this package waits for. */
  producers: string[];
}

export function planDeployment(bundle: VerifiedBundle): PlannedPackage[] {
  const byUid = new Map(bundle.packages.map((p) => [p.oap.application.uid, p.application.key]));
  const producers = new Map<string, Set<string>>();
  for (const p of bundle.packages) {
    const set = new Set<string>();
    for (const recorded of p.application.producers) set.add(recorded.key);
    for (const read of p.oap.producers) {
      const key = byUid.get(read.uid);
      if (key !== undefined) set.add(key);
    }
    set.delete(p.application.key);
    producers.set(p.application.key, set);
  }
  const nameOf = new Map(bundle.packages.map((p) => [p.application.key, p.application.name]));
  const ordered = orderByDependencies(
    bundle.packages,
    (p) => p.application.key,
    (p) => producers.get(p.application.key) ?? [],
    (p) => p.application.name,
  );
  return ordered.map((p, i) => ({
    position: i + 1,
    application: p.application,
    filePath: p.filePath,
    producers: [...(producers.get(p.application.key) ?? [])].map((k) => nameOf.get(k) ?? k),
  }));
}
