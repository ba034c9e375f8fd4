import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../paths';

/**
 * Which method and path the vendor's Swagger file describes, so that the emulator answers 501 (not
 * served here) rather than 404 for a real LifeTime resource it does not implement: OutSystems' own
 * Python client reads a 404 on a deployment path as "Can't find the source or target environment".
 */
const swaggerFile = path.join(repoRoot, 'test', 'fixtures', 'lifetime-api-v2.swagger.json');

interface Described {
  method: string;
  pattern: RegExp;
}

let described: Described[] | undefined;

function load(): Described[] {
  const swagger = JSON.parse(fs.readFileSync(swaggerFile, 'utf8')) as { paths: Record<string, object> };
  return Object.entries(swagger.paths).flatMap(([key, operations]) => {
    const pattern = key
      .replace(/\/+$/, '')
      .split('/')
      .map((seg) => (/^\{.+\}$/.test(seg) ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    return Object.keys(operations).map((method) => ({
      method: method.toUpperCase(),
      pattern: new RegExp(`^${pattern}$`, 'i'),
    }));
  });
}

/** `below` is the path under the API base, e.g. `/deployments/abc/status`. */
export function describedBySwagger(method: string, below: string): boolean {
  described ??= load();
  const trimmed = below.replace(/\/+$/, '');
  return described.some((d) => d.method === method.toUpperCase() && d.pattern.test(trimmed));
}
