import * as path from 'node:path';

/** Where the build puts things; every script and test finds them here rather than guessing. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const tasksSourceDir = path.join(repoRoot, 'tasks');
export const extensionStageDir = path.join(repoRoot, 'build', 'extension');
export const distDir = path.join(repoRoot, 'dist');

/** The bundled entry of a task, as the agent would run it (`execution.Node20_1.target`). */
export function bundledTaskEntry(taskFolder: string): string {
  return path.join(extensionStageDir, 'tasks', taskFolder, 'index.js');
}
