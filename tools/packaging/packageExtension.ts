/**
 * Packages the Marketplace extension: `npm run package` (build first, then this).
 *
 *   node build/tsc/scripts/package-extension.js [--publisher <id>] [--version <x.y.z>] [--output-path <dir>]
 *
 * Publisher and version also come from AIRGAP_PUBLISHER / AIRGAP_VERSION (arguments win); without
 * them the values in vss-extension.json are used. The tasks are already bundled into
 * build/extension/tasks/<Task>/ by the build; this stages the manifest, overview, licence and
 * images beside them, removes what must not ship, and runs the local tfx-cli (offline) to write
 * `<output>/<publisher>.<id>-<version>.vsix`. Any tfx warning fails the packaging: tfx reports a
 * broken task.json only as a warning, and such a package would install and then not run.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { distDir, extensionStageDir, repoRoot } from '../paths';

export interface PackageOptions {
  publisher?: string | undefined;
  version?: string | undefined;
  outputDir?: string | undefined;
  /** The folder tfx packages (default build/extension, where the build puts the bundled tasks). */
  stageDir?: string | undefined;
}

interface ExtensionManifest {
  id: string;
  publisher: string;
  version: string;
  files: { path: string }[];
  contributions: { type: string; properties: { name?: string } }[];
}

const tfxApp = path.join(repoRoot, 'node_modules', 'tfx-cli', '_build', 'app.js');
/** Copied from the repository into the stage, beside the bundled tasks. */
const stagedFromRepo = ['vss-extension.json', 'overview.md', 'LICENSE', 'images'];
const publisherPattern = /^[A-Za-z0-9][A-Za-z0-9-]{0,254}$/;
const versionPattern = /^\d+\.\d+\.\d+$/;

export function readManifest(file = path.join(repoRoot, 'vss-extension.json')): ExtensionManifest {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ExtensionManifest;
}

/** Task folders (`tasks/<Task>`) that the manifest contributes. */
export function contributedTaskFolders(manifest: ExtensionManifest): string[] {
  return manifest.contributions
    .filter((c) => c.type === 'ms.vss-distributed-task.task')
    .map((c) => c.properties.name)
    .filter((name): name is string => typeof name === 'string');
}

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): PackageOptions {
  const options: PackageOptions = {
    publisher: env.AIRGAP_PUBLISHER || undefined,
    version: env.AIRGAP_VERSION || undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    const take = (): string => {
      if (value === undefined || value.startsWith('--')) throw new Error(`${String(arg)} needs a value`);
      i++;
      return value;
    };
    if (arg === '--publisher') options.publisher = take();
    else if (arg === '--version') options.version = take();
    else if (arg === '--output-path') options.outputDir = path.resolve(take());
    else throw new Error(`unknown argument ${String(arg)} (use --publisher, --version, --output-path)`);
  }
  if (options.publisher !== undefined && !publisherPattern.test(options.publisher)) {
    throw new Error(`publisher "${options.publisher}" is not a Marketplace publisher id (letters, digits, dashes)`);
  }
  if (options.version !== undefined && !versionPattern.test(options.version)) {
    throw new Error(`version "${options.version}" is not major.minor.patch`);
  }
  return options;
}

/** Deletes node_modules folders, TypeScript sources, source maps and OS litter anywhere in the stage. */
export function removeUnshippable(dir: string): string[] {
  const removed: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules') {
        fs.rmSync(full, { recursive: true, force: true });
        removed.push(full);
      } else {
        removed.push(...removeUnshippable(full));
      }
    } else if (/\.(ts|map|tsbuildinfo)$/.test(entry.name) || entry.name === '.DS_Store' || entry.name === 'Thumbs.db') {
      fs.rmSync(full, { force: true });
      removed.push(full);
    }
  }
  return removed;
}

function stage(manifest: ExtensionManifest, stageDir: string): void {
  for (const folder of contributedTaskFolders(manifest)) {
    for (const file of ['index.js', 'task.json', 'icon.png']) {
      if (!fs.existsSync(path.join(stageDir, folder, file))) {
        throw new Error(`${folder}/${file} is not in ${stageDir}; run \`npm run build\` first`);
      }
    }
  }
  for (const item of stagedFromRepo) {
    const target = path.join(stageDir, item);
    fs.rmSync(target, { recursive: true, force: true });
    fs.cpSync(path.join(repoRoot, item), target, { recursive: true });
  }
  removeUnshippable(stageDir);
}

/** Writes the .vsix and returns its path; throws on any tfx error or warning. */
export function packageExtension(options: PackageOptions = {}): string {
  const manifest = readManifest();
  const publisher = options.publisher ?? manifest.publisher;
  const version = options.version ?? manifest.version;
  const outputDir = options.outputDir ?? distDir;
  const stageDir = options.stageDir ?? extensionStageDir;
  stage(manifest, stageDir);
  fs.mkdirSync(outputDir, { recursive: true });
  const vsix = path.join(outputDir, `${publisher}.${manifest.id}-${version}.vsix`);
  fs.rmSync(vsix, { force: true });

  const result = spawnSync(
    process.execPath,
    [
      tfxApp,
      'extension',
      'create',
      '--root',
      stageDir,
      '--manifest-globs',
      'vss-extension.json',
      '--output-path',
      outputDir,
      '--override',
      JSON.stringify({ publisher, version }),
      '--no-prompt',
      '--no-color',
    ],
    { cwd: stageDir, encoding: 'utf8', env: { ...process.env, NO_UPDATE_NOTIFIER: '1' } },
  );
  const output = `${result.stdout}${result.stderr}`;
  if (result.error) throw new Error(`could not start tfx: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`tfx extension create failed (exit ${String(result.status)}):\n${output}`);
  const warnings = output.split(/\r?\n/).filter((line) => /warn/i.test(line));
  if (warnings.length > 0) {
    fs.rmSync(vsix, { force: true });
    throw new Error(`tfx reported warnings; fix them before shipping:\n${warnings.join('\n')}`);
  }
  if (!fs.existsSync(vsix)) throw new Error(`tfx succeeded but ${vsix} is missing:\n${output}`);
  return vsix;
}
