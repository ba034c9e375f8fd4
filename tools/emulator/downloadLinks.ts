import { randomUUID } from 'node:crypto';

interface Link {
  filePath: string;
  fileName: string;
  expiresAt: number;
}

/** Download keys handed out by the content endpoint; the key in the URL is the only credential. */
export class DownloadLinks {
  private readonly links = new Map<string, Link>();

  constructor(private readonly ttlMs: number) {}

  issue(filePath: string, fileName: string): { key: string; expiresAt: Date } {
    const key = randomUUID();
    const expiresAt = Date.now() + this.ttlMs;
    this.links.set(key, { filePath, fileName, expiresAt });
    return { key, expiresAt: new Date(expiresAt) };
  }

  /** The link while it is valid; a link may be followed more than once until it expires. */
  resolve(key: string): Link | undefined {
    const link = this.links.get(key.toLowerCase());
    return link && link.expiresAt > Date.now() ? link : undefined;
  }

  expire(key: string): void {
    const link = this.links.get(key.toLowerCase());
    if (link) link.expiresAt = 0;
  }

  expireAll(): void {
    for (const link of this.links.values()) link.expiresAt = 0;
  }
}
