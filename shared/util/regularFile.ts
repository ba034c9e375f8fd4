/**
 * Opening a file that someone else can replace (on the share) without letting it block or
 * redirect the task. A named pipe where a lock, a journal or a package should be would block an
 * ordinary `open` on a libuv worker thread until a writer appears, and then nothing, not even
 * cancellation or `process.exit`, ends the task; a symbolic link could point anywhere.
 *
 * So: `lstat` first (a regular file, not a link), then open with `O_NONBLOCK` (a pipe swapped in
 * meanwhile opens at once instead of waiting for a writer) and `O_NOFOLLOW` (a link swapped in is
 * refused), then `fstat` the descriptor and check it is that same regular file. Windows has
 * neither flag; there `lstat` and `fstat` are the check, and a named pipe cannot sit on a share.
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  open as openCallback,
  openSync,
  readSync,
  type Stats,
} from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';

/** The file is there but is not a regular file: the message says what it is instead. */
export class NotRegularFileError extends Error {
  override name = 'NotRegularFileError';
  readonly code = 'ENOTREGULAR';
  constructor(
    readonly filePath: string,
    readonly kind: string,
  ) {
    super(`${filePath} is ${kind}, not a regular file`);
  }
}

const FLAGS = constants.O_RDONLY | (process.platform === 'win32' ? 0 : constants.O_NONBLOCK | constants.O_NOFOLLOW);

/** What a non-regular file is, in words ("a named pipe (FIFO)", "a folder", …). */
export function describeFileKind(info: Stats): string {
  if (info.isSymbolicLink()) return 'a symbolic link';
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a file';
}

function checkRegular(filePath: string, info: Stats): void {
  if (!info.isFile()) throw new NotRegularFileError(filePath, describeFileKind(info));
}

function checkSame(filePath: string, before: Stats, after: Stats): void {
  checkRegular(filePath, after);
  // Some SMB servers report no file id (0); then only the kind of file can be compared.
  const comparable = before.ino !== 0 && after.ino !== 0;
  if (comparable && (before.ino !== after.ino || before.dev !== after.dev)) {
    throw new NotRegularFileError(filePath, 'a file that was replaced while it was being opened');
  }
}

function linkRefused(filePath: string, error: unknown): Error {
  // O_NOFOLLOW on a link: ELOOP on Linux, EMLINK on FreeBSD, EFTYPE on NetBSD.
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP' || code === 'EMLINK' || code === 'EFTYPE') {
    return new NotRegularFileError(filePath, 'a symbolic link');
  }
  return error as Error;
}

/**
 * Opens `filePath` for reading only if it is a regular file and not a link, never blocking.
 * Errors: the fs error for a missing or unreadable file (`ENOENT`, `EACCES`…), NotRegularFileError
 * for anything else there.
 */
export async function openRegularFile(filePath: string): Promise<FileHandle> {
  const before = await lstat(filePath);
  checkRegular(filePath, before);
  let handle: FileHandle;
  try {
    handle = await open(filePath, FLAGS);
  } catch (error) {
    throw linkRefused(filePath, error);
  }
  try {
    checkSame(filePath, before, await handle.stat());
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * openRegularFile as a bare descriptor, for a library that takes one over and closes it itself
 * (yauzl's fromFd). The caller owns it: close it if the library never took it.
 */
export async function openRegularFileDescriptor(filePath: string): Promise<number> {
  const before = await lstat(filePath);
  checkRegular(filePath, before);
  const fd = await new Promise<number>((resolve, reject) =>
    openCallback(filePath, FLAGS, (error, opened) => (error ? reject(linkRefused(filePath, error)) : resolve(opened))),
  );
  try {
    checkSame(filePath, before, fstatSync(fd));
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** Reads a whole regular file (see openRegularFile), refusing more than `maxBytes` as it reads. */
export async function readRegularFile(filePath: string, maxBytes: number): Promise<Buffer> {
  const handle = await openRegularFile(filePath);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { bytesRead, buffer } = await handle.read({ buffer: Buffer.alloc(64 * 1024) });
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw new FileTooLargeError(filePath, maxBytes);
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks);
  } finally {
    await handle.close();
  }
}

export class FileTooLargeError extends Error {
  override name = 'FileTooLargeError';
  constructor(filePath: string, maxBytes: number) {
    super(`${filePath} is larger than the ${String(maxBytes)} bytes allowed`);
  }
}

/** The synchronous form of readRegularFile, for inputs read while parameters are parsed. */
export function readRegularFileSync(filePath: string, maxBytes: number): Buffer {
  const before = lstatSync(filePath);
  checkRegular(filePath, before);
  let fd: number;
  try {
    fd = openSync(filePath, FLAGS);
  } catch (error) {
    throw linkRefused(filePath, error);
  }
  try {
    const info = fstatSync(fd);
    checkSame(filePath, before, info);
    if (info.size > maxBytes) throw new FileTooLargeError(filePath, maxBytes);
    const buffer = Buffer.alloc(info.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}
