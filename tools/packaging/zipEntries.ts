/** Walking a zip (a .vsix) one entry at a time, with yauzl, for the packaging test and the demo. */
import type { Readable } from 'node:stream';
import * as yauzl from 'yauzl';

export interface ZipEntryHandlers {
  /** Gets each file's stream; the next entry is read once the promise settles (a rejection stops the walk). */
  file(entry: yauzl.Entry, stream: Readable): Promise<void>;
  /** Gets each folder entry (a name ending in `/`); a throw stops the walk. */
  folder?(entry: yauzl.Entry): void;
}

/** Reads every entry of the zip at `file` in order, handing files and folders to `handlers`. */
export async function forEachZipEntry(file: string, handlers: ZipEntryHandlers): Promise<void> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (error: unknown): void => reject(error instanceof Error ? error : new Error(String(error)));
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) {
          try {
            handlers.folder?.(entry);
          } catch (error: unknown) {
            fail(error);
            return;
          }
          zip.readEntry();
          return;
        }
        zip.openReadStream(entry, (err, stream) => {
          if (err) {
            reject(err);
            return;
          }
          handlers.file(entry, stream).then(
            () => zip.readEntry(),
            (error: unknown) => {
              stream.destroy();
              fail(error);
            },
          );
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}
