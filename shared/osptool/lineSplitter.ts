import type { Readable } from 'node:stream';
import { decodeConsoleLine } from './consoleEncoding';

const LF = 0x0a;

/**
 * Reads a stream to its end, calling `onLine` for each line (CRLF or LF; a last line without a
 * terminator included). Lines are split on bytes and each decoded on its own (see
 * consoleEncoding.ts): a line is UTF-8 or else in `oemCodePage`. Reading never pauses: a child
 * whose pipe fills up blocks on its write.
 */
export function forEachLine(stream: Readable, onLine: (line: string) => void, oemCodePage?: number): Promise<void> {
  return new Promise((resolve) => {
    let pending: Buffer = Buffer.alloc(0);
    const emitLine = (bytes: Buffer): void => {
      const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
      onLine(decodeConsoleLine(bytes.subarray(0, end), oemCodePage));
    };
    stream.on('data', (chunk: Buffer) => {
      let data = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let newline = data.indexOf(LF);
      while (newline !== -1) {
        emitLine(data.subarray(0, newline));
        data = data.subarray(newline + 1);
        newline = data.indexOf(LF);
      }
      pending = Buffer.from(data); // a copy, so the chunk it came from is not kept alive
    });
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      if (pending.length > 0) emitLine(pending);
      pending = Buffer.alloc(0);
      resolve();
    };
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
  });
}
