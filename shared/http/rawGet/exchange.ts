/**
 * One GET over one fresh connection, read with `onread` straight into reused 1 MiB buffers: the
 * kernel copies the body into the very memory that is hashed and written to disk, so a body byte
 * is never copied again in this process, there is no stream stage, no per-chunk Buffer and no
 * 'data' event. Each buffer, once nearly full, becomes one write; one write is in flight while
 * the next buffer fills, and reading pauses (TCP backpressure) when a second one is ready first.
 *
 * Reads land where the buffer generator last pointed, which it only decides right after a read
 * callback; so the read position and the buffer in use change only inside a callback, and the few
 * places that process bytes outside one (the sink's open, the connection's end) never switch
 * buffers and record where the next read will land.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { framingFor, LengthFraming, type BodyFraming } from './bodyFraming';
import { giveBuffer, takeBuffer } from './bufferPool';
import { MalformedResponse, parseHead, type ParsedHead } from './responseHead';

/** Where a streamed body goes: one write at a time, each batch valid only until its write settles. */
export interface BodySink {
  /** Called once for a streamed status, before any body byte: open the file. */
  begin(head: ParsedHead): Promise<void>;
  write(batch: Buffer): Promise<void>;
  /** Body bytes received so far, on every read (kept cheap: no hashing or writing here). */
  received(bytes: number): void;
}

export interface ExchangeRequest {
  url: URL;
  headers: Readonly<Record<string, string>>;
  /** For https: CA, client certificate, rejectUnauthorized (the agent's settings). */
  tls: tls.ConnectionOptions;
  /** Until the response head, then for each pause in the body. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Whether this status's body goes to the sink; any other body is kept (its first 64 KiB). */
  streams(status: number): boolean;
}

export type ExchangeResult =
  { kind: 'streamed'; head: ParsedHead; bytes: number } | { kind: 'kept'; head: ParsedHead; body: Buffer };

/** The exchange got no usable response, or its body broke off; a sink failure is passed on as is. */
export class ExchangeError extends Error {
  constructor(
    message: string,
    readonly details: {
      timedOut: boolean;
      aborted: boolean;
      requestSent: boolean;
      duringBody: boolean;
      code?: string;
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExchangeError';
  }
}

export const BODY_CUT_SHORT = 'connection closed before the whole body arrived';

/** A buffer with less room than this is written out; more than a TLS record's worth stays free. */
const MIN_FREE = 128 * 1024;
const MAX_HEAD = 64 * 1024;
const MAX_KEPT = 64 * 1024;

export function exchange(request: ExchangeRequest, sink: BodySink): Promise<ExchangeResult> {
  return new Promise((resolve, reject) => {
    new Exchange(request, sink, resolve, reject).start();
  });
}

type Phase = 'head' | 'opening' | 'streaming' | 'keeping' | 'writing-out' | 'settled';

interface Batch {
  view: Buffer;
  base: Buffer;
}

class Exchange {
  private socket: net.Socket | undefined;
  private phase: Phase = 'head';
  private current: Buffer;
  /** current[batchStart, fill) is body not yet queued; current[fill, rawEnd) is read but not yet framed. */
  private batchStart = 0;
  private fill = 0;
  private rawEnd = 0;
  /** Where the next read lands in current (see the file comment). */
  private readAt = 0;
  private readonly spare: Buffer[] = [];
  /** Every buffer this exchange took from the pool, to give back when it settles. */
  private readonly owned = new Set<Buffer>();
  /** The buffer under the write in flight: given back only once that write settled. */
  private inFlight: Buffer | undefined;
  private readonly queue: Batch[] = [];
  private writing = false;
  private pausedForWrites = false;
  private ended = false;
  private head: ParsedHead | undefined;
  private framing: BodyFraming | undefined;
  private bytes = 0;
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private requestSent = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly onAbort = (): void =>
    this.fail(new ExchangeError('cancelled', this.failureDetails({ aborted: true })));

  constructor(
    private readonly request: ExchangeRequest,
    private readonly sink: BodySink,
    private readonly resolve: (result: ExchangeResult) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.current = this.take();
  }

  private take(): Buffer {
    const buffer = this.spare.pop() ?? takeBuffer();
    this.owned.add(buffer);
    return buffer;
  }

  start(): void {
    const { url, signal } = this.request;
    if (signal?.aborted === true) {
      this.onAbort();
      return;
    }
    signal?.addEventListener('abort', this.onAbort, { once: true });
    this.timer = setTimeout(() => {
      this.fail(new ExchangeError('timeout', this.failureDetails({ timedOut: true })));
    }, this.request.timeoutMs);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const secure = url.protocol === 'https:';
    const port = url.port !== '' ? Number(url.port) : secure ? 443 : 80;
    const onread: net.OnReadOpts = {
      buffer: () => {
        this.readAt = this.rawEnd;
        return this.current.subarray(this.rawEnd);
      },
      callback: (bytes) => this.onRead(bytes),
    };
    let socket: net.Socket;
    try {
      if (secure) {
        // @types/node leaves onread out of tls.ConnectionOptions; TLSSocket takes it since Node 15.
        const options: tls.ConnectionOptions & { onread: net.OnReadOpts } = {
          ...this.request.tls,
          host,
          port,
          onread,
          ...(net.isIP(host) === 0 ? { servername: host } : {}),
        };
        socket = tls.connect(options, () => this.sendRequest());
      } else {
        socket = net.connect({ host, port, onread }, () => this.sendRequest());
      }
    } catch (error) {
      this.fail(this.networkError(error));
      return;
    }
    this.socket = socket;
    socket.on('error', (error) => this.fail(this.networkError(error)));
    socket.on('end', () => this.onEnd());
    socket.on('close', () => this.onEnd());
  }

  private sendRequest(): void {
    const { url, headers } = this.request;
    const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    lines.push('Connection: close', '', '');
    this.socket?.write(lines.join('\r\n'), 'latin1', () => {
      this.requestSent = true;
    });
  }

  /** The read callback: `bytes` new bytes at current[readAt]. Returning false pauses reading. */
  private onRead(bytes: number): boolean {
    if (this.phase === 'settled' || this.phase === 'writing-out') return false;
    this.timer?.refresh();
    // Bytes framed outside a callback moved the read position back; the new bytes follow them.
    if (this.readAt !== this.rawEnd) this.current.copyWithin(this.rawEnd, this.readAt, this.readAt + bytes);
    this.rawEnd += bytes;
    try {
      if (this.phase === 'opening') return this.roomLeft();
      if (this.phase === 'head') this.readHead();
      // readHead and frame move the phase on; read it afresh after each.
      if (this.currentPhase() === 'opening') return false;
      if (this.currentPhase() === 'streaming' || this.currentPhase() === 'keeping') this.frame(true);
    } catch (error) {
      this.fail(error instanceof MalformedResponse ? this.networkError(error) : error);
      return false;
    }
    const phase = this.currentPhase();
    return !this.pausedForWrites && phase !== 'settled' && phase !== 'writing-out';
  }

  private currentPhase(): Phase {
    return this.phase;
  }

  private roomLeft(): boolean {
    // Opening the file pauses reading; only what TLS had already decrypted still arrives.
    if (this.current.length - this.rawEnd < MIN_FREE / 4) {
      this.fail(
        new ExchangeError('the server sent more than fits while the file was being opened', this.failureDetails()),
      );
    }
    return false;
  }

  private readHead(): void {
    const end = this.current.subarray(0, this.rawEnd).indexOf('\r\n\r\n', 0, 'latin1');
    if (end === -1) {
      if (this.rawEnd > MAX_HEAD) throw new MalformedResponse(`the response head is longer than ${MAX_HEAD} bytes`);
      return;
    }
    const head = parseHead(this.current.toString('latin1', 0, end));
    const bodyFrom = end + 4;
    if (head.status < 200 && head.status !== 101) {
      // An interim response (100 Continue, 103 Early Hints): the real one follows.
      this.current.copyWithin(0, bodyFrom, this.rawEnd);
      this.rawEnd -= bodyFrom;
      this.readHead();
      return;
    }
    this.head = head;
    this.framing = head.status === 204 || head.status === 304 ? new LengthFraming(0) : framingFor(head.headers);
    let from = bodyFrom;
    if (this.current.length - this.rawEnd < MIN_FREE) {
      // Head and body filled the buffer: the body's start moves to a fresh one (once per exchange).
      const next = this.take();
      this.current.copy(next, 0, bodyFrom, this.rawEnd);
      this.spare.push(this.current);
      this.current = next;
      this.rawEnd -= bodyFrom;
      from = 0;
    }
    this.batchStart = from;
    this.fill = from;
    if (!this.request.streams(head.status)) {
      this.phase = 'keeping';
      return;
    }
    this.phase = 'opening';
    this.sink.begin(head).then(
      () => {
        if (this.phase !== 'opening') return;
        this.phase = 'streaming';
        try {
          this.frame(false);
        } catch (error) {
          this.fail(error instanceof MalformedResponse ? this.networkError(error) : error);
          return;
        }
        // frame() may have finished the body or failed.
        if (this.currentPhase() !== 'streaming') return;
        if (this.ended) this.onEnd();
        else this.socket?.resume();
      },
      (error: unknown) => this.fail(error),
    );
  }

  /**
   * Frames current[fill, rawEnd). Outside a read callback (`inCallback` false) the buffer is not
   * switched, since the next read is already aimed into it.
   */
  private frame(inCallback: boolean): void {
    const framing = this.framing;
    if (framing === undefined) return;
    const before = this.fill;
    this.fill = framing.take(this.current, this.fill, this.rawEnd);
    this.rawEnd = this.fill;
    if (this.phase === 'keeping') {
      this.keep(before);
      return;
    }
    this.bytes += this.fill - before;
    this.sink.received(this.bytes);
    if (framing.done) {
      this.finishBody();
      return;
    }
    if (inCallback && this.current.length - this.rawEnd < MIN_FREE) this.nextBuffer();
  }

  /** A body that is not streamed: its start is kept for the error message, the buffer reused. */
  private keep(from: number): void {
    const room = MAX_KEPT - this.keptBytes;
    if (room > 0 && this.fill > from) {
      const part = Buffer.from(this.current.subarray(from, from + Math.min(room, this.fill - from)));
      this.kept.push(part);
      this.keptBytes += part.length;
    }
    this.fill = this.rawEnd = this.batchStart = 0;
    if (this.framing?.done === true || this.keptBytes >= MAX_KEPT) this.settleKept();
  }

  private settleKept(): void {
    const head = this.head;
    if (head === undefined) return;
    this.settle();
    this.resolve({ kind: 'kept', head, body: Buffer.concat(this.kept) });
  }

  private nextBuffer(): void {
    this.queueBatch();
    this.current = this.take();
    this.batchStart = this.fill = this.rawEnd = 0;
    this.pump();
    // A full buffer waits behind the write in flight: stop reading until that write is done.
    if (this.writing && this.queue.length > 0) this.pausedForWrites = true;
  }

  private queueBatch(): void {
    if (this.fill > this.batchStart) {
      this.queue.push({ view: this.current.subarray(this.batchStart, this.fill), base: this.current });
    }
  }

  private pump(): void {
    if (this.writing || this.phase === 'settled') return;
    const batch = this.queue.shift();
    if (batch === undefined) {
      if (this.phase === 'writing-out') this.settleStreamed();
      return;
    }
    this.writing = true;
    this.inFlight = batch.base;
    this.sink.write(batch.view).then(
      () => {
        this.writing = false;
        this.inFlight = undefined;
        if (this.phase === 'settled') {
          giveBuffer(batch.base);
          return;
        }
        this.spare.push(batch.base);
        this.timer?.refresh();
        this.pump();
        if (this.pausedForWrites && this.queue.length === 0) {
          this.pausedForWrites = false;
          this.socket?.resume();
        }
      },
      (error: unknown) => {
        this.writing = false;
        this.inFlight = undefined;
        if (this.phase === 'settled') giveBuffer(batch.base);
        else this.fail(error);
      },
    );
  }

  /** Every body byte is here: the connection is done with; what remains is writing. */
  private finishBody(): void {
    this.phase = 'writing-out';
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.socket?.destroy();
    this.queueBatch();
    this.pump();
  }

  private settleStreamed(): void {
    const head = this.head;
    if (head === undefined) return;
    const bytes = this.bytes;
    this.settle();
    this.resolve({ kind: 'streamed', head, bytes });
  }

  private onEnd(): void {
    this.ended = true;
    switch (this.phase) {
      case 'head':
        this.fail(
          new ExchangeError(
            'the connection closed before a response arrived',
            this.failureDetails({ code: 'ECONNRESET' }),
          ),
        );
        return;
      case 'keeping':
        this.settleKept();
        return;
      case 'streaming':
        if (this.framing?.endsAtClose === true) this.finishBody();
        else this.fail(new ExchangeError(BODY_CUT_SHORT, this.failureDetails()));
        return;
      default:
        // 'opening' looks again once the file is open; the others are finished already.
        return;
    }
  }

  private settle(): void {
    this.phase = 'settled';
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.request.signal?.removeEventListener('abort', this.onAbort);
    this.socket?.destroy();
    // The socket reads no more: every buffer but the one under the write in flight is free again.
    for (const buffer of this.owned) if (buffer !== this.inFlight) giveBuffer(buffer);
    this.owned.clear();
    this.spare.length = 0;
    this.queue.length = 0;
  }

  private fail(error: unknown): void {
    if (this.phase === 'settled') return;
    this.settle();
    this.reject(error);
  }

  private failureDetails(overrides: Partial<ExchangeError['details']> = {}): ExchangeError['details'] {
    return {
      timedOut: false,
      aborted: false,
      requestSent: this.requestSent,
      duringBody: this.head !== undefined && this.phase !== 'keeping',
      ...overrides,
    };
  }

  private networkError(error: unknown): ExchangeError {
    if (error instanceof ExchangeError) return error;
    const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    const message = error instanceof Error ? error.message : String(error);
    return new ExchangeError(
      code === undefined || message.includes(code) ? message : `${message} (${code})`,
      this.failureDetails(code !== undefined ? { code } : {}),
      { cause: error },
    );
  }
}
