import { loadPublicKey } from '../bundle/signing';
import { readLifeTimeConnection } from '../task/connection';
import { optionalString, requiredString } from '../task/inputs';
import type { SyncTagsParameters } from './parameters';

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
