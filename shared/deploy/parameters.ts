/** The deploy task's inputs, typed and checked before the bundle is read. */
import type { KeyObject } from 'node:crypto';

export interface DeployParameters {
  bundlePath: string;
  osptoolPath: string;
  targetHostname: string;
  user: string;
  password: string;
  catalogMappings?: string;
  verificationKey?: KeyObject;
  timeoutMinutes: number;
  dryRun: boolean;
}

/** A host name as OSPTool wants it: people paste URLs, so say what is wrong rather than pass it on. */
export function checkTargetHostname(value: string): string {
  const host = value.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host) || host.includes('/')) {
    throw new Error(`targetHostname "${value}" must be a host name such as preprod.example.com, not a URL or path`);
  }
  if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/.test(host)) {
    throw new Error(`targetHostname "${value}" is not a valid host name`);
  }
  return host;
}
