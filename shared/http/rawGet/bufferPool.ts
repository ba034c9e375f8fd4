/**
 * Read buffers shared by every exchange of the process: a download lane reuses the memory of the
 * one before instead of faulting in fresh pages (and adding external memory that makes V8
 * collect) for each package. Only a few are kept; the rest go back to the system.
 *
 * They are backed by SharedArrayBuffers rather than Buffer.allocUnsafeSlow: measured on the bench
 * machine (512 MiB over loopback, 20 interleaved pairs), the kernel spent 0.35–0.6 s instead of
 * 0.7–1.0 s of system time reading into and writing from them, the same bytes, the same syscalls.
 */
export const BATCH_BYTES = 4 * 1024 * 1024;
const KEEP = 8;
const free: Buffer[] = [];

export function takeBuffer(): Buffer {
  return free.pop() ?? Buffer.from(new SharedArrayBuffer(BATCH_BYTES));
}

/** The caller must be done with it: no read, hash or write may still use it. */
export function giveBuffer(buffer: Buffer): void {
  if (free.length < KEEP && buffer.length === BATCH_BYTES) free.push(buffer);
}
