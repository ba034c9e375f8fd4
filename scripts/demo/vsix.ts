/** Finding the packaged extension in dist/ and unpacking it as the agent's task download would. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { forEachZipEntry } from '../../tools/packaging/zipEntries';

/** The newest `.vsix` in a folder; throws naming the folder when there is none. */
export function newestVsix(dir: string): string {
  const found = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((name) => name.endsWith('.vsix'))
        .map((name) => path.join(dir, name))
        .filter((file) => fs.statSync(file).isFile())
    : [];
  const newest = found.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  if (newest === undefined) throw new Error(`no .vsix in ${dir}: run \`npm run package\` first`);
  return newest;
}

/** The path an archive entry may be written to, or an error for names that would escape the folder. */
function entryTarget(root: string, name: string): string {
  const target = path.resolve(root, name);
  if (path.isAbsolute(name) || name.includes('\\') || !target.startsWith(root + path.sep)) {
    throw new Error(`refusing to extract "${name}": it would land outside ${root}`);
  }
  return target;
}

/** Extracts every file of a .vsix (a zip) into `targetDir`; returns the names extracted. */
export async function extractVsix(vsix: string, targetDir: string): Promise<string[]> {
  const root = path.resolve(targetDir);
  fs.mkdirSync(root, { recursive: true });
  const names: string[] = [];
  await forEachZipEntry(vsix, {
    folder: (entry) => fs.mkdirSync(entryTarget(root, entry.fileName), { recursive: true }),
    file: (entry, stream) => {
      const target = entryTarget(root, entry.fileName);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      return pipeline(stream, fs.createWriteStream(target)).then(() => {
        names.push(entry.fileName);
      });
    },
  });
  return names;
}
