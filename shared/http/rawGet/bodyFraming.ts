/**
 * Where a response body ends (RFC 9112 §6): after Content-Length bytes, after the last chunk of a
 * chunked body, or when the server closes the connection. Works in place on the read buffer so
 * that body bytes are never copied for a Content-Length body; a chunked body is compacted over
 * its chunk-size lines (one move of the data, only for that rarer case).
 */
import { MalformedResponse, type HeaderFields } from './responseHead';

export interface BodyFraming {
  /** true once the body is complete; bytes after it are ignored. */
  readonly done: boolean;
  /** Whether the server closing the connection ends the body normally. */
  readonly endsAtClose: boolean;
  /**
   * Takes the raw bytes buffer[from, to) that follow the body bytes already at buffer[.., from)
   * and returns where the body bytes now end (≤ to): only body bytes lie before that offset.
   */
  take(buffer: Buffer, from: number, to: number): number;
}

/** How the body of a response with these headers is framed; a HEAD-like bodiless status is the caller's. */
export function framingFor(headers: HeaderFields): BodyFraming {
  const encoding = headers.get('transfer-encoding');
  if (encoding !== null) {
    const codings = encoding.split(',').map((c) => c.trim().toLowerCase());
    if (codings.length === 1 && codings[0] === 'chunked') return new ChunkedFraming();
    throw new MalformedResponse(`the response uses Transfer-Encoding ${codings.join(', ')}, which is not supported`);
  }
  const length = headers.get('content-length');
  if (length === null) return new UntilCloseFraming();
  if (!/^\d{1,15}$/.test(length)) throw new MalformedResponse('the response has an invalid Content-Length');
  return new LengthFraming(Number(length));
}

export class LengthFraming implements BodyFraming {
  readonly endsAtClose = false;
  private remaining: number;

  constructor(length: number) {
    this.remaining = length;
  }

  get done(): boolean {
    return this.remaining === 0;
  }

  take(_buffer: Buffer, from: number, to: number): number {
    const body = Math.min(this.remaining, to - from);
    this.remaining -= body;
    return from + body;
  }
}

class UntilCloseFraming implements BodyFraming {
  readonly endsAtClose = true;
  readonly done = false;

  take(_buffer: Buffer, _from: number, to: number): number {
    return to;
  }
}

const enum Chunked {
  Size,
  Data,
  DataEnd,
  Trailer,
  Done,
}

/** Longest chunk-size line (with extensions) or trailer line accepted. */
const MAX_LINE = 4096;

export class ChunkedFraming implements BodyFraming {
  readonly endsAtClose = false;
  private state = Chunked.Size;
  private line = '';
  private remaining = 0;

  get done(): boolean {
    return this.state === Chunked.Done;
  }

  take(buffer: Buffer, from: number, to: number): number {
    let out = from;
    let at = from;
    while (at < to && this.state !== Chunked.Done) {
      if (this.state === Chunked.Data) {
        const length = Math.min(this.remaining, to - at);
        if (out !== at) buffer.copyWithin(out, at, at + length);
        out += length;
        at += length;
        this.remaining -= length;
        if (this.remaining === 0) this.state = Chunked.DataEnd;
        continue;
      }
      const newline = buffer.indexOf(0x0a, at);
      const end = newline === -1 || newline >= to ? to : newline;
      this.line += buffer.toString('latin1', at, end);
      if (this.line.length > MAX_LINE) throw new MalformedResponse('a chunked body has an overlong line');
      at = end;
      if (newline === -1 || newline >= to) break;
      at++;
      this.endLine(this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line);
      this.line = '';
    }
    return out;
  }

  private endLine(line: string): void {
    switch (this.state) {
      case Chunked.Size: {
        const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line)?.[1];
        if (size === undefined) throw new MalformedResponse('a chunked body has an invalid chunk size');
        this.remaining = parseInt(size, 16);
        this.state = this.remaining === 0 ? Chunked.Trailer : Chunked.Data;
        return;
      }
      case Chunked.DataEnd:
        if (line !== '') throw new MalformedResponse('a chunk of a chunked body is longer than announced');
        this.state = Chunked.Size;
        return;
      case Chunked.Trailer:
        if (line === '') this.state = Chunked.Done;
        return;
    }
  }
}
