/**
 * The whole air gap stage on one machine, offline: `npm run demo` (packages first, then this).
 *
 *   node build/tsc/scripts/demo.js [--out <folder>] [--vsix <file>]
 *
 * Starts two LifeTime emulators on loopback (the development network's, with a release candidate
 * in Acceptance, and the production network's), unpacks the packaged .vsix from dist/ and runs its
 * four tasks exactly as the agent would (`node tasks/<Task>/index.js`, inputs and the service
 * connection in the environment): Export (signed) → Deploy (OSPTool stand-in publishing to PRE) →
 * Sync tags → Promote (one production LifeTime deployment plan, PRE to Production). Prints each
 * task's log, the deployment order, the tags the production LifeTime now holds and what Production
 * runs, and exits 0 only when every exported version runs, tagged and unmodified, in PRE and in
 * Production, through exactly one plan.
 *
 * Everything it made is kept in the output folder (a new temp folder unless --out is given):
 * `extension/` (the unpacked .vsix), `keys/`, `share/` (the bundle), `osptool/`, `logs/` (each
 * task's raw stdout) and `summaries/` (each task's summary markdown, as the run page shows it).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseBundleManifest, MANIFEST_FILE_NAME } from '../shared/bundle/manifest';
import type { BundleManifest } from '../shared/bundle/manifest';
import { LifeTimeEmulator } from '../tools/emulator/emulator';
import { DEV_TOKEN, PRE_HOSTNAME, PROD_TOKEN, developmentEstate, productionEstate } from '../tools/factories/estate';
import { runTaskEntry } from '../tools/agent/taskRunner';
import type { TaskRun, TaskRunOptions } from '../tools/agent/taskRunner';
import { formatForTerminal, readableLog } from './demo/log';
import { extractVsix, newestVsix } from './demo/vsix';
import { distDir, repoRoot } from '../tools/paths';

export const DEMO_APPLICATIONS = ['Backoffice', 'Customer Portal', 'Customer Core', 'Reporting'];
const SOURCE_ENVIRONMENT = 'Acceptance';
const TARGET_ENVIRONMENT = 'Pre-Production';
const PRODUCTION_ENVIRONMENT = 'Production';
const BUNDLE_NAME = 'release-20261128.1';
const AIRGAP_USER = 'airgap.deployer';
const AIRGAP_PASSWORD = 'demo-only pre-production password';

interface DemoOptions {
  out?: string;
  vsix?: string;
}

/** The files the demo leaves, by role (paths inside the output folder). */
export const DEMO_LAYOUT = {
  extension: 'extension',
  keys: 'keys',
  share: 'share',
  osptool: 'osptool',
  logs: 'logs',
  summaries: 'summaries',
} as const;

/** Task folder → the short name used for log and summary files. */
export const DEMO_TASKS = {
  AirGapExport: 'export',
  AirGapDeploy: 'deploy',
  AirGapSyncTags: 'synctags',
  AirGapPromote: 'promote',
} as const;
type DemoTask = keyof typeof DEMO_TASKS;

function parseArgs(argv: readonly string[]): DemoOptions {
  const options: DemoOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if ((arg === '--out' || arg === '--vsix') && value !== undefined && !value.startsWith('--')) {
      options[arg === '--out' ? 'out' : 'vsix'] = path.resolve(value);
      i++;
    } else {
      throw new Error(`unknown or incomplete argument ${String(arg)} (use --out <folder>, --vsix <file>)`);
    }
  }
  return options;
}

function heading(text: string): void {
  console.log(`\n${'='.repeat(100)}\n${text}\n${'='.repeat(100)}`);
}

class DemoFailure extends Error {}

class Demo {
  private readonly problems: string[] = [];

  constructor(
    readonly out: string,
    readonly extensionDir: string,
  ) {}

  private dir(role: keyof typeof DEMO_LAYOUT): string {
    const dir = path.join(this.out, DEMO_LAYOUT[role]);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Runs one task from the unpacked .vsix, prints its log and keeps its stdout and summaries. */
  async runTask(task: DemoTask, title: string, options: TaskRunOptions): Promise<TaskRun> {
    heading(title);
    const entry = path.join(this.extensionDir, 'tasks', task, 'index.js');
    const started = Date.now();
    const run = await runTaskEntry(entry, { timeoutMs: 60_000, ...options });
    const short = DEMO_TASKS[task];
    fs.writeFileSync(path.join(this.dir('logs'), `${short}.log`), run.stdout);
    run.summaries.forEach((summary, i) => {
      const name = run.summaries.length === 1 ? `${short}.md` : `${short}-${String(i + 1)}.md`;
      fs.writeFileSync(path.join(this.dir('summaries'), name), summary.content);
    });
    console.log(formatForTerminal(readableLog(run.stdout)));
    if (run.stderr.trim() !== '') console.log(`  (stderr)\n${run.stderr.trimEnd()}`);
    const status = run.result?.status ?? `no result (exit ${String(run.exitCode)})`;
    console.log(`\n  ${task} finished in ${((Date.now() - started) / 1000).toFixed(1)} s: ${status}`);
    if (run.result?.status !== 'Succeeded' && run.result?.status !== 'SucceededWithIssues') {
      throw new DemoFailure(`${task} did not succeed: ${status}${run.result ? ` (${run.result.message})` : ''}`);
    }
    return run;
  }

  check(ok: boolean, problem: string): void {
    if (!ok) this.problems.push(problem);
  }

  get failures(): readonly string[] {
    return this.problems;
  }
}

function pad(cells: string[], widths: number[]): string {
  return cells
    .map((c, i) => c.padEnd(widths[i] ?? 0))
    .join('  ')
    .trimEnd();
}

function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  console.log(`  ${pad(headers, widths)}`);
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(`  ${pad(row, widths)}`);
}

async function runDemo(options: DemoOptions): Promise<number> {
  const started = Date.now();
  const out = options.out ?? fs.mkdtempSync(path.join(os.tmpdir(), 'airgap-demo-'));
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) {
    throw new Error(`${out} is not empty: give --out a new or empty folder`);
  }
  fs.mkdirSync(out, { recursive: true });

  const vsix = options.vsix ?? newestVsix(distDir);
  const extensionDir = path.join(out, DEMO_LAYOUT.extension);
  const extracted = await extractVsix(vsix, extensionDir);
  console.log(`Extension: ${path.relative(repoRoot, vsix) || vsix} (${String(extracted.length)} files)`);
  console.log(`Unpacked into ${extensionDir}; the tasks run from there, as the agent runs them.`);
  const demo = new Demo(out, extensionDir);

  const keysDir = path.join(out, DEMO_LAYOUT.keys);
  fs.mkdirSync(keysDir, { recursive: true });
  const keys = crypto.generateKeyPairSync('ed25519');
  const privatePem = path.join(keysDir, 'private.pem');
  const publicPem = path.join(keysDir, 'public.pem');
  fs.writeFileSync(privatePem, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  fs.writeFileSync(publicPem, keys.publicKey.export({ type: 'spki', format: 'pem' }));
  const share = path.join(out, DEMO_LAYOUT.share);
  fs.mkdirSync(share, { recursive: true });

  const development = await LifeTimeEmulator.start(developmentEstate());
  const production = await LifeTimeEmulator.start(productionEstate());
  try {
    const toolDir = path.join(out, DEMO_LAYOUT.osptool);
    fs.mkdirSync(toolDir, { recursive: true });
    const osptool = path.join(toolDir, 'OSPTool.js');
    fs.copyFileSync(path.join(repoRoot, 'build', 'osptool-standin', 'osptool.js'), osptool);
    fs.chmodSync(osptool, 0o755);
    fs.writeFileSync(
      path.join(toolDir, 'osptool-control.json'),
      JSON.stringify({ emulatorUrl: production.url, expectedPassword: AIRGAP_PASSWORD }, null, 2),
    );
    console.log(`Development LifeTime (emulated): ${development.url}`);
    console.log(`Production LifeTime (emulated):  ${production.url}, PRE is ${PRE_HOSTNAME}`);

    const exported = await demo.runTask('AirGapExport', '1. OutSystemsAirGapExport@1 (development network)', {
      inputs: {
        sourceEnvironment: SOURCE_ENVIRONMENT,
        applications: DEMO_APPLICATIONS.join(', '),
        sharePath: share,
        bundleName: BUNDLE_NAME,
        friendlyPackageNames: 'true',
        signingKey: privatePem,
      },
      connection: { url: development.url, token: DEV_TOKEN },
    });
    const bundlePath = exported.outputVariables['bundlePath'];
    if (bundlePath === undefined) throw new DemoFailure('the export set no bundlePath output variable');

    const deployed = await demo.runTask('AirGapDeploy', '2. OutSystemsAirGapDeploy@1 (production network)', {
      inputs: {
        bundlePath,
        verificationKey: publicPem,
        osptoolPath: osptool,
        targetHostname: PRE_HOSTNAME,
        airGapUser: AIRGAP_USER,
        airGapPassword: AIRGAP_PASSWORD,
      },
      secretVariables: { airGapPassword: AIRGAP_PASSWORD },
    });

    const synced = await demo.runTask('AirGapSyncTags', '3. OutSystemsAirGapSyncTags@1 (production network)', {
      inputs: { targetEnvironment: TARGET_ENVIRONMENT, bundlePath, verificationKey: publicPem },
      connection: { url: production.url, token: PROD_TOKEN },
    });

    heading('What the production network now holds');
    const manifest: BundleManifest = parseBundleManifest(
      fs.readFileSync(path.join(bundlePath, MANIFEST_FILE_NAME)),
      bundlePath,
    );
    const nameOf = (key: string): string => manifest.applications.find((a) => a.key === key)?.name ?? key;
    const plannedOrder = manifest.deploymentOrder.map(nameOf);
    const deployedOrder = (deployed.outputVariables['deploymentOrder'] ?? '').split(',').filter((n) => n !== '');
    console.log(`  Deployment order (producers first): ${deployedOrder.join(' → ')}`);
    demo.check(
      deployedOrder.join(',') === plannedOrder.join(','),
      `the deploy's order (${deployedOrder.join(', ')}) is not the bundle's (${plannedOrder.join(', ')})`,
    );
    demo.check(
      manifest.applications.length === DEMO_APPLICATIONS.length,
      `the bundle holds ${String(manifest.applications.length)} applications, not ${String(DEMO_APPLICATIONS.length)}`,
    );
    demo.check(
      deployed.outputVariables['deployedCount'] === String(DEMO_APPLICATIONS.length),
      `deployedCount is ${String(deployed.outputVariables['deployedCount'])}`,
    );
    demo.check(
      synced.outputVariables['taggedCount'] === String(DEMO_APPLICATIONS.length),
      `taggedCount is ${String(synced.outputVariables['taggedCount'])}`,
    );

    console.log(`\n  Tags created in the production LifeTime, as running in ${TARGET_ENVIRONMENT}:\n`);
    const rows: string[][] = [];
    for (const name of plannedOrder) {
      const app = manifest.applications.find((a) => a.name === name);
      if (!app) continue;
      const tags = production.versions(name);
      const tag = tags.find((v) => v.Version === app.version);
      const running = production.running(TARGET_ENVIRONMENT, name);
      const state =
        running === undefined
          ? 'not running'
          : running.version === undefined
            ? 'running untagged'
            : running.modified
              ? `runs ${running.version}, modified`
              : `runs ${running.version}`;
      rows.push([name, tag?.Version ?? '(none)', tag?.ChangeLog ?? '', state]);
      demo.check(tag !== undefined, `${name}: no tag ${app.version} in the production LifeTime`);
      demo.check(
        tag?.ChangeLog === app.changeLog,
        `${name}: tag ${app.version} lacks the change log "${app.changeLog}"`,
      );
      demo.check(
        running?.version === app.version && !running.modified && running.versionKey === tag?.Key,
        `${name}: ${TARGET_ENVIRONMENT} does not run tag ${app.version} unmodified (${state})`,
      );
    }
    printTable(['application', 'tag', 'change log', TARGET_ENVIRONMENT], rows);

    const promoted = await demo.runTask('AirGapPromote', '4. OutSystemsAirGapPromote@1 (production network)', {
      inputs: {
        sourceEnvironment: TARGET_ENVIRONMENT,
        targetEnvironment: PRODUCTION_ENVIRONMENT,
        bundlePath,
        verificationKey: publicPem,
      },
      connection: { url: production.url, token: PROD_TOKEN },
    });
    heading(`What ${PRODUCTION_ENVIRONMENT} now runs`);
    const plans = production.deployments();
    const plan = plans[0];
    console.log(
      `  Deployment plan ${promoted.outputVariables['deploymentKey'] ?? '(none)'}: ${plan?.status ?? 'none'}, ${String(plans.length)} plan(s) in the production LifeTime\n`,
    );
    demo.check(plans.length === 1, `the production LifeTime holds ${String(plans.length)} deployment plans, not 1`);
    demo.check(
      plan !== undefined && promoted.outputVariables['deploymentKey'] === plan.key,
      'deploymentKey is not the key of the plan LifeTime holds',
    );
    demo.check(
      promoted.outputVariables['promotedCount'] === String(DEMO_APPLICATIONS.length),
      `promotedCount is ${String(promoted.outputVariables['promotedCount'])}`,
    );
    const prdRows: string[][] = [];
    for (const name of plannedOrder) {
      const app = manifest.applications.find((a) => a.name === name);
      if (!app) continue;
      const running = production.running(PRODUCTION_ENVIRONMENT, name);
      const state =
        running?.version === undefined
          ? 'not running'
          : `runs ${running.version}${running.modified ? ', modified' : ''}`;
      prdRows.push([name, app.version, state]);
      demo.check(
        running?.version === app.version && !running.modified,
        `${name}: ${PRODUCTION_ENVIRONMENT} does not run ${app.version} unmodified (${state})`,
      );
    }
    printTable(['application', 'bundle', PRODUCTION_ENVIRONMENT], prdRows);
  } finally {
    await Promise.all([development.close(), production.close()]);
  }

  heading('Files');
  console.log(`  Everything the demo made is in ${out}`);
  for (const [role, rel] of Object.entries(DEMO_LAYOUT)) console.log(`    ${rel.padEnd(11)} ${roleDescription(role)}`);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (demo.failures.length > 0) {
    console.log(`\nDEMO FAILED after ${seconds} s:`);
    for (const failure of demo.failures) console.log(`  - ${failure}`);
    return 1;
  }
  console.log(
    `\nDemo succeeded in ${seconds} s: every exported version runs, tagged and unmodified, in PRE and in Production.`,
  );
  return 0;
}

function roleDescription(role: string): string {
  const text: Record<string, string> = {
    extension: 'the unpacked .vsix the tasks ran from',
    keys: 'the Ed25519 key pair (private.pem signed the bundle, public.pem verified it)',
    share: 'the file share with the bundle',
    osptool: 'the OSPTool stand-in, its control file and the calls it received',
    logs: "each task's raw stdout, ##vso commands included",
    summaries: "each task's summary markdown (the run page's Extensions tab)",
  };
  return text[role] ?? '';
}

async function main(): Promise<void> {
  try {
    process.exitCode = await runDemo(parseArgs(process.argv.slice(2)));
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`\nDEMO FAILED: ${message}`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
