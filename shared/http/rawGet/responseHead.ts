/**
 * The status line and header fields of an HTTP/1.1 response (RFC 9112 §4–5), parsed from the
 * bytes before the blank line. Text from the server is untrusted: anything malformed is refused.
 */

export interface ParsedHead {
  status: number;
  headers: HeaderFields;
}

/** Field names in lower case; repeated fields joined with ", " as node:http does. */
export class HeaderFields {
  private readonly fields = new Map<string, string>();

  add(name: string, value: string): void {
    const key = name.toLowerCase();
    const previous = this.fields.get(key);
    this.fields.set(key, previous === undefined ? value : `${previous}, ${value}`);
  }

  get(name: string): string | null {
    return this.fields.get(name.toLowerCase()) ?? null;
  }
}

export class MalformedResponse extends Error {}

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: [^\r\n]*)?$/;
const FIELD = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;

/** `head` is everything before the CRLFCRLF that ends it, decoded as latin1. */
export function parseHead(head: string): ParsedHead {
  const lines = head.split('\r\n');
  const match = STATUS_LINE.exec(lines[0] ?? '');
  if (match === null) throw new MalformedResponse('the response does not start with an HTTP/1.x status line');
  const headers = new HeaderFields();
  for (const line of lines.slice(1)) {
    const field = FIELD.exec(line);
    // Obsolete line folding and stray bytes are refused rather than guessed at.
    if (field === null) throw new MalformedResponse('the response has a malformed header line');
    headers.add(field[1] ?? '', field[2] ?? '');
  }
  return { status: Number(match[1]), headers };
}
