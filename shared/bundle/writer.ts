/**
 * Writes a bundle so that nobody ever sees half of one: everything goes into a temporary folder
 * inside the share root (same volume, so the final rename is atomic) and is renamed to
 * `<bundleName>` only when complete. An existing bundle is never touched, and when two exports
 * race for one name the rename lets exactly one win.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isWindowsDeviceName } from './fileNames';

const RENAME_ATTEMPTS = 5;
/** The longest file or folder name NTFS, ext4 and SMB shares take. */
const MAX_NAME_LENGTH = 255;

/** The temporary folder beside the bundle, `.<bundleName>.partial-<8 hex>`, 18 characters longer. */
function stagingName(bundleName: string, random: string): string {
  return `.${bundleName}.partial-${random}`;
}

/** The longest bundleName whose staging folder name still fits. */
export const MAX_BUNDLE_NAME_LENGTH = MAX_NAME_LENGTH - stagingName('', 'ffffffff').length;

export class BundleWriteError extends Error {
  override name = 'BundleWriteError';
}

/** A folder name that means the same on Windows shares and Linux mounts, and stays one level deep. */
export function checkBundleName(bundleName: string): void {
  const problem =
    bundleName.trim() === ''
      ? 'is empty'
      : bundleName === '.' || bundleName === '..'
        ? 'is not a folder name'
        : /[\\/]/.test(bundleName)
          ? 'contains a path separator'
          : /[<>:"|?*\u0000-\u001f]/.test(bundleName)
            ? 'contains a character Windows does not allow in a folder name (< > : " | ? * or a control character)'
            : isWindowsDeviceName(bundleName)
              ? 'is a name Windows reserves for a device'
              : /[. ]$/.test(bundleName)
                ? 'ends with a dot or a space'
                : bundleName.startsWith('.')
                  ? 'starts with a dot (reserved for temporary folders)'
                  : stagingName(bundleName, 'ffffffff').length > MAX_NAME_LENGTH
                    ? `is ${bundleName.length} characters long; at most ${MAX_BUNDLE_NAME_LENGTH} fit, as the export first writes into a folder named ${stagingName('<bundleName>', '<8 hex>')}`
                    : undefined;
  if (problem !== undefined) throw new BundleWriteError(`bundleName "${bundleName}" ${problem}`);
}

export class BundleStaging {
  private committed = false;

  private constructor(
    /** The temporary folder to write packages and the manifest into. */
    readonly dir: string,
    /** Where the bundle appears once committed. */
    readonly finalPath: string,
  ) {}

  static async create(sharePath: string, bundleName: string): Promise<BundleStaging> {
    checkBundleName(bundleName);
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(sharePath);
    } catch (error) {
      throw new BundleWriteError(
        `share path ${sharePath} is not reachable from this agent (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    if (!stat.isDirectory()) throw new BundleWriteError(`share path ${sharePath} is not a folder`);
    const finalPath = path.join(sharePath, bundleName);
    if (fs.existsSync(finalPath)) {
      throw new BundleWriteError(
        `bundle ${finalPath} already exists on the share; bundles are never overwritten, choose another bundleName`,
      );
    }
    const dir = path.join(sharePath, stagingName(bundleName, crypto.randomBytes(4).toString('hex')));
    try {
      await fs.promises.mkdir(dir);
    } catch (error) {
      throw new BundleWriteError(
        `cannot write to share path ${sharePath} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    return new BundleStaging(dir, finalPath);
  }

  fileInStaging(fileName: string): string {
    return path.join(this.dir, fileName);
  }

  /** Renames the finished folder into place; fails, leaving the existing one untouched, if the name was taken meanwhile. */
  async commit(): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (fs.existsSync(this.finalPath)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
        await fs.promises.rename(this.dir, this.finalPath);
        this.committed = true;
        return this.finalPath;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const taken = code === 'EEXIST' || code === 'ENOTEMPTY' || fs.existsSync(this.finalPath);
        // On Windows a scanner or indexer holding a file inside makes the rename fail for a moment.
        if (!taken && (code === 'EPERM' || code === 'EACCES' || code === 'EBUSY') && attempt < RENAME_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, 250 * attempt));
          continue;
        }
        await this.discard();
        if (taken) {
          throw new BundleWriteError(
            `bundle ${this.finalPath} appeared on the share while this export was running (another export with the same bundleName?); it was left untouched and this export discarded`,
          );
        }
        throw new BundleWriteError(
          `cannot move the finished bundle into place at ${this.finalPath} (${code ?? 'error'})`,
        );
      }
    }
  }

  /**
   * Removes the temporary folder; safe to call more than once and after a commit. Returns the
   * folder it could not remove (the caller warns) rather than hiding the error that led here.
   */
  async discard(): Promise<string | undefined> {
    if (this.committed) return undefined;
    try {
      await fs.promises.rm(this.dir, { recursive: true, force: true, maxRetries: 3 });
      return undefined;
    } catch {
      return this.dir;
    }
  }
}
