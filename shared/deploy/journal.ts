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

/**
 * A LifeTime deployment plan for one package (publishMethod `lifetime`), written before anything
 * is sent: the intent before the upload, the plan's key before the plan starts, and `closed` once
 * the plan ended without deploying (errors, aborted, conflicts), so a rerun creates a new one.
 */
export interface PlanEntry {
  key: string;
  name: string;
  sha256: string;
  /** When the upload was about to go out (what a lost answer is reconciled against). */
  intentAt: string;
  planKey?: string;
  state: 'open' | 'closed';
}

interface SealedPlan extends PlanEntry {
  mac: string;
}

interface JournalFile {
  schemaVersion: 1;
  targetHostname: string;
  bundlePath: string;
  published: SealedEntry[];
  plans?: SealedPlan[];
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

function planMacOf(entry: PlanEntry, host: string, key: Buffer): string {
  const fields = [
    'plan',
    host.toLowerCase(),
    entry.key,
    entry.sha256,
    entry.intentAt,
    entry.planKey ?? '',
    entry.state,
  ];
  return crypto.createHmac('sha256', key).update(fields.join('\n')).digest('hex');
}

function isSealedPlan(value: unknown): value is SealedPlan {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    ['key', 'name', 'sha256', 'intentAt', 'mac'].every((f) => typeof v[f] === 'string') &&
    (v.planKey === undefined || typeof v.planKey === 'string') &&
    (v.state === 'open' || v.state === 'closed')
  );
}

function macMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'hex');
  const b = Buffer.from(expected, 'hex');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
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
    private readonly header: Omit<JournalFile, 'published' | 'plans'>,
    private readonly entries: SealedEntry[],
    private readonly key: Buffer,
    private readonly planEntries: SealedPlan[],
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
      return new DeployJournal(file, header, [], key, [], `${(error as Error).message}; it was ignored`);
    }
    if (text === undefined) return new DeployJournal(file, header, [], key, []);
    let parsed: { published?: unknown; plans?: unknown };
    try {
      parsed = JSON.parse(text) as { published?: unknown; plans?: unknown };
    } catch {
      return new DeployJournal(file, header, [], key, [], `deploy journal ${file} is not valid JSON and was ignored`);
    }
    const listed = Array.isArray(parsed.published) ? parsed.published : [];
    const trusted = listed.filter(isSealedEntry).filter((e) => macMatches(e.mac, macOf(e, host, key)));
    const listedPlans = Array.isArray(parsed.plans) ? parsed.plans : [];
    const plans = listedPlans.filter(isSealedPlan).filter((e) => macMatches(e.mac, planMacOf(e, host, key)));
    const ignored = listed.length - trusted.length + listedPlans.length - plans.length;
    const problem =
      ignored > 0
        ? `${ignored} entr${ignored === 1 ? 'y' : 'ies'} of deploy journal ${file} did not come from a deployment with this target's credentials (a changed password or token, the other publish method, or edited on the share) and ${ignored === 1 ? 'was' : 'were'} ignored: those packages are published again`
        : undefined;
    return new DeployJournal(file, header, trusted, key, plans, problem);
  }

  /** The newest plan recorded for these bytes of this application that may still deploy them. */
  openPlan(key: string, sha256: string): PlanEntry | undefined {
    return this.planEntries.filter((e) => e.key === key && e.sha256 === sha256 && e.state === 'open').at(-1);
  }

  /** The keys of every plan recorded for these bytes, to leave out when looking for a lost one. */
  knownPlanKeys(key: string, sha256: string): string[] {
    return this.planEntries
      .filter((e) => e.key === key && e.sha256 === sha256 && e.planKey !== undefined)
      .map((e) => e.planKey ?? '');
  }

  /** Written before the upload goes out. */
  async recordPlanIntent(entry: { key: string; name: string; sha256: string }): Promise<PlanEntry> {
    const plan: PlanEntry = { ...entry, intentAt: new Date().toISOString(), state: 'open' };
    this.planEntries.push({ ...plan, mac: planMacOf(plan, this.header.targetHostname, this.key) });
    await this.save(`the intent to upload "${entry.name}"`, 'nothing was uploaded yet');
    return plan;
  }

  /** Written before the plan is started. */
  async recordPlanKey(plan: PlanEntry, planKey: string): Promise<PlanEntry> {
    return this.updatePlan(plan, { planKey }, `deployment plan ${planKey} of "${plan.name}"`);
  }

  /** The plan ended without deploying (or was deleted): a rerun creates a new one. */
  async closePlan(plan: PlanEntry): Promise<PlanEntry> {
    return this.updatePlan(
      plan,
      { state: 'closed' },
      `the end of deployment plan ${plan.planKey ?? ''} of "${plan.name}"`,
    );
  }

  private async updatePlan(plan: PlanEntry, change: Partial<PlanEntry>, what: string): Promise<PlanEntry> {
    const index = this.planEntries.findIndex(
      (e) => e.key === plan.key && e.intentAt === plan.intentAt && e.sha256 === plan.sha256,
    );
    const updated: PlanEntry = { ...plan, ...change };
    const sealed = { ...updated, mac: planMacOf(updated, this.header.targetHostname, this.key) };
    if (index >= 0) this.planEntries[index] = sealed;
    else this.planEntries.push(sealed);
    await this.save(what, 'a rerun looks for the plan in LifeTime');
    return updated;
  }

  /** The earlier publication of exactly these bytes of this application, if any. */
  published(key: string, sha256: string): JournalEntry | undefined {
    return this.entries.find((e) => e.key === key && e.sha256 === sha256);
  }

  async record(entry: JournalEntry): Promise<void> {
    this.entries.push({ ...entry, mac: macOf(entry, this.header.targetHostname, this.key) });
    await this.save(`"${entry.name}" ${entry.version} was published, but`, 'a rerun would publish it again');
  }

  private async save(what: string, consequence: string): Promise<void> {
    const body: JournalFile = { ...this.header, published: this.entries, plans: this.planEntries };
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
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new JournalWriteError(
        `${what} could not be recorded in the deploy journal ${this.file} (${code}); ${consequence}`,
      );
    }
  }
}
