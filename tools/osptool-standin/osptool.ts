/**
 * OSPTool stand-in for tests and the demo: checks the command line against the contract
 * (INTERFACE.md), reads the package like the real tool would, prints publication messages, and
 * tells the LifeTime emulator what now runs where. Bundled to build/osptool-standin/osptool.js.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readControl, type StandInControl } from './control';
import { readPackageInfo, type PackageInfo } from './packageInfo';

const here = __dirname;
const USAGE =
  'Usage: OSPTool.com /Publish <absolute .oap file> <hostname> <username> <password> [/catalogmappings <file>]';

interface Publication {
  packagePath: string;
  hostname: string;
  user: string;
  password: string;
  catalogMappings?: string;
}

function say(line: string): void {
  process.stdout.write(line + '\n');
}

function fail(line: string, code: number): never {
  say(line);
  process.exit(code);
}

function parseArguments(args: string[]): Publication | undefined {
  if (args.length !== 5 && args.length !== 7) return undefined;
  const [verb, packagePath, hostname, user, password, mappingsSwitch, mappingsFile] = args;
  if (verb !== '/Publish' || !packagePath || !hostname || !user || !password) return undefined;
  if (!path.isAbsolute(packagePath) || !packagePath.toLowerCase().endsWith('.oap')) return undefined;
  if (args.length === 7) {
    if (mappingsSwitch !== '/catalogmappings' || !mappingsFile) return undefined;
    return { packagePath, hostname, user, password, catalogMappings: mappingsFile };
  }
  return { packagePath, hostname, user, password };
}

function hangForever(escapedHelper = false): void {
  // Its own pid, so a test can tell whether the tool outlived the task.
  fs.writeFileSync(path.join(here, 'osptool-hang.pid'), String(process.pid));
  // A helper that holds the output pipes too, as a real tool's worker could: only killing the
  // whole process tree lets the caller see the end of the output. An escaped helper leads a
  // session of its own (no group kill reaches it) and lives on for a minute after the tool.
  const helperScript = escapedHelper ? 'setTimeout(() => {}, 60000)' : 'setInterval(() => {}, 1 << 30)';
  const helper = spawn(process.execPath, ['-e', helperScript], {
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: escapedHelper,
  });
  if (helper.pid !== undefined) fs.writeFileSync(path.join(here, 'osptool-hang-helper.pid'), String(helper.pid));
  if (escapedHelper) {
    helper.unref();
    process.on('SIGTERM', () => say('Info: still publishing, stop request ignored'));
  }
  setInterval(() => undefined, 1 << 30);
}

async function announce(control: StandInControl, hostName: string, info: PackageInfo): Promise<void> {
  if (control.emulatorUrl === undefined) return;
  const url = `${control.emulatorUrl.replace(/\/+$/, '')}/__emulator/published`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ hostName, uid: info.uid, name: info.name }),
  });
  if (!response.ok) throw new Error(`the emulator answered ${response.status} to ${url}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  fs.appendFileSync(path.join(here, 'osptool-calls.jsonl'), JSON.stringify(args) + '\n');
  const control = readControl(path.join(here, 'osptool-control.json'));

  const publication = parseArguments(args);
  if (publication === undefined) {
    process.stderr.write(USAGE + '\n');
    process.exit(2);
  }
  if (control.echoArguments) say(`Debug: arguments ${args.join(' ')}`);
  if (control.expectedPassword !== undefined && publication.password !== control.expectedPassword) {
    fail('Error: Invalid credentials', 1);
  }
  if (publication.catalogMappings !== undefined && !fs.existsSync(publication.catalogMappings)) {
    fail(`Error: Catalog mappings file '${publication.catalogMappings}' not found`, 1);
  }
  if (!fs.existsSync(publication.packagePath)) fail(`Error: File '${publication.packagePath}' not found`, 1);

  let info: PackageInfo;
  try {
    info = await readPackageInfo(publication.packagePath);
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    fail(`Error: '${publication.packagePath}' is not a valid application package: ${reason}`, 1);
  }

  say(`Info: Connecting to ${publication.hostname} as ${publication.user}...`);
  say(`Info: Publishing application '${info.name}' (${info.uid})...`);
  const tamper = control.tamperWhilePublishing?.[info.name];
  if (tamper !== undefined) fs.appendFileSync(tamper, 'changed during the deployment');
  const fifo = control.fifoWhilePublishing?.[info.name];
  if (fifo !== undefined) {
    fs.rmSync(fifo, { force: true });
    execFileSync('mkfifo', [fifo]);
  }
  const mode = control.failures?.[info.name];
  switch (mode) {
    case 'exit':
      fail(`Error: Publication of application '${info.name}' failed - Service Center stopped the solution publish`, 1);
    case 'error-text':
      say(`Warning: Outdated Consumer - '${info.name}' references an element that its producer no longer exposes`);
      say('Info: Solution publish finished with errors');
      process.exit(0);
    case 'hang':
    case 'hang-escaped-helper':
      hangForever(mode === 'hang-escaped-helper');
      return;
    case 'stubborn':
      process.on('SIGTERM', () => say('Info: still publishing; SIGTERM ignored'));
      hangForever();
      return;
    case 'crash':
      throw new Error(`Simulated OSPTool crash while publishing '${info.name}'`);
    case undefined:
      break;
  }
  for (const module of info.modules) say(`Info: Compiling module '${module}'...`);
  for (const module of info.modules) say(`Info: Deploying module '${module}'...`);
  say(`Info: Solution published successfully - ${info.name} is running on ${publication.hostname}`);
  await announce(control, publication.hostname, info);
  // The stand-in's own record of finished publications, one line each, to count them in tests.
  fs.appendFileSync(
    path.join(here, 'osptool-published.jsonl'),
    JSON.stringify({ hostname: publication.hostname, uid: info.uid, name: info.name }) + '\n',
  );
}

main().catch((error: unknown) => {
  // Uncaught, as a crashing tool would: Node prints the stack on stderr and exits with code 1.
  setImmediate(() => {
    throw error;
  });
});
