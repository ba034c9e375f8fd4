/**
 * The packaged extension, as the Marketplace and the agent receive it: runs the package script on
 * the build output (offline) and reads the .vsix back (tools/packaging/zipEntries.ts).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { forEachZipEntry } from '../../tools/packaging/zipEntries';
import { extensionStageDir, repoRoot } from '../../tools/paths';
import { packageExtension, parseOptions, removeUnshippable } from '../../tools/packaging/packageExtension';

interface TaskJson {
  id: string;
  name: string;
  friendlyName: string;
  version: { Major: number; Minor: number; Patch: number };
  minimumAgentVersion: string;
  instanceNameFormat: string;
  groups?: { name: string }[];
  inputs: { name: string; type: string; helpMarkDown?: string; groupName?: string; visibleRule?: string }[];
  outputVariables?: { name: string; description?: string }[];
  execution: Record<string, { target: string }>;
}

interface Contribution {
  id: string;
  type: string;
  targets: string[];
  properties: Record<string, unknown>;
}

/** What INTERFACE.md fixes for each task folder. */
const contract: Record<string, { name: string; outputs: string[] }> = {
  AirGapExport: { name: 'OutSystemsAirGapExport', outputs: ['applicationCount', 'bundlePath'] },
  AirGapDeploy: { name: 'OutSystemsAirGapDeploy', outputs: ['deployedCount', 'deploymentOrder'] },
  AirGapSyncTags: { name: 'OutSystemsAirGapSyncTags', outputs: ['taggedCount'] },
  AirGapPromote: { name: 'OutSystemsAirGapPromote', outputs: ['deploymentKey', 'promotedCount'] },
};
const taskFolders = Object.keys(contract);

async function readZip(file: string): Promise<Map<string, Buffer>> {
  const entries = new Map<string, Buffer>();
  await forEachZipEntry(file, {
    file: async (entry, stream) => {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      entries.set(entry.fileName, Buffer.concat(chunks));
    },
  });
  return entries;
}

function pngSize(png: Buffer): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.subarray(12, 16).toString('ascii'), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('the packaged extension (.vsix)', function () {
  this.timeout(120_000);
  let outDir: string;
  let vsixPath: string;
  let entries: Map<string, Buffer>;
  let stdout: string;

  const text = (name: string): string => {
    const content = entries.get(name);
    assert.ok(content, `${name} is in the .vsix`);
    return content.toString('utf8');
  };
  const taskJson = (folder: string): TaskJson => JSON.parse(text(`tasks/${folder}/task.json`)) as TaskJson;
  const contributions = (): Contribution[] =>
    (JSON.parse(text('extension.vsomanifest')) as { contributions: Contribution[] }).contributions;

  before(async () => {
    for (const folder of taskFolders) {
      assert.ok(
        fs.existsSync(path.join(extensionStageDir, 'tasks', folder, 'index.js')),
        `build/extension/tasks/${folder}/index.js exists: run \`npm run build\` before this test`,
      );
    }
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airgap-vsix-'));
    const result = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'build', 'tsc', 'scripts', 'package-extension.js'), '--output-path', outDir],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, AIRGAP_PUBLISHER: 'test-publisher', AIRGAP_VERSION: '1.2.3' },
      },
    );
    assert.equal(result.status, 0, `package script failed:\n${result.stdout}${result.stderr}`);
    stdout = result.stdout;
    vsixPath = path.join(outDir, 'test-publisher.outsystems-airgap-1.2.3.vsix');
    entries = await readZip(vsixPath);
  });

  after(() => {
    fs.rmSync(outDir, { recursive: true, force: true });
  });

  it('is written as <publisher>.<id>-<version>.vsix with the publisher and version given at packaging time', () => {
    assert.equal(stdout.trim().split('\n').pop(), vsixPath);
    const identity = /<Identity [^>]*\/>/.exec(text('extension.vsixmanifest'))?.[0] ?? '';
    assert.match(identity, /Id="outsystems-airgap"/);
    assert.match(identity, /Publisher="test-publisher"/);
    assert.match(identity, /Version="1\.2\.3"/);
  });

  it('is at most 3 MB', () => {
    const size = fs.statSync(vsixPath).size;
    assert.ok(size <= 3 * 1024 * 1024, `${size} bytes`);
  });

  it('holds only the manifests, overview, licence, images and the task folders', () => {
    const expectedTop = [
      '[Content_Types].xml',
      'extension.vsixmanifest',
      'extension.vsomanifest',
      'LICENSE',
      'overview.md',
    ];
    for (const name of entries.keys()) {
      const ok = expectedTop.includes(name) || name.startsWith('images/') || name.startsWith('tasks/');
      assert.ok(ok, `unexpected file ${name}`);
      assert.ok(!name.split('/').includes('node_modules'), `${name} is inside node_modules`);
      assert.ok(!/\.(ts|map)$/.test(name), `${name} must not ship`);
    }
    for (const name of expectedTop) assert.ok(entries.has(name), `${name} is in the .vsix`);
    assert.match(text('extension.vsixmanifest'), /<License>LICENSE<\/License>/);
    assert.match(
      text('extension.vsixmanifest'),
      /Microsoft\.VisualStudio\.Services\.Content\.Details" [^>]*Path="overview\.md"/,
    );
  });

  it('has exactly index.js, task.json and icon.png in each task folder', () => {
    const folders = new Set([...entries.keys()].filter((n) => n.startsWith('tasks/')).map((n) => n.split('/')[1]));
    assert.deepEqual([...folders].sort(), [...taskFolders].sort());
    for (const folder of taskFolders) {
      const files = [...entries.keys()]
        .filter((n) => n.startsWith(`tasks/${folder}/`))
        .map((n) => n.slice(`tasks/${folder}/`.length));
      assert.deepEqual(files.sort(), ['icon.png', 'index.js', 'task.json'], folder);
    }
  });

  it('ships the task.json files exactly as in the repository', () => {
    for (const folder of taskFolders) {
      const source = JSON.parse(fs.readFileSync(path.join(repoRoot, 'tasks', folder, 'task.json'), 'utf8')) as unknown;
      assert.deepEqual(taskJson(folder), source, folder);
    }
  });

  it('ships self-contained task bundles that require nothing but Node built-ins', () => {
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    for (const folder of taskFolders) {
      const code = text(`tasks/${folder}/index.js`);
      const required = [...code.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1] ?? '');
      assert.ok(required.length > 0, `${folder}/index.js requires something (a bundle at all)`);
      // node-fetch probes for the optional `encoding` package inside a try/catch.
      const foreign = required.filter((r) => !builtins.has(r) && r !== 'encoding');
      assert.deepEqual(foreign, [], `${folder}/index.js requires packages that would not be on the agent`);
    }
  });

  it('has 32x32 PNG task icons and a 128x128 PNG extension icon', () => {
    for (const folder of taskFolders)
      assert.deepEqual(pngSize(entries.get(`tasks/${folder}/icon.png`) ?? Buffer.alloc(0)), { width: 32, height: 32 });
    assert.deepEqual(pngSize(entries.get('images/extension-icon.png') ?? Buffer.alloc(0)), { width: 128, height: 128 });
    assert.match(text('extension.vsixmanifest'), /<Icon>images\/extension-icon\.png<\/Icon>/);
  });

  it('has task.json files the agent runs on Node 24 or Node 20 with readable, grouped, documented inputs', () => {
    for (const folder of taskFolders) {
      const task = taskJson(folder);
      const where = `tasks/${folder}/task.json`;
      assert.equal(task.name, contract[folder]?.name, where);
      assert.equal(task.version.Major, 1, `${where}: the contract is @1`);
      const node20 = task.execution.Node20_1;
      const node24 = task.execution.Node24;
      assert.ok(node20, `${where} has a Node20_1 handler`);
      assert.ok(node24, `${where} has a Node24 handler`);
      assert.equal(node24.target, node20.target, `${where}: Node24 and Node20_1 run the same bundle`);
      for (const [handler, { target }] of Object.entries(task.execution)) {
        assert.ok(entries.has(`tasks/${folder}/${target}`), `${where}: ${handler} target ${target} is in the .vsix`);
      }
      assert.equal(task.minimumAgentVersion, '3.232.1', where);
      assert.ok(
        task.friendlyName.length > 0 && task.friendlyName.length <= 40,
        `${where}: friendlyName is 1..40 chars`,
      );

      const inputNames = new Set(task.inputs.map((i) => i.name));
      assert.ok(
        task.instanceNameFormat.length >= 10 && task.instanceNameFormat.length <= 100,
        `${where}: instanceNameFormat`,
      );
      for (const ref of task.instanceNameFormat.matchAll(/\$\(([^)]+)\)/g)) {
        assert.ok(
          inputNames.has(ref[1] ?? ''),
          `${where}: instanceNameFormat refers to $(${String(ref[1])}), not an input`,
        );
      }
      const groups = new Set((task.groups ?? []).map((g) => g.name));
      for (const input of task.inputs) {
        assert.ok((input.helpMarkDown ?? '').trim().length > 10, `${where}: ${input.name} has helpMarkDown`);
        assert.ok(input.groupName && groups.has(input.groupName), `${where}: ${input.name} is in a declared group`);
      }
    }
  });

  it('shows the CI/CD Probe inputs only when the dependency source is the probe', () => {
    const task = taskJson('AirGapExport');
    for (const name of ['probeUrl', 'probeKey']) {
      const input = task.inputs.find((i) => i.name === name);
      assert.ok(input, `${name} is an input`);
      assert.equal(input.visibleRule?.replace(/\s+/g, ' ').trim(), 'dependencySource = probe', name);
    }
  });

  it('declares the output variables of the contract', () => {
    for (const folder of taskFolders) {
      const task = taskJson(folder);
      const names = (task.outputVariables ?? []).map((o) => o.name).sort();
      assert.deepEqual(names, contract[folder]?.outputs, folder);
      for (const o of task.outputVariables ?? [])
        assert.ok((o.description ?? '').length > 0, `${folder}: ${o.name} is described`);
    }
  });

  it('gives the tasks unique GUIDs', () => {
    const ids = taskFolders.map((f) => taskJson(f).id.toLowerCase());
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('contributes every task by folder', () => {
    const tasks = contributions().filter((c) => c.type === 'ms.vss-distributed-task.task');
    assert.deepEqual(tasks.map((c) => c.properties.name).sort(), taskFolders.map((f) => `tasks/${f}`).sort());
    for (const c of tasks) assert.deepEqual(c.targets, ['ms.vss-distributed-task.tasks']);
  });

  it('contributes the "OutSystems LifeTime" service connection type with a confidential token', () => {
    const endpoint = contributions().find((c) => c.type === 'ms.vss-endpoint.service-endpoint-type');
    assert.ok(endpoint, 'a service endpoint type is contributed');
    assert.deepEqual(endpoint.targets, ['ms.vss-endpoint.endpoint-types']);
    const props = endpoint.properties as {
      name: string;
      displayName: string;
      url: { displayName: string; helpText: string };
      helpMarkDown?: string;
      authenticationSchemes: {
        type: string;
        inputDescriptors: {
          id: string;
          name: string;
          description?: string;
          inputMode: string;
          isConfidential: boolean;
          validation: { isRequired: boolean; dataType: string };
        }[];
      }[];
    };
    assert.equal(props.name, 'outsystems-lifetime');
    assert.equal(props.displayName, 'OutSystems LifeTime');
    assert.equal(props.url.displayName, 'Server URL');
    assert.match(props.url.helpText, /\/lifetimeapi\/rest\/v2/);
    assert.ok((props.helpMarkDown ?? '').length > 0);
    assert.equal(props.authenticationSchemes.length, 1);
    const scheme = props.authenticationSchemes[0];
    assert.equal(scheme?.type, 'ms.vss-endpoint.endpoint-auth-scheme-token');
    assert.equal(scheme.inputDescriptors.length, 1);
    const token = scheme.inputDescriptors[0];
    assert.equal(token?.id, 'apitoken');
    assert.equal(token.name, 'Service account token');
    assert.match(token.description ?? '', /Service Accounts/);
    assert.equal(token.inputMode, 'passwordbox');
    assert.equal(token.isConfidential, true);
    assert.deepEqual(token.validation, { isRequired: true, dataType: 'string' });
    // The tasks that talk to LifeTime take exactly this type.
    for (const folder of ['AirGapExport', 'AirGapSyncTags', 'AirGapPromote']) {
      const input = taskJson(folder).inputs.find((i) => i.name === 'lifeTimeConnection');
      assert.equal(input?.type, 'connectedService:outsystems-lifetime', folder);
    }
  });
});

describe('package-extension', function () {
  this.timeout(120_000);

  it('fails, and leaves no .vsix, when tfx warns about a task.json', () => {
    const stageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airgap-stage-'));
    const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airgap-out-'));
    try {
      fs.cpSync(path.join(extensionStageDir, 'tasks'), path.join(stageDir, 'tasks'), { recursive: true });
      const file = path.join(stageDir, 'tasks', 'AirGapDeploy', 'task.json');
      const broken = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      broken.friendlyName = 'An OutSystems air gap deploy task whose name is far too long';
      fs.writeFileSync(file, JSON.stringify(broken));
      assert.throws(() => packageExtension({ stageDir, outputDir }), /warning[\s\S]*friendlyName/);
      assert.deepEqual(fs.readdirSync(outputDir), []);
    } finally {
      fs.rmSync(stageDir, { recursive: true, force: true });
      fs.rmSync(outputDir, { recursive: true, force: true });
    }
  });

  it('removes node_modules, TypeScript sources and source maps from the stage', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airgap-clean-'));
    try {
      const task = path.join(dir, 'tasks', 'T');
      fs.mkdirSync(path.join(task, 'node_modules', 'x'), { recursive: true });
      for (const f of ['index.js', 'index.ts', 'index.js.map', 'task.json', 'icon.png'])
        fs.writeFileSync(path.join(task, f), '');
      fs.writeFileSync(path.join(task, 'node_modules', 'x', 'a.js'), '');
      removeUnshippable(dir);
      assert.deepEqual(fs.readdirSync(task).sort(), ['icon.png', 'index.js', 'task.json']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes publisher and version from the environment, overridden by arguments, and checks them', () => {
    const env = { AIRGAP_PUBLISHER: 'env-pub', AIRGAP_VERSION: '2.0.0' };
    assert.deepEqual(parseOptions([], env), { publisher: 'env-pub', version: '2.0.0' });
    const fromArgs = parseOptions(['--publisher', 'arg-pub', '--version', '2.1.0', '--output-path', 'out'], env);
    assert.equal(fromArgs.publisher, 'arg-pub');
    assert.equal(fromArgs.version, '2.1.0');
    assert.equal(fromArgs.outputDir, path.resolve('out'));
    assert.deepEqual(parseOptions([], {}), { publisher: undefined, version: undefined });
    assert.throws(() => parseOptions(['--version', '1.2'], {}), /major\.minor\.patch/);
    assert.throws(() => parseOptions(['--publisher', 'bad publisher'], {}), /publisher/);
    assert.throws(() => parseOptions(['--publisher'], {}), /needs a value/);
    assert.throws(() => parseOptions(['--rev-version'], {}), /unknown argument/);
  });
});
