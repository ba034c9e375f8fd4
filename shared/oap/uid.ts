// OutSystems writes a GUID as 22 characters: base64 of .NET Guid.ToByteArray() (the first three
// groups little-endian), unpadded, with '/' written as '_' and '+' kept.

const UID_PATTERN = /^[A-Za-z0-9+/_]{22}$/;
const GUID_PATTERN =
  /^\{?([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{12})\}?$/;

/** The 16 .NET-order bytes of a UID, or undefined when it is not a canonical 22-character UID. */
export function uidToBytes(uid: string): Buffer | undefined {
  if (!UID_PATTERN.test(uid)) {
    return undefined;
  }
  const bytes = Buffer.from(uid.replace(/_/g, '/') + '==', 'base64');
  // Non-zero spare bits in the last character would make two spellings for one GUID.
  if (bytes.length !== 16 || bytesToUid(bytes) !== uid.replace(/\//g, '_')) {
    return undefined;
  }
  return bytes;
}

/** The UID spelling of 16 bytes in .NET Guid.ToByteArray() order. */
export function bytesToUid(bytes: Buffer): string {
  if (bytes.length !== 16) {
    throw new RangeError(`a GUID has 16 bytes, got ${String(bytes.length)}`);
  }
  return bytes.toString('base64').replace(/=+$/, '').replace(/\//g, '_');
}

/** The lower-case hyphenated GUID a UID stands for, or undefined when the text is not a UID. */
export function uidToGuid(uid: string): string | undefined {
  const b = uidToBytes(uid);
  if (b === undefined) {
    return undefined;
  }
  const hex = (from: number, to: number, reverse: boolean): string => {
    const part = Buffer.from(b.subarray(from, to));
    return (reverse ? part.reverse() : part).toString('hex');
  };
  return [hex(0, 4, true), hex(4, 6, true), hex(6, 8, true), hex(8, 10, false), hex(10, 16, false)].join('-');
}

/** The UID spelling of a GUID (hyphens and braces optional, any case). Throws on anything else. */
export function guidToUid(guid: string): string {
  const m = GUID_PATTERN.exec(guid.trim());
  if (m === null) {
    throw new RangeError(`not a GUID: ${JSON.stringify(guid)}`);
  }
  const [, d1 = '', d2 = '', d3 = '', d4 = '', d5 = ''] = m;
  const le = (h: string): Buffer => Buffer.from(h, 'hex').reverse();
  return bytesToUid(Buffer.concat([le(d1), le(d2), le(d3), Buffer.from(d4 + d5, 'hex')]));
}
