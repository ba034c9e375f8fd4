/**
 * Download links asked for ahead of their download, keyed by application key and version key.
 * The export starts the first packages' links while their versions are still being looked up,
 * and each download lane starts the link of the package it will take next; a link started here
 * is fetched once and used once (a link may be single use, so a second package with the same
 * keys asks for its own).
 */
import type { DownloadLinkInfo, LifeTimeClient } from '../lifetime/client';
import { LifeTimeError } from '../lifetime/errors';

interface Started {
  link: Promise<DownloadLinkInfo>;
  /** How the request named the package; the version number may not have been known yet. */
  label: string;
}

export class DownloadLinks {
  private readonly started = new Map<string, Started>();

  constructor(private readonly lifeTime: Pick<LifeTimeClient, 'getDownloadLink'>) {}

  /** Asks for the link now unless it was asked for already; a failure waits until take(). */
  start(appKey: string, versionKey: string, label: string): void {
    const key = keyOf(appKey, versionKey);
    if (this.started.has(key)) return;
    const link = this.lifeTime.getDownloadLink(appKey, versionKey, label);
    link.catch(() => undefined); // reported by take(), when that package's download starts
    this.started.set(key, { link, label });
  }

  /**
   * The link for this package: the one started earlier (then forgotten, it is used once) or a
   * new request. A failure of an early request is reported under `label`, the name the download
   * uses, so the message names the version even when the request could not.
   */
  take(appKey: string, versionKey: string, label: string): Promise<DownloadLinkInfo> {
    const key = keyOf(appKey, versionKey);
    const early = this.started.get(key);
    if (early === undefined) return this.lifeTime.getDownloadLink(appKey, versionKey, label);
    this.started.delete(key);
    if (early.label === label) return early.link;
    return early.link.catch((error: unknown) => {
      throw relabelled(error, early.label, label);
    });
  }
}

function keyOf(appKey: string, versionKey: string): string {
  return `${appKey}\n${versionKey}`;
}

/** The same kind of LifeTime error, with the download's name for the package in its message. */
function relabelled(error: unknown, from: string, to: string): unknown {
  if (!(error instanceof LifeTimeError) || !error.message.includes(from)) return error;
  const Kind = error.constructor as typeof LifeTimeError;
  const details = { resource: to, host: error.host, serverErrors: error.serverErrors };
  return new Kind(
    error.message.split(from).join(to),
    {
      ...details,
      ...(error.status !== undefined ? { status: error.status } : {}),
      ...(error.request !== undefined ? { request: error.request } : {}),
    },
    { cause: error },
  );
}
