import * as yauzl from 'yauzl';

export interface PackageInfo {
  uid: string;
  name: string;
  modules: string[];
}

/** Reads Manifest.xml out of an .oap (a zip) and the few facts a publication message names. */
export async function readPackageInfo(file: string): Promise<PackageInfo> {
  const xml = await readZipEntry(file, 'Manifest.xml');
  const application = /<Application\s[^>]*>/.exec(xml)?.[0];
  if (application === undefined) throw new Error('Manifest.xml has no Application element');
  const uid = attribute(application, 'UID');
  const name = attribute(application, 'Name');
  if (uid === undefined || name === undefined) throw new Error('the Application element has no UID or Name');
  const modulesBlock = /<Modules>([\s\S]*?)<\/Modules>/.exec(xml)?.[1] ?? '';
  const modules = [...modulesBlock.matchAll(/<Module\s[^>]*>/g)]
    .map((m) => attribute(m[0], 'Name'))
    .filter((n): n is string => n !== undefined);
  return { uid, name, modules };
}

function attribute(element: string, name: string): string | undefined {
  const value = new RegExp(`\\s${name}="([^"]*)"`).exec(element)?.[1];
  return value === undefined ? undefined : decodeXml(value);
}

function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&');
}

function readZipEntry(file: string, entryName: string): Promise<string> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (openError, zip) => {
      if (openError) {
        reject(openError);
        return;
      }
      let found = false;
      zip.on('error', reject);
      zip.on('end', () => {
        if (!found) reject(new Error(`the package has no ${entryName}`));
      });
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== entryName) {
          zip.readEntry();
          return;
        }
        found = true;
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) {
            reject(streamError);
            return;
          }
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            zip.close();
            resolve(
              Buffer.concat(chunks)
                .toString('utf8')
                .replace(/^\uFEFF/, ''),
            );
          });
        });
      });
      zip.readEntry();
    });
  });
}
