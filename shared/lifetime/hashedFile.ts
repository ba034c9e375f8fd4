/**
 * The direct download path's sink: each batch is hashed, then written at its offset while the
 * connection fills the next one (exchange.ts keeps one write in flight). The file is opened only
 * once LifeTime answered 200, as on the general path.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { BodySink } from '../http/rawGet/exchange';
import type { ParsedHead } from '../http/rawGet/responseHead';

export class HashedFile implements BodySink {
  private file: fsp.FileHandle | undefined;
  private readonly hash = createHash('sha256');
  private position = 0;
  private arrived = 0;
  private total: number | undefined;
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly destination: string,
    private readonly onProgress?: (bytes: number, total?: number) => void,
  ) {}

  /** Body bytes received so far (the file may hold fewer until the last write is done). */
  get bytes(): number {
    return this.arrived;
  }

  /** The Content-Length LifeTime announced, once the response began. */
  get announced(): number | undefined {
    return this.total;
  }

  async begin(head: ParsedHead): Promise<void> {
    const length = head.headers.get('content-length');
    this.total = length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
    this.file = await fsp.open(this.destination, 'w');
  }

  received(bytes: number): void {
    this.arrived = bytes;
  }

  write(batch: Buffer): Promise<void> {
    const file = this.file;
    if (file === undefined) return Promise.reject(new Error('the file is not open'));
    this.hash.update(batch);
    const written = writeAll(file, batch, this.position);
    this.position += batch.length;
    this.inFlight = written.catch(() => undefined);
    this.onProgress?.(this.arrived, this.total);
    return written;
  }

  sha256(): string {
    return this.hash.digest('hex');
  }

  /** Waits for the write in flight, then closes; safe to call whatever happened before. */
  async close(): Promise<void> {
    await this.inFlight;
    const file = this.file;
    this.file = undefined;
    await file?.close();
  }
}

/** A write to a regular file may be short (a full disk, some network file systems): the rest follows. */
async function writeAll(file: fsp.FileHandle, batch: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < batch.length) {
    const { bytesWritten } = await file.write(batch, done, batch.length - done, position + done);
    if (bytesWritten === 0) throw new Error('the file system accepted no more bytes');
    done += bytesWritten;
  }
}
