/**
 * Bundles each `tasks/<Task>/index.ts` into one self-contained CommonJS file beside a copy of its
 * task.json and icon in build/extension/tasks/<Task>/. The agent downloads only a task's folder,
 * so nothing may be left to resolve from node_modules at run time.
 */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extensionStageDir, repoRoot, tasksSourceDir } from '../tools/paths';
import { taskBundleOptions } from '../tools/packaging/taskBundleOptions';

interface TaskJson {
  name: string;
  execution: Record<string, { target: string }>;
}

// Agents from 4.265.1 run Node24 and older ones fall back to Node20_1: one bundle serves both, so
// both handlers must exist and name it, or one runtime would run a file the build never wrote.
const HANDLERS = ['Node24', 'Node20_1'] as const;

function bundleTarget(folder: string, taskJson: TaskJson): string {
  const targets = HANDLERS.map((handler) => {
    const target = taskJson.execution[handler]?.target;
    if (!target) throw new Error(`tasks/${folder}/task.json has no execution.${handler}.target`);
    return target;
  });
  if (new Set(targets).size !== 1) {
    throw new Error(
      `tasks/${folder}/task.json: ${HANDLERS.join(' and ')} name different targets (${targets.join(', ')})`,
    );
  }
  return targets[0] as string;
}

async function bundleTask(folder: string): Promise<void> {
  const source = path.join(tasksSourceDir, folder);
  const stage = path.join(extensionStageDir, 'tasks', folder);
  const taskJson = JSON.parse(fs.readFileSync(path.join(source, 'task.json'), 'utf8')) as TaskJson;
  const target = bundleTarget(folder, taskJson);
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  const result = await esbuild.build({
    ...taskBundleOptions(path.join(source, 'index.ts')),
    outfile: path.join(stage, target),
    minify: true,
    legalComments: 'eof',
    logLevel: 'warning',
    metafile: true,
  });
  if (result.warnings.length > 0) throw new Error(`esbuild warnings while bundling ${folder}`);
  fs.copyFileSync(path.join(source, 'task.json'), path.join(stage, 'task.json'));
  for (const icon of ['icon.png', 'icon.svg']) {
    const iconPath = path.join(source, icon);
    if (fs.existsSync(iconPath)) fs.copyFileSync(iconPath, path.join(stage, icon));
  }
}

/**
 * Test tools bundled like the tasks: the OSPTool stand-in (an executable script, as OSPTool is an
 * executable) and a fixture task that drives shared/task through a real agent-like child process.
 */
async function bundleTestTools(): Promise<void> {
  const tools = [
    { entry: 'tools/osptool-standin/osptool.ts', out: 'build/osptool-standin/osptool.js', executable: true },
    { entry: 'test/support/fixtureTask/index.ts', out: 'build/test-tasks/fixture/index.js', executable: false },
  ];
  for (const tool of tools) {
    const outfile = path.join(repoRoot, tool.out);
    fs.mkdirSync(path.dirname(outfile), { recursive: true });
    const result = await esbuild.build({
      entryPoints: [path.join(repoRoot, tool.entry)],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['encoding'],
      logLevel: 'warning',
      ...(tool.executable ? { banner: { js: '#!/usr/bin/env node' } } : {}),
    });
    if (result.warnings.length > 0) throw new Error(`esbuild warnings while bundling ${tool.entry}`);
    if (tool.executable) fs.chmodSync(outfile, 0o755);
  }
}

async function main(): Promise<void> {
  const folders = fs
    .readdirSync(tasksSourceDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(tasksSourceDir, d.name, 'index.ts')))
    .map((d) => d.name);
  // Test tools first: they do not depend on the tasks, so a task that does not build yet cannot stop them.
  await bundleTestTools();
  await Promise.all(folders.map(bundleTask));
  console.log(`bundled ${folders.length} task(s) into ${path.relative(process.cwd(), extensionStageDir)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
