/**
 * The Marketplace screenshots, from a real demo run: renders each task's summary markdown as the
 * run page's Extensions tab shows it, and the deploy step's log, then photographs them with
 * headless Chromium. Needs Chromium on the machine that refreshes the pictures only (the PNGs are
 * committed), e.g. Debian's `apt-get install chromium`.
 *
 *   npm run package && node build/tsc/scripts/demo.js --out /srv/airgap-demo
 *   node build/tsc/scripts/screenshots.js --from /srv/airgap-demo [--images images] [--chromium chromium]
 *
 * Writes images/screenshot-export.png, -deploy.png, -synctags.png and -log.png (1100 px wide).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PRE_HOSTNAME } from '../tools/factories/estate';
import { parseVsoCommands } from '../tools/agent/vso';
import { DEMO_LAYOUT, DEMO_TASKS } from './demo';
import type { LogLine } from './demo/log';
import { readableLog } from './demo/log';
import { markdownToHtml } from './demo/markdownHtml';
import { logPage, summaryPage } from './demo/pages';
import type { RunInfo } from './demo/pages';
import { repoRoot } from '../tools/paths';

const WIDTH = 1100;
/** As the test agent's variables name the run (tools/agent/taskRunner.ts). */
const RUN: RunInfo = { pipeline: 'airgap-release', runNumber: '20261128.1', project: 'AirGap' };
/** Inputs that a step's instanceNameFormat may name, as the demo set them. */
const STEP_INPUTS: Record<string, string> = {
  targetHostname: PRE_HOSTNAME,
  sourceEnvironment: 'Acceptance',
  targetEnvironment: 'Pre-Production',
};

interface Options {
  from: string;
  images: string;
  chromium: string;
}

interface TaskJson {
  name: string;
  friendlyName: string;
  description: string;
  author: string;
  helpMarkDown?: string;
  instanceNameFormat: string;
  version: { Major: number; Minor: number; Patch: number };
}

function parseArgs(argv: readonly string[]): Options {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (!['--from', '--images', '--chromium'].includes(name ?? '') || value === undefined) {
      throw new Error(
        `unknown or incomplete argument ${String(name)} (use --from <demo output>, --images, --chromium)`,
      );
    }
    values[(name ?? '').slice(2)] = value;
  }
  const from = values['from'];
  if (from === undefined) throw new Error('--from <folder a demo run wrote with --out> is required');
  return {
    from: path.resolve(from),
    images: path.resolve(values['images'] ?? path.join(repoRoot, 'images')),
    chromium: values['chromium'] ?? process.env['CHROMIUM'] ?? 'chromium',
  };
}

function chromiumArgs(profile: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    '--force-device-scale-factor=1',
    `--user-data-dir=${profile}`,
  ];
}

/** Runs Chromium once with a fresh, empty profile, which is removed afterwards. */
function chromium(exe: string, args: string[]): string {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'airgap-chromium-'));
  try {
    const result = spawnSync(exe, [...chromiumArgs(profile), ...args], { encoding: 'utf8', timeout: 60_000 });
    if (result.error) throw new Error(`could not start ${exe}: ${result.error.message}`);
    if (result.status !== 0) throw new Error(`${exe} exited ${String(result.status)}:\n${result.stderr}`);
    return result.stdout;
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** Photographs an HTML file at its own height (measured by a first, DOM-dumping run). */
function screenshot(exe: string, page: string, png: string): { width: number; height: number } {
  const url = pathToFileURL(page).href;
  const dom = chromium(exe, ['--virtual-time-budget=2000', '--dump-dom', url]);
  const measured = /data-height="(\d+)"/.exec(dom)?.[1];
  if (measured === undefined) throw new Error(`${page} did not report its height`);
  const height = Number(measured);
  fs.rmSync(png, { force: true });
  chromium(exe, [`--screenshot=${png}`, `--window-size=${String(WIDTH)},${String(height)}`, url]);
  if (!fs.existsSync(png)) throw new Error(`Chromium wrote no ${png}`);
  const header = fs.readFileSync(png).subarray(0, 24);
  return { width: header.readUInt32BE(16), height: header.readUInt32BE(20) };
}

function taskJson(from: string, task: string): TaskJson {
  const file = path.join(from, DEMO_LAYOUT.extension, 'tasks', task, 'task.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TaskJson;
}

function stepName(task: TaskJson): string {
  return task.instanceNameFormat.replace(/\$\((\w+)\)/g, (m, name: string) => STEP_INPUTS[name] ?? m);
}

/** The summary's title as the run page shows it: the uploaded file's name without `.md`. */
function summaryTitle(stdout: string, fallback: string): string {
  const upload = parseVsoCommands(stdout).find((c) => c.command === 'task.uploadsummary');
  const name = upload?.data.split(/[\\/]/).pop();
  return name === undefined ? fallback : name.replace(/\.md$/i, '');
}

/** What the agent prints around a task's own output: its banner before, "Finishing" after. */
function agentFrame(task: TaskJson, lines: LogLine[]): LogLine[] {
  const version = `${String(task.version.Major)}.${String(task.version.Minor)}.${String(task.version.Patch)}`;
  const rule = '='.repeat(78);
  const text = (t: string): LogLine => ({ kind: 'text', text: t });
  return [
    { kind: 'section', text: `Starting: ${stepName(task)}` },
    text(rule),
    text(`Task         : ${task.friendlyName}`),
    text(`Description  : ${task.description}`),
    text(`Version      : ${version}`),
    text(`Author       : ${task.author}`),
    text(`Help         : ${task.helpMarkDown ?? ''}`),
    text(rule),
    ...lines,
    { kind: 'section', text: `Finishing: ${stepName(task)}` },
  ];
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  fs.mkdirSync(options.images, { recursive: true });
  const pages = fs.mkdtempSync(path.join(os.tmpdir(), 'airgap-screenshot-pages-'));
  try {
    const shots: { page: string; png: string }[] = [];
    for (const [task, short] of Object.entries(DEMO_TASKS)) {
      const stdout = fs.readFileSync(path.join(options.from, DEMO_LAYOUT.logs, `${short}.log`), 'utf8');
      const markdown = fs.readFileSync(path.join(options.from, DEMO_LAYOUT.summaries, `${short}.md`), 'utf8');
      const page = path.join(pages, `${short}.html`);
      const title = summaryTitle(stdout, taskJson(options.from, task).friendlyName);
      fs.writeFileSync(page, summaryPage(RUN, title, markdownToHtml(markdown)));
      shots.push({ page, png: path.join(options.images, `screenshot-${short}.png`) });
    }

    const deployTask = taskJson(options.from, 'AirGapDeploy');
    const deployLog = fs.readFileSync(
      path.join(options.from, DEMO_LAYOUT.logs, `${DEMO_TASKS.AirGapDeploy}.log`),
      'utf8',
    );
    // The log view shows no logging commands; the first group is opened, as a reader would.
    const lines = readableLog(deployLog).filter((l) => l.kind !== 'note');
    const firstGroup = lines.find((l) => l.kind === 'heading')?.text;
    const logHtml = path.join(pages, 'log.html');
    fs.writeFileSync(
      logHtml,
      logPage(RUN, {
        stepName: stepName(deployTask),
        lines: agentFrame(deployTask, lines),
        expandedGroups: new Set(firstGroup === undefined ? [] : [firstGroup]),
      }),
    );
    shots.push({ page: logHtml, png: path.join(options.images, 'screenshot-log.png') });

    for (const shot of shots) {
      const size = screenshot(options.chromium, shot.page, shot.png);
      console.log(`${path.relative(repoRoot, shot.png)} ${String(size.width)}x${String(size.height)}`);
    }
  } finally {
    fs.rmSync(pages, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    main();
  } catch (error: unknown) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
