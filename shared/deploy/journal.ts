/**
 * What has been published from a bundle to one target host, kept beside the bundle so that a rerun
 * (after a failure, a timeout or a killed agent) publishes nothing twice. An entry counts only for
 * the same application with the same bytes (sha256). The file is replaced atomically, and read as
 * untrusted input: anything unexpected in it is ignored rather than trusted.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface JournalEntry {
  key: string;
  name: string;
  version: string;
  sha256: string;
  file: string;
  publishedAt: string;
}

interface JournalFile {
  schemaVersion: 1;
  targetHostname: string;
  bundlePath: string;
  published: JournalEntry[];
}

export interface JournalLocation {
  /** Folder holding the journal and the lock. */
  dir: string;
  /** File name stem shared by the journal and the lock, e.g. `R42.deploy-preprod.example.com`. */
  stem: string;
  fallback: boolean;
}

function safeHost(host: string): string {
  return host.toLowerCase().replace(/[^a-z0-9.-]/g, '_');
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

function isEntry(value: unknown): value is JournalEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['key', 'name', 'version', 'sha256', 'file', 'publishedAt'].every((f) => typeof v[f] === 'string');
}

export class DeployJournal {
  private constructor(
    readonly file: string,
    private readonly header: Omit<JournalFile, 'published'>,
    private readonly entries: JournalEntry[],
    readonly ignoredProblem?: string,
  ) {}

  static async open(location: JournalLocation, host: string, bundlePath: string): Promise<DeployJournal> {
    const file = journalPath(location);
    const header = { schemaVersion: 1 as const, targetHostname: host, bundlePath: path.resolve(bundlePath) };
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch {
      return new DeployJournal(file, header, []);
    }
    try {
      const parsed = JSON.parse(text) as { published?: unknown };
      const list = Array.isArray(parsed.published) ? parsed.published.filter(isEntry) : [];
      return new DeployJournal(file, header, list);
    } catch {
      return new DeployJournal(file, header, [], `deploy journal ${file} is not valid JSON and was ignored`);
    }
  }

  /** The earlier publication of exactly these bytes of this application, if any. */
  published(key: string, sha256: string): JournalEntry | undefined {
    return this.entries.find((e) => e.key === key && e.sha256 === sha256);
  }

  async record(entry: JournalEntry): Promise<void> {
    this.entries.push(entry);
    const body: JournalFile = { ...this.header, published: this.entries };
    const temp = `${this.file}.tmp-${crypto.randomBytes(4).toString('hex')}`;
    await fs.promises.writeFile(temp, JSON.stringify(body, null, 2) + '\n', { flag: 'wx' });
    await fs.promises.rename(temp, this.file);
  }
}
