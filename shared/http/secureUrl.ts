/**
 * The one rule for plain http: accepted only to this machine (localhost, 127.0.0.0/8, ::1), since
 * nothing sent there crosses a network. Everything else (the LifeTime URL and its token, the
 * CI/CD Probe and its key, a download link) must be https.
 */

/** Whether a URL's hostname is this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Returns the URL when it is https, or http to this machine; otherwise throws the caller's refusal. */
export function requireSecureUrl(url: URL, refusal: () => Error): URL {
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return url;
  throw refusal();
}
