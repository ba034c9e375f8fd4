import type { KeyObject } from 'node:crypto';

export interface SyncTagsParameters {
  lifeTime: { serverUrl: string; token: string };
  targetEnvironment: string;
  bundlePath: string;
  verificationKey?: KeyObject;
}
