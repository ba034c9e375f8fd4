/** The deploy task's inputs: the typed parameters, and their reader; every failure names the input at fault. */
import type { KeyObject } from 'node:crypto';
import { loadPublicKey } from '../bundle/signing';
import * as tl from 'azure-pipelines-task-lib/task';
import { readLifeTimeConnection } from '../task/connection';
import { bool, minutes, oneOf, optionalString, requiredString } from '../task/inputs';
import { readSecretInput } from '../task/secrets';

export type PublishMethod = 'osptool' | 'lifetime';

/** OSPTool on this agent; its inputs are required only with this method. */
export interface OspToolTarget {
  method: 'osptool';
  osptoolPath: string;
  targetHostname: string;
  user: string;
  password: string;
  catalogMappings?: string;
}

export interface LifeTimeTarget {
  serverUrl: string;
  token: string;
  /** LifeTime name of the target environment (PRE). */
  environment: string;
}

export interface DeployParameters {
  bundlePath: string;
  /** With `lifetime`, the production LifeTime's binary deployment publishes; `lifeTime` is then set. */
  publish: OspToolTarget | { method: 'lifetime' };
  /** The production LifeTime: the pre-flight, and with `lifetime` the publisher. */
  lifeTime?: LifeTimeTarget;
  verificationKey?: KeyObject;
  allowDowngrade: boolean;
  /** 0: a missing file fails at once. */
  waitForBundleMinutes: number;
  timeoutMinutes: number;
  dryRun: boolean;
}

/** The host name the journal and the messages name: OSPTool's target, or what LifeTime registered. */
export function configuredHostname(params: DeployParameters): string | undefined {
  return params.publish.method === 'osptool' ? params.publish.targetHostname : undefined;
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

/** Minutes, fractions allowed (0.5 is 30 seconds), at most a day; `zero` says whether 0 is allowed. */
function ospToolTarget(password: string | undefined): OspToolTarget {
  if (password === undefined) {
    throw new Error("Input 'airGapPassword' is required with publishMethod 'osptool': the password of 'airGapUser'.");
  }
  const target: OspToolTarget = {
    method: 'osptool',
    osptoolPath: requiredString('osptoolPath'),
    targetHostname: checkTargetHostname(requiredString('targetHostname')),
    user: requiredString('airGapUser'),
    password,
  };
  const catalogMappings = optionalString('catalogMappings');
  if (catalogMappings !== undefined) target.catalogMappings = catalogMappings;
  return target;
}

/** Whether the optional service connection input holds an endpoint id (a non-secret input). */
function connectionChosen(): boolean {
  return (tl.getInput('lifeTimeConnection', false)?.trim() ?? '') !== '';
}

export function readDeployParameters(): DeployParameters {
  // The password is registered as a secret before any other input is read or anything printed.
  const password = readSecretInput('airGapPassword');
  const method = oneOf<PublishMethod>('publishMethod', ['osptool', 'lifetime'], 'osptool');
  let lifeTime: LifeTimeTarget | undefined;
  if (connectionChosen()) {
    // The token is read from the agent's vault and registered as a secret inside.
    const connection = readLifeTimeConnection('lifeTimeConnection');
    const environment = optionalString('targetEnvironment');
    if (environment === undefined) {
      throw new Error(
        "Input 'targetEnvironment' is required with 'lifeTimeConnection': the LifeTime name of the target environment, e.g. Pre-Production.",
      );
    }
    lifeTime = { serverUrl: connection.serverUrl, token: connection.token, environment };
  } else {
    if (method === 'lifetime') {
      throw new Error(
        "Input 'lifeTimeConnection' is required with publishMethod 'lifetime': the production LifeTime deploys the packages.",
      );
    }
    if (optionalString('targetEnvironment') !== undefined) {
      throw new Error(
        "Input 'targetEnvironment' is set but 'lifeTimeConnection' is not: choose the production LifeTime's service connection, or clear targetEnvironment.",
      );
    }
  }
  const allowDowngrade = bool('allowDowngrade', false);
  if (allowDowngrade && lifeTime === undefined) {
    throw new Error(
      "Input 'allowDowngrade' needs 'lifeTimeConnection': only the pre-flight in the production LifeTime can tell a downgrade.",
    );
  }
  if (method === 'lifetime' && optionalString('catalogMappings') !== undefined) {
    throw new Error(
      "Input 'catalogMappings' is handed to OSPTool; publishMethod 'lifetime' does not use OSPTool: clear it, or publish with 'osptool'.",
    );
  }
  const params: DeployParameters = {
    bundlePath: requiredString('bundlePath'),
    publish: method === 'osptool' ? ospToolTarget(password) : { method: 'lifetime' },
    allowDowngrade,
    waitForBundleMinutes: minutes('waitForBundleMinutes', 0, true),
    timeoutMinutes: minutes('timeoutMinutes', 60, false),
    dryRun: bool('dryRun', false),
  };
  if (lifeTime !== undefined) params.lifeTime = lifeTime;
  const key = optionalString('verificationKey');
  if (key !== undefined) params.verificationKey = loadPublicKey(key, 'verificationKey');
  return params;
}
