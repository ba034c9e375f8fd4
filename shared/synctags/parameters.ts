/** The tag sync task's inputs: the typed parameters, and their reader. */
import type { KeyObject } from 'node:crypto';
import { loadPublicKey } from '../bundle/signing';
import { readLifeTimeConnection } from '../task/connection';
import { optionalString, requiredString } from '../task/inputs';

export interface SyncTagsParameters {
  lifeTime: { serverUrl: string; token: string };
  targetEnvironment: string;
  bundlePath: string;
  verificationKey?: KeyObject;
}

export function readSyncTagsParameters(): SyncTagsParameters {
  const lifeTime = readLifeTimeConnection('lifeTimeConnection');
  const params: SyncTagsParameters = {
    lifeTime: { serverUrl: lifeTime.serverUrl, token: lifeTime.token },
    targetEnvironment: requiredString('targetEnvironment'),
    bundlePath: requiredString('bundlePath'),
  };
  const key = optionalString('verificationKey');
  if (key !== undefined) params.verificationKey = loadPublicKey(key, 'verificationKey');
  return params;
}
