/**
 * A download link (`…/downloads/<key>`) authorises the download for as long as it lives, so its key
 * is a credential: every path or text meant for a message or a log line goes through here, which
 * replaces what follows `/downloads/` with `…`. The LifeTime client hands this rule to the HTTP
 * layer with each request (HttpRequestOptions.redact); the HTTP layer knows no LifeTime rule itself.
 */
export function redactDownloadKeys(text: string): string {
  return text.replace(/(\/downloads\/)[^\s?#'"<>()]+/gi, '$1…');
}
