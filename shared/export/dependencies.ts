/**
 * Producer applications of each exported package, from the packages themselves (Manifest.xml) or
 * from the CI/CD Probe. Producers inside the bundle become ordering edges; the others are listed as
 * external requirements the production side must already have (platform apps included).
 */
import type { OapManifest } from '../oap/oapTypes';
import type { ExternalRequirement } from '../bundle/manifest';

export interface PackageDependencies {
  /** Application key -> keys of producer applications inside the bundle. */
  producers: Map<string, string[]>;
  externalRequirements: ExternalRequirement[];
  warnings: string[];
}

interface BundledApp {
  key: string;
  name: string;
}

function addExternal(
  list: ExternalRequirement[],
  requirement: { name: string; uid?: string; key?: string },
  by: string,
) {
  const id = requirement.uid ?? requirement.key ?? requirement.name;
  const existing = list.find((r) => (r.uid ?? r.key ?? r.name) === id);
  if (existing === undefined) {
    list.push({ ...requirement, requiredBy: [by] });
  } else if (!existing.requiredBy.includes(by)) {
    existing.requiredBy.push(by);
  }
}

/** Matches producers to bundled packages by UID only: names can repeat across infrastructures, UIDs cannot. */
export function dependenciesFromPackages(apps: readonly (BundledApp & { oap: OapManifest })[]): PackageDependencies {
  const byUid = new Map(apps.map((a) => [a.oap.application.uid, a]));
  const byName = new Map(apps.map((a) => [a.name, a]));
  const producers = new Map<string, string[]>();
  const externalRequirements: ExternalRequirement[] = [];
  const warnings: string[] = [];
  for (const app of apps) {
    const inside: string[] = [];
    for (const producer of app.oap.producers) {
      const bundled = byUid.get(producer.uid);
      if (bundled !== undefined) {
        if (bundled.key !== app.key && !inside.includes(bundled.key)) inside.push(bundled.key);
        continue;
      }
      const sameName = byName.get(producer.name);
      if (sameName !== undefined) {
        warnings.push(
          `package of "${app.name}" consumes a producer named "${producer.name}" with UID ${producer.uid}, but the bundled "${sameName.name}" has UID ${sameName.oap.application.uid}; it is not treated as the same application`,
        );
      }
      addExternal(externalRequirements, { name: producer.name, uid: producer.uid }, app.name);
    }
    producers.set(app.key, inside);
  }
  return { producers, externalRequirements, warnings };
}

/** The Probe answers with LifeTime application keys. */
export function dependenciesFromProbe(
  apps: readonly BundledApp[],
  producerKeysOf: ReadonlyMap<string, readonly string[]>,
  nameOfKey: (key: string) => string | undefined,
): PackageDependencies {
  const keys = new Set(apps.map((a) => a.key));
  const producers = new Map<string, string[]>();
  const externalRequirements: ExternalRequirement[] = [];
  for (const app of apps) {
    const inside: string[] = [];
    for (const key of producerKeysOf.get(app.key) ?? []) {
      if (keys.has(key)) {
        if (key !== app.key && !inside.includes(key)) inside.push(key);
      } else {
        addExternal(externalRequirements, { name: nameOfKey(key) ?? key, key }, app.name);
      }
    }
    producers.set(app.key, inside);
  }
  return { producers, externalRequirements, warnings: [] };
}
