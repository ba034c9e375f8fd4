import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { repoRoot } from '../paths';

/**
 * Response schemas looked up in the vendor's Swagger 2.0 file by method, concrete request path and
 * status, so that tests check the emulator (or a client's expectations) against OutSystems' own
 * description rather than against a copy of it.
 */

interface SwaggerResponse {
  schema?: unknown;
  headers?: Record<string, { type?: string; format?: string }>;
}
interface SwaggerOperation {
  responses: Record<string, SwaggerResponse>;
}
interface SwaggerFile {
  basePath: string;
  paths: Record<string, Record<string, SwaggerOperation | undefined>>;
  definitions: Record<string, unknown>;
}

export const swaggerFile = path.join(repoRoot, 'test', 'fixtures', 'lifetime-api-v2.swagger.json');
const definitionsId = 'lifetime-api-v2-definitions.json';

export interface ResponseContract {
  /** The Swagger path key, e.g. `/applications/{ApplicationKey}/`. */
  pathKey: string;
  documented: boolean;
  /** Undefined when the Swagger file gives no body for the status (e.g. 204). */
  validate?: ValidateFunction;
  /** The same schema with every object closed, to catch fields the Swagger file does not define. */
  validateClosed?: ValidateFunction;
  headers: Record<string, { type?: string; format?: string }>;
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
export function isDateTime(value: string): boolean {
  return rfc3339.test(value) && !Number.isNaN(Date.parse(value));
}

/** Swagger 2.0 `#/definitions/X` refs point into the definitions schema registered with Ajv. */
function rewrite(schema: unknown, closed: boolean): unknown {
  if (Array.isArray(schema)) return schema.map((s) => rewrite(s, closed));
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === '$ref' && typeof v === 'string' ? v.replace(/^#/, closedId(closed)) : rewrite(v, closed);
  }
  if (closed && out.type === 'object' && 'properties' in out) out.additionalProperties = false;
  return out;
}

function closedId(closed: boolean): string {
  return closed ? `closed-${definitionsId}#` : `${definitionsId}#`;
}

export class SwaggerResponses {
  private readonly swagger: SwaggerFile;
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ResponseContract>();

  constructor(file = swaggerFile) {
    this.swagger = JSON.parse(fs.readFileSync(file, 'utf8')) as SwaggerFile;
    this.ajv = new Ajv({ strict: true, allErrors: true });
    // Swagger 2.0 annotations that are not JSON Schema keywords.
    this.ajv.addKeyword('example');
    this.ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
    this.ajv.addFormat('date', { type: 'string', validate: (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) });
    this.ajv.addFormat('binary', { type: 'string', validate: () => true });
    this.ajv.addFormat('int32', {
      type: 'number',
      validate: (v: number) => Number.isInteger(v) && Math.abs(v) < 2 ** 31,
    });
    this.ajv.addFormat('int64', { type: 'number', validate: (v: number) => Number.isInteger(v) });
    this.ajv.addSchema({ $id: definitionsId, definitions: rewrite(this.swagger.definitions, false) });
    this.ajv.addSchema({ $id: `closed-${definitionsId}`, definitions: rewrite(this.swagger.definitions, true) });
  }

  get basePath(): string {
    return this.swagger.basePath;
  }

  /** The Swagger path key of a request path (with or without the base path and trailing slash). */
  pathKeyFor(method: string, requestPath: string): string | undefined {
    const m = method.toLowerCase();
    let p = new URL(requestPath, 'http://x').pathname;
    if (p.startsWith(this.swagger.basePath)) p = p.slice(this.swagger.basePath.length);
    const trimmed = p.replace(/\/+$/, '');
    const candidates = Object.keys(this.swagger.paths).filter((key) => {
      if (!this.swagger.paths[key]?.[m]) return false;
      const pattern = key
        .replace(/\/+$/, '')
        .split('/')
        .map((seg) => (/^\{.+\}$/.test(seg) ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/');
      return new RegExp(`^${pattern}$`).test(trimmed);
    });
    // The exact spelling first (the file keeps slash variants apart), then literal segments over parameters.
    const params = (key: string): number => (key.match(/\{/g) ?? []).length;
    candidates.sort((a, b) => Number(b === p) - Number(a === p) || params(a) - params(b));
    return candidates[0];
  }

  contract(method: string, requestPath: string, status: number): ResponseContract | undefined {
    const pathKey = this.pathKeyFor(method, requestPath);
    if (pathKey === undefined) return undefined;
    const cacheKey = `${method} ${pathKey} ${status}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    const response = this.swagger.paths[pathKey]?.[method.toLowerCase()]?.responses[String(status)];
    const contract: ResponseContract = {
      pathKey,
      documented: response !== undefined,
      headers: response?.headers ?? {},
    };
    if (response?.schema !== undefined) {
      contract.validate = this.ajv.compile(rewrite(response.schema, false) as object);
      contract.validateClosed = this.ajv.compile(rewrite(response.schema, true) as object);
    }
    this.cache.set(cacheKey, contract);
    return contract;
  }

  /** A named definition, for bodies the file documents nowhere by status (e.g. the 401 Exception). */
  definition(name: string, closed = false): ValidateFunction {
    return this.ajv.compile({ $ref: `${closedId(closed)}/definitions/${name}` });
  }
}
