/** Finding the packaged extension in dist/ and unpacking it as the agent's task download would. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yauzl from 'yauzl';

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
  const zip = await yauzl.openPromise(vsix, { lazyEntries: true });
  const names: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry: yauzl.Entry) => {
        let target: string;
        try {
          target = entryTarget(root, entry.fileName);
        } catch (error: unknown) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (entry.fileName.endsWith('/')) {
          fs.mkdirSync(target, { recursive: true });
          zip.readEntry();
          return;
        }
        zip.openReadStream(entry, (err, stream) => {
          if (err) {
            reject(err);
            return;
          }
          fs.mkdirSync(path.dirname(target), { recursive: true });
          const out = fs.createWriteStream(target);
          stream.on('error', reject);
          out.on('error', reject);
          out.on('finish', () => {
            names.push(entry.fileName);
            zip.readEntry();
          });
          stream.pipe(out);
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return names;
}
