/**
 * What has been published from a bundle to one target host, kept beside the bundle so that a rerun
 * (after a failure, a timeout or a killed agent) publishes nothing twice. An entry counts only for
 * the same application with the same bytes (sha256), and only when it carries a MAC made with a
 * key derived from the target's OSPTool credentials: the share is writable by others, and a forged
 * entry must not be able to make a deploy skip a package (a security fix, say) and still succeed.
 * The file is replaced atomically and read as untrusted input.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileTooLargeError, NotRegularFileError, readRegularFile } from '../util/regularFile';

export interface JournalEntry {
  key: string;
  name: string;
  version: string;
  sha256: string;
  file: string;
  publishedAt: string;
}

interface SealedEntry extends JournalEntry {
  mac: string;
}

interface JournalFile {
  schemaVersion: 1;
  targetHostname: string;
  bundlePath: string;
  published: SealedEntry[];
}

export interface JournalLocation {
  /** Folder holding the journal and the lock. */
  dir: string;
  /** File name stem shared by the journal and the lock, e.g. `R42.deploy-preprod.example.com`. */
  stem: string;
  fallback: boolean;
}

export class JournalWriteError extends Error {
  override name = 'JournalWriteError';
}

const MAX_JOURNAL_BYTES = 4 * 1024 * 1024;
const RENAME_ATTEMPTS = 5;

function safeHost(host: string): string {
  return host.toLowerCase().replace(/[^a-z0-9.-]/g, '_');
}

/** A key only a holder of the target's credentials can derive; never written anywhere. */
export function journalKey(host: string, user: string, password: string): Buffer {
  return crypto
    .createHash('sha256')
    .update(`outsystems-airgap-journal\0${host.toLowerCase()}\0${user}\0${password}`)
    .digest();
}

function macOf(entry: JournalEntry, host: string, key: Buffer): string {
  const fields = [host.toLowerCase(), entry.key, entry.sha256, entry.file, entry.version, entry.publishedAt];
  return crypto.createHmac('sha256', key).update(fields.join('\n')).digest('hex');
}

/**
 * Beside the bundle when the share is writable; otherwise in the agent's temp folder, so a
 * read-only share still deploys (the caller warns that resuming then only works on this agent).
 */
export async function locateJournal(bundlePath: string, host: string, agentTemp: string): Promise<JournalLocation> {
  const resolved = path.resolve(bundlePath);
  const besideDir = path.dirname(resolved);
  const stem = `${path.basename(resolved)}.deploy-${safeHost(host)}`;
  const probe = path.join(besideDir, `.${stem}.probe-${crypto.randomBytes(4).toString('hex')}`);
  try {
    await fs.promises.writeFile(probe, '', { flag: 'wx' });
    await fs.promises.rm(probe, { force: true });
    return { dir: besideDir, stem, fallback: false };
  } catch {
    const dir = path.join(agentTemp || os.tmpdir(), 'outsystems-airgap-journals');
    await fs.promises.mkdir(dir, { recursive: true });
    const id = crypto.createHash('sha256').update(resolved).digest('hex').slice(0, 16);
    return { dir, stem: `${id}.deploy-${safeHost(host)}`, fallback: true };
  }
}

export function journalPath(location: JournalLocation): string {
  return path.join(location.dir, `${location.stem}.journal.json`);
}

function isSealedEntry(value: unknown): value is SealedEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['key', 'name', 'version', 'sha256', 'file', 'publishedAt', 'mac'].every((f) => typeof v[f] === 'string');
}

async function readJournalText(file: string): Promise<string | undefined> {
  try {
    // Never blocks on a named pipe, never follows a link (regularFile.ts).
    return (await readRegularFile(file, MAX_JOURNAL_BYTES)).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (error instanceof NotRegularFileError || error instanceof FileTooLargeError) {
      throw new Error(`deploy journal ${error.message}`);
    }
    throw error;
  }
}

function isTransient(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EPERM' || code === 'EACCES' || code === 'EBUSY';
}

export class DeployJournal {
  private constructor(
    readonly file: string,
    private readonly header: Omit<JournalFile, 'published'>,
    private readonly entries: SealedEntry[],
    private readonly key: Buffer,
    /** Why part or all of an existing journal was not trusted, for a warning. */
    readonly ignoredProblem?: string,
  ) {}

  static async open(location: JournalLocation, host: string, bundlePath: string, key: Buffer): Promise<DeployJournal> {
    const file = journalPath(location);
    const header = { schemaVersion: 1 as const, targetHostname: host, bundlePath: path.resolve(bundlePath) };
    let text: string | undefined;
    try {
      text = await readJournalText(file);
    } catch (error) {
      return new DeployJournal(file, header, [], key, `${(error as Error).message}; it was ignored`);
    }
    if (text === undefined) return new DeployJournal(file, header, [], key);
    let parsed: { published?: unknown };
    try {
      parsed = JSON.parse(text) as { published?: unknown };
    } catch {
      return new DeployJournal(file, header, [], key, `deploy journal ${file} is not valid JSON and was ignored`);
    }
    const listed = Array.isArray(parsed.published) ? parsed.published : [];
    const trusted = listed.filter(isSealedEntry).filter((e) => {
      const expected = Buffer.from(macOf(e, host, key), 'hex');
      const given = Buffer.from(e.mac, 'hex');
      return given.length === expected.length && crypto.timingSafeEqual(given, expected);
    });
    const ignored = listed.length - trusted.length;
    const problem =
      ignored > 0
        ? `${ignored} entr${ignored === 1 ? 'y' : 'ies'} of deploy journal ${file} did not come from a deployment with this target's credentials (changed password, or edited on the share) and ${ignored === 1 ? 'was' : 'were'} ignored: those packages are published again`
        : undefined;
    return new DeployJournal(file, header, trusted, key, problem);
  }

  /** The earlier publication of exactly these bytes of this application, if any. */
  published(key: string, sha256: string): JournalEntry | undefined {
    return this.entries.find((e) => e.key === key && e.sha256 === sha256);
  }

  async record(entry: JournalEntry): Promise<void> {
    this.entries.push({ ...entry, mac: macOf(entry, this.header.targetHostname, this.key) });
    const body: JournalFile = { ...this.header, published: this.entries };
    const temp = `${this.file}.tmp-${crypto.randomBytes(4).toString('hex')}`;
    try {
      await fs.promises.writeFile(temp, JSON.stringify(body, null, 2) + '\n', { flag: 'wx' });
      // Windows shares refuse a rename briefly while a scanner holds the file; wait that out.
      for (let attempt = 1; ; attempt++) {
        try {
          await fs.promises.rename(temp, this.file);
          return;
        } catch (error) {
          if (!isTransient(error) || attempt >= RENAME_ATTEMPTS) throw error;
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
    } catch (error) {
      await fs.promises.rm(temp, { force: true });
      throw new JournalWriteError(
        `"${entry.name}" ${entry.version} was published, but could not be recorded in the deploy journal ${this.file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); a rerun would publish it again`,
      );
    }
  }
}
