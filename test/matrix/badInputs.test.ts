/**
 * The bad-input matrix: one table of wrong inputs across the three bundled tasks. Each run must
 * end Failed with a message that names the culprit (the input, or the value at fault), must leave
 * the share exactly as it was, must call OSPTool never, and (like every run in the suite, by the
 * task runner's automatic scan) must not print the secrets it was given.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import { deployWorld, type DeployWorld } from '../support/deployWorld';
import { snapshot } from '../support/snapshot';
import { failureOf } from '../support/taskResults';
import { makeBundle, readManifest } from '../../tools/factories/bundleFactory';
import { DEV_TOKEN, PRE_HOSTNAME, PROD_TOKEN, developmentEstate } from '../../tools/factories/estate';
import { runBundledTask, type BundledTaskName, type TaskConnection } from '../../tools/agent/taskRunner';
import { FAST_HTTP, TAG_APPS } from './matrixSupport';

const ED = crypto.generateKeyPairSync('ed25519');
const ED_PRIVATE = ED.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ED_PUBLIC = ED.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const ED_ENCRYPTED = ED.privateKey
  .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'matrix-passphrase' })
  .toString();
const RSA = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
const RSA_PRIVATE = RSA.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const RSA_PUBLIC = RSA.publicKey.export({ type: 'spki', format: 'pem' }).toString();

interface Paths {
  share: string;
  bundle: string;
  notAFolder: string;
  missing: string;
  emptyDir: string;
  badJson: string;
  numberJson: string;
  hugeKey: string;
}

interface BadInput {
  task: BundledTaskName;
  why: string;
  /** Changes to the task's good inputs; undefined removes an input. */
  inputs: (p: Paths) => Record<string, string | undefined>;
  /** Changes to the good service connection; null gives none. */
  connection?: (good: TaskConnection) => TaskConnection | null;
  message: RegExp[];
}

const CASES: BadInput[] = [
  // OutSystemsAirGapExport@1
  {
    task: 'AirGapExport',
    why: 'an empty sourceEnvironment',
    inputs: () => ({ sourceEnvironment: '  ' }),
    message: [/'sourceEnvironment' is required/],
  },
  {
    task: 'AirGapExport',
    why: 'an unknown sourceEnvironment',
    inputs: () => ({ sourceEnvironment: 'Staging' }),
    message: [/"?Staging"?/, /Acceptance/],
  },
  {
    task: 'AirGapExport',
    why: 'an environment name with odd characters',
    inputs: () => ({ sourceEnvironment: 'Acceptänce ✓ <b>' }),
    message: [/Acceptänce ✓ <b>/],
  },
  {
    task: 'AirGapExport',
    why: 'both applications and manifestFile',
    inputs: (p) => ({ manifestFile: p.badJson }),
    message: [/either 'applications' or 'manifestFile'/],
  },
  {
    task: 'AirGapExport',
    why: 'neither applications nor manifestFile',
    inputs: () => ({ applications: undefined }),
    message: [/'applications'.*'manifestFile'/],
  },
  {
    task: 'AirGapExport',
    why: 'applications that are only separators',
    inputs: () => ({ applications: ' ,\n , ' }),
    message: [/'applications'/],
  },
  {
    task: 'AirGapExport',
    why: 'an unknown application name',
    inputs: () => ({ applications: 'Reporting, Payroll' }),
    message: [/"Payroll"/],
  },
  {
    task: 'AirGapExport',
    why: 'an application name with odd characters',
    inputs: () => ({ applications: '💥 App; DROP TABLE' }),
    message: [/💥 App; DROP TABLE/],
  },
  {
    task: 'AirGapExport',
    why: 'a manifestFile that does not exist',
    inputs: (p) => ({ applications: undefined, manifestFile: p.missing }),
    message: [/manifest file/, /no-such-file/],
  },
  {
    task: 'AirGapExport',
    why: 'a manifestFile that is not JSON',
    inputs: (p) => ({ applications: undefined, manifestFile: p.badJson }),
    message: [/not valid JSON/, /bad manifest\.json/],
  },
  {
    task: 'AirGapExport',
    why: 'a manifestFile of the wrong JSON type',
    inputs: (p) => ({ applications: undefined, manifestFile: p.numberJson }),
    message: [/number manifest\.json/],
  },
  {
    task: 'AirGapExport',
    why: 'includeTestApplications that is not a boolean',
    inputs: (p) => ({ applications: undefined, manifestFile: p.badJson, includeTestApplications: 'maybe' }),
    message: [/'includeTestApplications' must be true or false, not 'maybe'/],
  },
  {
    task: 'AirGapExport',
    why: 'friendlyPackageNames that is not a boolean',
    inputs: () => ({ friendlyPackageNames: 'yes' }),
    message: [/'friendlyPackageNames'/],
  },
  {
    task: 'AirGapExport',
    why: 'downloadParallelism that is not a number',
    inputs: () => ({ downloadParallelism: 'four' }),
    message: [/'downloadParallelism'.*'four'/],
  },
  {
    task: 'AirGapExport',
    why: 'a downloadParallelism of 0',
    inputs: () => ({ downloadParallelism: '0' }),
    message: [/'downloadParallelism'/],
  },
  {
    task: 'AirGapExport',
    why: 'a downloadParallelism above 16',
    inputs: () => ({ downloadParallelism: '17' }),
    message: [/'downloadParallelism' must be at most 16/],
  },
  {
    task: 'AirGapExport',
    why: 'an unknown dependencySource',
    inputs: () => ({ dependencySource: 'graph' }),
    message: [/'dependencySource'.*'graph'/],
  },
  {
    task: 'AirGapExport',
    why: 'dependencySource probe without probeUrl',
    inputs: () => ({ dependencySource: 'probe' }),
    message: [/'probeUrl' is required/],
  },
  {
    task: 'AirGapExport',
    why: 'a probeUrl that is not a URL',
    inputs: () => ({ dependencySource: 'probe', probeUrl: 'regression server', probeKey: 'probe-key-0987654321' }),
    message: [/'probeUrl' is not a valid URL/],
  },
  {
    task: 'AirGapExport',
    why: 'a probeUrl that is not http(s)',
    inputs: () => ({ dependencySource: 'probe', probeUrl: 'ftp://probe.example.com/' }),
    message: [/'probeUrl' must be an http\(s\) URL/],
  },
  {
    task: 'AirGapExport',
    why: 'a bundleName that climbs out of the share',
    inputs: () => ({ bundleName: '../escape' }),
    message: [/bundleName "\.\.\/escape"/],
  },
  {
    task: 'AirGapExport',
    why: 'a bundleName Windows cannot hold',
    inputs: () => ({ bundleName: 'release:42?' }),
    message: [/bundleName "release:42\?"/],
  },
  {
    task: 'AirGapExport',
    why: 'a bundleName too long for the staging folder beside it (238 characters)',
    inputs: () => ({ bundleName: 'R'.repeat(238) }),
    message: [/^Input 'bundleName': bundleName "R{238}" is 238 characters long; at most 237 fit/],
  },
  {
    task: 'AirGapExport',
    why: 'a bundleName Windows takes for the console (CONIN$)',
    inputs: () => ({ bundleName: 'CONIN$' }),
    message: [/^Input 'bundleName': bundleName "CONIN\$" is a name Windows reserves for a device/],
  },
  {
    task: 'AirGapExport',
    why: 'a bundleName starting with a dot',
    inputs: () => ({ bundleName: '.hidden' }),
    message: [/bundleName "\.hidden"/],
  },
  {
    task: 'AirGapExport',
    why: 'a sharePath that does not exist',
    inputs: (p) => ({ sharePath: p.missing }),
    message: [/share path .*no-such-file/],
  },
  {
    task: 'AirGapExport',
    why: 'a sharePath that is a file',
    inputs: (p) => ({ sharePath: p.notAFolder }),
    message: [/share path .*not a folder/],
  },
  {
    task: 'AirGapExport',
    why: 'a signingKey that is neither PEM nor a path',
    inputs: () => ({ signingKey: 'MC4CAQAwBQYDK2VwBCIEIGq0Wc9n1Z5P1tHk3o8Zr0Yk2b4mJ0vXcT1QeYl8sA9B' }),
    message: [/signingKey is neither PEM text/],
  },
  {
    task: 'AirGapExport',
    why: 'a public key as signingKey',
    inputs: () => ({ signingKey: ED_PUBLIC }),
    message: [/signingKey is a public key/],
  },
  {
    task: 'AirGapExport',
    why: 'an RSA signingKey',
    inputs: () => ({ signingKey: RSA_PRIVATE }),
    message: [/signingKey holds a key of type RSA/],
  },
  {
    task: 'AirGapExport',
    why: 'an encrypted signingKey',
    inputs: () => ({ signingKey: ED_ENCRYPTED }),
    message: [/signingKey is an encrypted private key/],
  },
  {
    task: 'AirGapExport',
    why: 'a signingKey file that does not exist',
    inputs: (p) => ({ signingKey: p.missing }),
    // The path of a secret input is masked like the input itself; the message still names the input.
    message: [/signingKey \(file .*\) cannot be read \(ENOENT\)/],
  },
  {
    task: 'AirGapExport',
    why: 'a signingKey path that is a folder (unreadable as a file)',
    inputs: (p) => ({ signingKey: p.emptyDir }),
    message: [/signingKey \(file .*\) is not a file/],
  },
  {
    task: 'AirGapExport',
    why: 'a signingKey file too large to be a key',
    inputs: (p) => ({ signingKey: p.hugeKey }),
    message: [/signingKey \(file .*\) is \d+ bytes, too large/],
  },
  {
    task: 'AirGapExport',
    why: 'no service connection',
    inputs: () => ({}),
    connection: () => null,
    message: [/'lifeTimeConnection' is required/],
  },
  {
    task: 'AirGapExport',
    why: 'a connection URL that is not a URL',
    inputs: () => ({}),
    connection: (c) => ({ ...c, url: 'lifetime dev server' }),
    message: [/service connection .* not a valid URL/],
  },
  {
    task: 'AirGapExport',
    why: 'a connection URL that is not http(s)',
    inputs: () => ({}),
    connection: (c) => ({ ...c, url: 'ftp://lifetime.example.com' }),
    message: [/must have an http\(s\) server URL, not 'ftp:'/],
  },
  {
    task: 'AirGapExport',
    why: 'a connection URL with credentials in it',
    inputs: () => ({}),
    connection: (c) => ({ ...c, url: c.url.replace('://', '://admin:hunter2-secret@') }),
    message: [/credentials/],
  },
  {
    task: 'AirGapExport',
    why: 'a connection without a token',
    inputs: () => ({}),
    connection: (c) => ({ ...c, tokenIn: 'json', rawAuthorization: '{"scheme":"Token","parameters":{}}' }),
    message: [/has no API token/],
  },
  {
    task: 'AirGapExport',
    why: 'a connection whose authorization is not JSON',
    inputs: () => ({}),
    connection: (c) => ({ ...c, tokenIn: 'json', rawAuthorization: `{"parameters":{"apitoken":"${c.token}"` }),
    message: [/authorization that is not valid JSON/],
  },
  // OutSystemsAirGapDeploy@1
  {
    task: 'AirGapDeploy',
    why: 'an empty bundlePath',
    inputs: () => ({ bundlePath: '' }),
    message: [/'bundlePath' is required/],
  },
  {
    task: 'AirGapDeploy',
    why: 'a bundlePath that does not exist',
    inputs: (p) => ({ bundlePath: p.missing }),
    message: [/no-such-file/],
  },
  {
    task: 'AirGapDeploy',
    why: 'a bundlePath that is a file',
    inputs: (p) => ({ bundlePath: p.notAFolder }),
    message: [/not a file\.txt/],
  },
  {
    task: 'AirGapDeploy',
    why: 'a bundlePath with no bundle in it',
    inputs: (p) => ({ bundlePath: p.emptyDir }),
    message: [/airgap-manifest\.json/],
  },
  {
    task: 'AirGapDeploy',
    why: 'an osptoolPath that does not exist',
    inputs: (p) => ({ osptoolPath: p.missing }),
    message: [/OSPTool .*no-such-file.* does not exist/],
  },
  {
    task: 'AirGapDeploy',
    why: 'an osptoolPath that is a folder',
    inputs: (p) => ({ osptoolPath: p.emptyDir }),
    message: [/OSPTool .* is not a file/],
  },
  {
    task: 'AirGapDeploy',
    why: 'a URL as targetHostname',
    inputs: () => ({ targetHostname: `https://${PRE_HOSTNAME}/` }),
    message: [/targetHostname ".*" must be a host name/],
  },
  {
    task: 'AirGapDeploy',
    why: 'a targetHostname with a space',
    inputs: () => ({ targetHostname: 'pre prod.example.com' }),
    message: [/targetHostname "pre prod\.example\.com" is not a valid host name/],
  },
  {
    task: 'AirGapDeploy',
    why: 'an empty airGapUser',
    inputs: () => ({ airGapUser: undefined }),
    message: [/'airGapUser' is required/],
  },
  {
    task: 'AirGapDeploy',
    why: 'an empty airGapPassword',
    inputs: () => ({ airGapPassword: '   ' }),
    message: [/'airGapPassword' is required/],
  },
  {
    task: 'AirGapDeploy',
    why: 'timeoutMinutes that is not a number',
    inputs: () => ({ timeoutMinutes: 'an hour' }),
    message: [/'timeoutMinutes'.*'an hour'/],
  },
  {
    task: 'AirGapDeploy',
    why: 'a negative timeoutMinutes',
    inputs: () => ({ timeoutMinutes: '-5' }),
    message: [/'timeoutMinutes'.*'-5'/],
  },
  {
    task: 'AirGapDeploy',
    why: 'dryRun that is not a boolean',
    inputs: () => ({ dryRun: 'perhaps' }),
    message: [/'dryRun' must be true or false/],
  },
  {
    task: 'AirGapDeploy',
    why: 'a catalogMappings file that does not exist',
    inputs: (p) => ({ catalogMappings: p.missing }),
    message: [/catalog mappings file .*no-such-file/],
  },
  {
    task: 'AirGapDeploy',
    why: 'a private key as verificationKey',
    inputs: () => ({ verificationKey: ED_PRIVATE }),
    message: [/verificationKey is a private key/],
  },
  {
    task: 'AirGapDeploy',
    why: 'a verificationKey that is not a PEM public key',
    inputs: () => ({ verificationKey: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' }),
    message: [/verificationKey is not a PEM public key/],
  },
  {
    task: 'AirGapDeploy',
    why: 'an RSA verificationKey',
    inputs: () => ({ verificationKey: RSA_PUBLIC }),
    message: [/verificationKey holds a key of type RSA/],
  },
  {
    task: 'AirGapDeploy',
    why: 'publishMethod lifetime without lifeTimeConnection',
    inputs: () => ({ publishMethod: 'lifetime', targetEnvironment: undefined }),
    message: [/'lifeTimeConnection' is required with publishMethod 'lifetime'/],
  },
  {
    task: 'AirGapDeploy',
    why: 'an unknown publishMethod',
    inputs: () => ({ publishMethod: 'ftp' }),
    message: [/publishMethod/, /ftp/],
  },
  {
    task: 'AirGapDeploy',
    why: 'lifeTimeConnection without targetEnvironment',
    inputs: () => ({}),
    connection: (c) => c,
    message: [/'targetEnvironment' is required with 'lifeTimeConnection'/],
  },
  {
    task: 'AirGapDeploy',
    why: 'targetEnvironment without lifeTimeConnection',
    inputs: () => ({ targetEnvironment: 'Pre-Production' }),
    message: [/'targetEnvironment' is set but 'lifeTimeConnection' is not/],
  },
  {
    task: 'AirGapDeploy',
    why: 'allowDowngrade without lifeTimeConnection',
    inputs: () => ({ allowDowngrade: 'true' }),
    message: [/'allowDowngrade' needs 'lifeTimeConnection'/],
  },
  {
    task: 'AirGapDeploy',
    why: 'allowDowngrade that is not a boolean',
    inputs: () => ({ allowDowngrade: 'sometimes', targetEnvironment: 'Pre-Production' }),
    connection: (c) => c,
    message: [/'allowDowngrade' must be true or false/],
  },
  {
    task: 'AirGapDeploy',
    why: 'catalogMappings with publishMethod lifetime',
    inputs: (p) => ({ publishMethod: 'lifetime', targetEnvironment: 'Pre-Production', catalogMappings: p.missing }),
    connection: (c) => c,
    message: [/'catalogMappings' is handed to OSPTool; publishMethod 'lifetime' does not use OSPTool/],
  },
  {
    task: 'AirGapDeploy',
    why: 'publishMethod lifetime with an unknown targetEnvironment',
    inputs: () => ({ publishMethod: 'lifetime', targetEnvironment: 'PRE' }),
    connection: (c) => c,
    message: [/environment "PRE" not found/, /Pre-Production/],
  },
  {
    task: 'AirGapDeploy',
    why: 'publishMethod lifetime with a connection over plain http to another host',
    inputs: () => ({ publishMethod: 'lifetime', targetEnvironment: 'Pre-Production' }),
    connection: (c) => ({ ...c, url: 'http://lifetime.example.com' }),
    message: [/http:\/\/ server URL .* unencrypted/],
  },
  {
    task: 'AirGapDeploy',
    why: 'waitForBundleMinutes that is not a number',
    inputs: () => ({ waitForBundleMinutes: 'soon' }),
    message: [/'waitForBundleMinutes'.*'soon'/],
  },
  {
    task: 'AirGapDeploy',
    why: 'a negative waitForBundleMinutes',
    inputs: () => ({ waitForBundleMinutes: '-1' }),
    message: [/'waitForBundleMinutes'.*'-1'/],
  },
  // OutSystemsAirGapSyncTags@1
  {
    task: 'AirGapSyncTags',
    why: 'an empty targetEnvironment',
    inputs: () => ({ targetEnvironment: '' }),
    message: [/'targetEnvironment' is required/],
  },
  {
    task: 'AirGapSyncTags',
    why: 'an unknown targetEnvironment',
    inputs: () => ({ targetEnvironment: 'PRE' }),
    message: [/PRE/, /Pre-Production/],
  },
  {
    task: 'AirGapSyncTags',
    why: 'a bundlePath that does not exist',
    inputs: (p) => ({ bundlePath: p.missing }),
    message: [/no-such-file/],
  },
  {
    task: 'AirGapSyncTags',
    why: 'a verificationKey file that does not exist',
    inputs: (p) => ({ verificationKey: p.missing }),
    message: [/verificationKey \(file ".*no-such-file"\) cannot be read/],
  },
  {
    task: 'AirGapSyncTags',
    why: 'an encrypted private key as verificationKey',
    inputs: () => ({ verificationKey: ED_ENCRYPTED }),
    message: [/verificationKey is a private key/],
  },
  {
    task: 'AirGapSyncTags',
    why: 'no service connection',
    inputs: () => ({}),
    connection: () => null,
    message: [/'lifeTimeConnection' is required/],
  },
  {
    task: 'AirGapSyncTags',
    why: 'a connection URL that is not http(s)',
    inputs: () => ({}),
    connection: (c) => ({ ...c, url: 'file:///etc/lifetime' }),
    message: [/must have an http\(s\) server URL, not 'file:'/],
  },
  // OutSystemsAirGapPromote@1
  {
    task: 'AirGapPromote',
    why: 'an unknown sourceEnvironment',
    inputs: () => ({ sourceEnvironment: 'PRE' }),
    message: [/environment "PRE" not found/, /Pre-Production/],
  },
  {
    task: 'AirGapPromote',
    why: 'an unknown targetEnvironment',
    inputs: () => ({ targetEnvironment: 'PRD' }),
    message: [/environment "PRD" not found/, /Production/],
  },
  {
    task: 'AirGapPromote',
    why: 'the same source and target',
    inputs: () => ({ targetEnvironment: 'Pre-Production' }),
    message: [/sourceEnvironment and targetEnvironment are both "Pre-Production"/],
  },
  {
    task: 'AirGapPromote',
    why: 'a bundlePath that does not exist',
    inputs: (p) => ({ bundlePath: p.missing }),
    message: [/no-such-file/],
  },
  {
    task: 'AirGapPromote',
    why: 'an unsigned bundle when a verificationKey is set',
    inputs: () => ({ verificationKey: ED_PUBLIC }),
    message: [/airgap-manifest\.json\.sig/],
  },
  {
    task: 'AirGapPromote',
    why: 'an unknown twoStepMode',
    inputs: () => ({ twoStepMode: 'pause' }),
    message: [/'twoStepMode' must be one of 'continue', 'stop', not 'pause'/],
  },
  {
    task: 'AirGapPromote',
    why: 'a timeoutMinutes that is not a number',
    inputs: () => ({ timeoutMinutes: 'an hour' }),
    message: [/'timeoutMinutes' must be a number of minutes/],
  },
  {
    task: 'AirGapPromote',
    why: 'a redeployOutdated that is not a boolean',
    inputs: () => ({ redeployOutdated: 'yes' }),
    message: [/'redeployOutdated' must be true or false/],
  },
];

describe('bad-input matrix: every task, each refusal Failed, naming the culprit, the share unchanged', function () {
  this.timeout(120_000);
  let world: DeployWorld;
  let development: LifeTimeEmulator;
  let paths: Paths;

  before(async () => {
    world = await deployWorld();
    development = await LifeTimeEmulator.start(developmentEstate());
    const files = path.join(world.root, 'inputs');
    fs.mkdirSync(path.join(files, 'empty folder'), { recursive: true });
    paths = {
      share: world.share,
      bundle: await makeBundle(path.join(world.share, 'release 42'), TAG_APPS),
      notAFolder: path.join(files, 'not a file.txt'),
      missing: path.join(files, 'no-such-file'),
      emptyDir: path.join(files, 'empty folder'),
      badJson: path.join(files, 'bad manifest.json'),
      numberJson: path.join(files, 'number manifest.json'),
      hugeKey: path.join(files, 'huge key.pem'),
    };
    fs.writeFileSync(paths.notAFolder, 'plain text');
    fs.writeFileSync(paths.badJson, '[{"ApplicationName": "Reporting",');
    fs.writeFileSync(paths.numberJson, '42');
    fs.writeFileSync(paths.hugeKey, `${ED_PRIVATE}\n${'#'.repeat(70 * 1024)}\n`);
    for (const app of readManifest(paths.bundle).applications) {
      world.production.markPublished(PRE_HOSTNAME, { uid: app.uid, name: app.name });
    }
  });
  after(async () => {
    await development.close();
    await world.close();
  });

  for (const c of CASES) {
    it(`${c.task}: ${c.why}`, async () => {
      const good: Record<BundledTaskName, { inputs: Record<string, string>; connection?: TaskConnection }> = {
        AirGapExport: {
          inputs: {
            sourceEnvironment: 'Acceptance',
            applications: 'Reporting',
            sharePath: paths.share,
            bundleName: 'bad input',
          },
          connection: { url: development.url, token: DEV_TOKEN },
        },
        AirGapDeploy: {
          inputs: {
            bundlePath: paths.bundle,
            osptoolPath: world.osptool,
            targetHostname: PRE_HOSTNAME,
            airGapUser: 'airgap.deployer',
            airGapPassword: 'Pre-Prod p@ss "matrix" 42',
          },
        },
        AirGapSyncTags: {
          inputs: { targetEnvironment: 'Pre-Production', bundlePath: paths.bundle },
          connection: { url: world.production.url, token: PROD_TOKEN },
        },
        AirGapPromote: {
          inputs: { sourceEnvironment: 'Pre-Production', targetEnvironment: 'Production', bundlePath: paths.bundle },
          connection: { url: world.production.url, token: PROD_TOKEN },
        },
      };
      const base = good[c.task];
      const inputs: Record<string, string> = { ...base.inputs };
      for (const [name, value] of Object.entries(c.inputs(paths))) {
        if (value === undefined) Reflect.deleteProperty(inputs, name);
        else inputs[name] = value;
      }
      // The deploy's connection is optional: a case that gives one gets the production LifeTime's.
      const given = base.connection ?? { url: world.production.url, token: PROD_TOKEN };
      const connection =
        c.connection !== undefined ? c.connection(given) : base.connection === undefined ? undefined : given;
      const before = snapshot(world.root);
      const posts = world.production.requests.filter((r) => r.method === 'POST').length;
      const run = await runBundledTask(c.task, {
        inputs,
        ...(connection === null || connection === undefined ? {} : { connection }),
        env: FAST_HTTP,
      });
      const message = failureOf(run);
      for (const expected of c.message) assert.match(message, expected);
      assert.deepEqual(snapshot(world.root), before, 'the share (and everything beside it) is unchanged');
      assert.deepEqual(world.calls(), [], 'OSPTool was never called');
      assert.equal(world.production.requests.filter((r) => r.method === 'POST').length, posts, 'no tag was created');
    });
  }
});
