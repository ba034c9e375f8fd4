/**
 * A bundle that a transfer service is still copying onto the share, file by file (contract, "A
 * bundle that is still arriving"), through the bundled deploy task: waited for while it arrives,
 * refused at once when a file is tampered with, failed after the wait naming what never came.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeBundle, readManifest } from '../../tools/factories/bundleFactory';
import type { BundleAppSpec } from '../../tools/factories/bundleFactory';
import type { StartedTask } from '../../tools/agent/taskRunner';
import { deployWorld, type DeployWorld } from '../support/deployWorld';
import { failureOf, succeeded } from '../support/taskResults';

const APPS: BundleAppSpec[] = [
  { name: 'Customer Portal', producers: ['Customer Core'], payloadBytes: 256 * 1024 },
  { name: 'Customer Core', payloadBytes: 128 * 1024 },
];
const KEYS = crypto.generateKeyPairSync('ed25519');
const PUBLIC_PEM = KEYS.publicKey.export({ type: 'spki', format: 'pem' }).toString();

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The task's output so far, as the agent's live log shows it. */
function live(started: StartedTask): () => string {
  const chunks: Buffer[] = [];
  started.child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString('utf8');
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await pause(25);
  }
}

describe('OutSystemsAirGapDeploy: a bundle that is still arriving (bundled task)', function () {
  this.timeout(120_000);
  let world: DeployWorld;
  let staged: string;
  let target: string;
  let files: string[];

  beforeEach(async () => {
    world = await deployWorld();
    // The complete bundle, made elsewhere; the test plays the transfer service copying it in.
    staged = await makeBundle(path.join(world.root, 'staging', 'release 12'), APPS, { signWith: KEYS.privateKey });
    target = path.join(world.share, 'release 12');
    files = readManifest(staged).applications.map((a) => a.file);
  });
  afterEach(async () => {
    await world.close();
  });

  const copy = (name: string): void => fs.copyFileSync(path.join(staged, name), path.join(target, name));

  it('deploys a bundle copied in file by file while it waits, saying what is still missing', async () => {
    const started = world.start(target, { waitForBundleMinutes: '1', verificationKey: PUBLIC_PEM });
    const output = live(started);
    await pause(300);
    fs.mkdirSync(target);
    copy('airgap-manifest.json');
    await until(() => /still missing .*airgap-manifest\.json\.sig/.test(output()), 'a progress line');
    copy('airgap-manifest.json.sig');
    const [first, second] = files as [string, string];
    // Half of one package first, as a copy in progress looks.
    const bytes = fs.readFileSync(path.join(staged, first));
    fs.writeFileSync(path.join(target, first), bytes.subarray(0, bytes.length / 2));
    await until(() => /KiB of \d+ KiB/.test(output()), 'the partial file reported');
    fs.appendFileSync(path.join(target, first), bytes.subarray(bytes.length / 2));
    await pause(300);
    copy(second);
    const run = await started.done;
    succeeded(run);
    assert.equal(run.outputVariables.deployedCount, '2');
    assert.equal(world.calls().length, 2);
  });

  it('refuses at once a complete package with another sha256, while other files are still missing', async () => {
    fs.mkdirSync(target);
    copy('airgap-manifest.json');
    copy('airgap-manifest.json.sig');
    const [first] = files as [string];
    const bytes = fs.readFileSync(path.join(staged, first));
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    fs.writeFileSync(path.join(target, first), bytes);
    const started = Date.now();
    const message = failureOf(await world.run(target, { waitForBundleMinutes: '1', verificationKey: PUBLIC_PEM }));
    assert.ok(message.includes(first), message);
    assert.match(message, /is complete but has sha256 .*refused without waiting/);
    assert.ok(Date.now() - started < 30_000, 'not after the wait');
    assert.deepEqual(world.calls(), []);
  });

  it('refuses at once a package longer than listed, and a signature that does not verify', async () => {
    fs.mkdirSync(target);
    copy('airgap-manifest.json');
    copy('airgap-manifest.json.sig');
    const [first] = files as [string];
    fs.writeFileSync(
      path.join(target, first),
      Buffer.concat([fs.readFileSync(path.join(staged, first)), Buffer.from('x')]),
    );
    const longer = failureOf(await world.run(target, { waitForBundleMinutes: '1' }));
    assert.match(longer, /more than the \d+ bytes airgap-manifest\.json records.*refused without waiting/);
    assert.ok(longer.includes(first));

    fs.writeFileSync(path.join(target, 'airgap-manifest.json.sig'), crypto.randomBytes(64));
    const forged = failureOf(await world.run(target, { waitForBundleMinutes: '1', verificationKey: PUBLIC_PEM }));
    assert.match(forged, /signature in airgap-manifest\.json\.sig does not verify.*refused without waiting/);
    assert.deepEqual(world.calls(), []);
  });

  it('fails after the wait naming the file that never arrived; with 0 it fails at once', async () => {
    fs.mkdirSync(target);
    copy('airgap-manifest.json');
    const [first, second] = files as [string, string];
    copy(first);
    const message = failureOf(await world.run(target, { waitForBundleMinutes: '0.05' }));
    assert.match(message, /still not complete after waiting 0\.05 minute\(s\).*missing: /);
    assert.ok(message.includes(`${second} (not there yet)`), message);
    assert.ok(!message.includes(first), 'the complete package is not named');
    const now = failureOf(await world.run(target));
    assert.ok(now.includes(second), now);
    assert.deepEqual(world.calls(), []);
  });
});
