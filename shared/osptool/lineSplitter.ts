import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

/**
 * Reads a stream to its end, calling `onLine` for each line (CRLF or LF; a last line without a
 * terminator included). Reading never pauses: a child whose pipe fills up blocks on its write.
 */
export function forEachLine(stream: Readable, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    const emit = (text: string): void => {
      pending += text;
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        onLine(pending.slice(0, newline).replace(/\r$/, ''));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    };
    stream.on('data', (chunk: Buffer) => emit(decoder.write(chunk)));
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      emit(decoder.end());
      if (pending !== '') onLine(pending.replace(/\r$/, ''));
      pending = '';
      resolve();
    };
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
  });
}
