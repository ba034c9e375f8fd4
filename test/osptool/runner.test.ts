import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as yazl from 'yazl';
import { repoRoot } from '../../tools/paths';
import { describeOspToolCommand } from '../../shared/osptool/command';
import { runOspTool, type OspToolOptions, type OspToolResult } from '../../shared/osptool/runner';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';

const standIn = path.join(repoRoot, 'build', 'osptool-standin', 'osptool.js');
const PASSWORD = 'p@ss word"; $(rm -rf ~) & | %PATH%';
const HOST = 'preprod.example.com';

interface Line {
  line: string;
  stream: 'stdout' | 'stderr';
}

function writeZip(file: string, entries: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const [name, content] of Object.entries(entries)) zip.addBuffer(Buffer.from(content), name);
    zip.outputStream.pipe(fs.createWriteStream(file)).on('close', resolve).on('error', reject);
    zip.end();
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed process whose parent is gone may linger as a zombie until init reaps it: that is dead.
  const stat = `/proc/${pid}/stat`;
  return !(fs.existsSync(stat) && / Z /.test(fs.readFileSync(stat, 'utf8')));
}

describe('runOspTool with the OSPTool stand-in (paths with spaces)', function () {
  if (process.platform === 'win32') return; // the stand-in is a script with a shebang
  let dir: string;
  let tool: string;
  let probe: string;
  let trigger: string;
  let mappings: string;

  before(async () => {
    dir = makeTempDir({ withSpaces: true });
    fs.mkdirSync(path.join(dir, 'OSP Tool'));
    tool = path.join(dir, 'OSP Tool', 'OSPTool stand-in.js');
    fs.copyFileSync(standIn, tool);
    fs.chmodSync(tool, 0o755);
    fs.mkdirSync(path.join(dir, 'bundle 1'));
    probe = path.join(dir, 'bundle 1', 'CI CD Probe v1.oap');
    trigger = path.join(dir, 'bundle 1', 'Trigger Pipeline.oap');
    fs.copyFileSync(path.join(repoRoot, 'test', 'fixtures', 'oap', 'cicd-probe-o11.oap'), probe);
    fs.copyFileSync(path.join(repoRoot, 'test', 'fixtures', 'oap', 'trigger-pipeline-o11.oap'), trigger);
    mappings = path.join(dir, 'catalog mappings.xml');
    fs.writeFileSync(mappings, '<CatalogMappings />');
    await writeZip(path.join(dir, 'bundle 1', 'Not An App.oap'), { 'readme.txt': 'no manifest here' });
  });

  after(() => removeTempDir(dir));

  beforeEach(() => {
    fs.rmSync(path.join(path.dirname(tool), 'osptool-calls.jsonl'), { force: true });
    fs.rmSync(path.join(path.dirname(tool), 'osptool-control.json'), { force: true });
  });

  function control(value: object): void {
    fs.writeFileSync(path.join(path.dirname(tool), 'osptool-control.json'), JSON.stringify(value));
  }

  function calls(): string[][] {
    const file = path.join(path.dirname(tool), 'osptool-calls.jsonl');
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string[]);
  }

  async function publish(overrides: Partial<OspToolOptions> = {}): Promise<{ result: OspToolResult; lines: Line[] }> {
    const lines: Line[] = [];
    const result = await runOspTool({
      toolPath: tool,
      packagePath: probe,
      hostname: HOST,
      user: 'deployer',
      password: PASSWORD,
      timeoutMs: 60_000,
      onLine: (line, stream) => lines.push({ line, stream }),
      ...overrides,
    });
    return { result, lines };
  }

  it('publishes a package, passing the arguments exactly as the contract says', async () => {
    const { result, lines } = await publish();
    assert.equal(result.failed, false, result.failureReason);
    assert.equal(result.exitCode, 0);
    assert.deepEqual(result.errorTexts, []);
    assert.equal(result.failureReason, undefined);
    assert.deepEqual(calls(), [['/Publish', probe, HOST, 'deployer', PASSWORD]]);
    const stdout = lines.filter((l) => l.stream === 'stdout').map((l) => l.line);
    assert.ok(stdout.includes("Info: Publishing application 'CI/CD Probe' (AOWZdATUbkuOOjCLgthJkQ)..."));
    assert.ok(stdout.includes("Info: Compiling module 'CI_CDProbe'..."));
    assert.ok(stdout.some((l) => l.startsWith('Info: Solution published successfully')));
  });

  it('adds /catalogmappings and its file as the last two arguments', async () => {
    const { result } = await publish({ packagePath: trigger, catalogMappings: mappings });
    assert.equal(result.failed, false, result.failureReason);
    assert.deepEqual(calls(), [['/Publish', trigger, HOST, 'deployer', PASSWORD, '/catalogmappings', mappings]]);
  });

  it('never hands the password to onLine, even when the tool prints it', async () => {
    control({ echoArguments: true });
    const { result, lines } = await publish();
    assert.equal(result.failed, false, result.failureReason);
    const echoed = lines.find((l) => l.line.startsWith('Debug: arguments'));
    assert.ok(echoed?.line.includes('deployer ***'), 'the echoed arguments are there, masked');
    assert.ok(lines.every((l) => !l.line.includes(PASSWORD)));
  });

  it('describes the command for the log with the password as ***', () => {
    const text = describeOspToolCommand({
      toolPath: 'C:\\Program Files\\Common Files\\OutSystems\\11.0\\OSPTool.com',
      packagePath: 'D:\\share\\bundle 1\\App.oap',
      hostname: HOST,
      user: 'deployer',
      password: PASSWORD,
      catalogMappings: 'D:\\maps.xml',
    });
    assert.equal(
      text,
      '"C:\\Program Files\\Common Files\\OutSystems\\11.0\\OSPTool.com" /Publish "D:\\share\\bundle 1\\App.oap" ' +
        'preprod.example.com deployer *** /catalogmappings D:\\maps.xml',
    );
  });

  it('tells the emulator which application now runs on which host', async () => {
    const received: unknown[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, body: JSON.parse(body) as unknown });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      control({ emulatorUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
      const { result } = await publish({ packagePath: trigger });
      assert.equal(result.failed, false, result.failureReason);
      assert.deepEqual(received, [
        {
          method: 'POST',
          url: '/__emulator/published',
          body: { hostName: HOST, uid: 'MizbE9fSTkGtHDiCHlmn+g', name: 'Trigger Pipeline' },
        },
      ]);
    } finally {
      server.close();
    }
  });

  it('fails on a non-zero exit (wrong password)', async () => {
    control({ expectedPassword: 'another one' });
    const { result, lines } = await publish();
    assert.equal(result.failed, true);
    assert.equal(result.exitCode, 1);
    assert.equal(result.failureReason, 'OSPTool exited with code 1.');
    assert.ok(lines.some((l) => l.line === 'Error: Invalid credentials'));
  });

  it('fails when the publication fails with exit code 1', async () => {
    control({ failures: { 'CI/CD Probe': 'exit' } });
    const { result, lines } = await publish();
    assert.equal(result.failed, true);
    assert.equal(result.exitCode, 1);
    assert.ok(lines.some((l) => l.line.startsWith("Error: Publication of application 'CI/CD Probe' failed")));
  });

  it('fails on an error text even when OSPTool exits 0', async () => {
    control({ failures: { 'CI/CD Probe': 'error-text' } });
    const { result } = await publish();
    assert.equal(result.exitCode, 0);
    assert.equal(result.failed, true);
    assert.deepEqual(result.errorTexts, ['Outdated Consumer']);
    assert.equal(result.failureReason, 'OSPTool reported "Outdated Consumer".');
  });

  it('fails when the tool crashes, with the crash on stderr', async () => {
    control({ failures: { 'CI/CD Probe': 'crash' } });
    const { result, lines } = await publish();
    assert.equal(result.failed, true);
    assert.equal(result.exitCode, 1);
    assert.ok(lines.some((l) => l.stream === 'stderr' && l.line.includes('Simulated OSPTool crash')));
  });

  it('fails on a package that is not an application package', async () => {
    const { result, lines } = await publish({ packagePath: path.join(dir, 'bundle 1', 'Not An App.oap') });
    assert.equal(result.exitCode, 1);
    assert.ok(
      lines.some((l) => l.line.includes('is not a valid application package: the package has no Manifest.xml')),
    );
  });

  it('kills a hanging tool and everything it started when the timeout passes', async () => {
    control({ failures: { 'CI/CD Probe': 'hang' } });
    const helperPidFile = path.join(path.dirname(tool), 'osptool-hang-helper.pid');
    fs.rmSync(helperPidFile, { force: true });
    const { result, lines } = await publish({ timeoutMs: 1500 });
    assert.equal(result.timedOut, true);
    assert.equal(result.failed, true);
    assert.equal(result.failureReason, 'OSPTool did not finish within 1500 ms and was stopped.');
    assert.ok(lines.some((l) => l.line.startsWith("Info: Publishing application 'CI/CD Probe'")));
    // The helper held the output pipes: the run could only end once it was gone too.
    const helperPid = Number(fs.readFileSync(helperPidFile, 'utf8'));
    for (let i = 0; i < 50 && isAlive(helperPid); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(isAlive(helperPid), false, 'the helper process was killed with the tool');
  });

  it('stops the tool when the task is cancelled', async () => {
    control({ failures: { 'CI/CD Probe': 'hang' } });
    const controller = new AbortController();
    const { result } = await publish({
      signal: controller.signal,
      onLine: (line) => {
        if (line.startsWith('Info: Publishing')) controller.abort();
      },
    });
    assert.equal(result.aborted, true);
    assert.equal(result.timedOut, false);
    assert.equal(result.failureReason, 'OSPTool was stopped because the task was cancelled.');
  });

  it('does not start the tool at all when already cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const { result } = await publish({ signal: controller.signal });
    assert.equal(result.aborted, true);
    assert.equal(result.failed, true);
    assert.deepEqual(calls(), []);
  });

  it('reports a missing tool by its path', async () => {
    const missing = path.join(dir, 'No Such Dir', 'OSPTool.com');
    const { result } = await publish({ toolPath: missing });
    assert.equal(result.failed, true);
    assert.equal(result.exitCode, null);
    assert.equal(result.failureReason, `OSPTool not found at ${missing}`);
  });

  it('is refused by the stand-in when the form is not the contract (relative package path)', async () => {
    const { result, lines } = await publish({ packagePath: 'relative.oap' });
    assert.equal(result.exitCode, 2);
    assert.ok(lines.some((l) => l.stream === 'stderr' && l.line.startsWith('Usage: OSPTool.com /Publish')));
  });
});
