/**
 * Parsing of non-secret input text, apart from task-lib so it can be tested in-process (importing
 * task-lib loads the agent's vault as a side effect). Each failure names the input.
 */

function trimmed(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function parseRequiredString(name: string, raw: string | undefined): string {
  const value = trimmed(raw);
  if (value === undefined) throw new Error(`Input '${name}' is required.`);
  return value;
}

export function parseOptionalString(raw: string | undefined): string | undefined {
  return trimmed(raw);
}

export function parseBool(name: string, raw: string | undefined, defaultValue: boolean): boolean {
  const value = trimmed(raw)?.toLowerCase();
  if (value === undefined) return defaultValue;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`Input '${name}' must be true or false, not '${raw?.trim() ?? ''}'.`);
}

export function parsePositiveInt(name: string, raw: string | undefined, defaultValue: number, max?: number): number {
  const value = trimmed(raw);
  if (value === undefined) return defaultValue;
  const number = /^\+?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < 1) {
    throw new Error(`Input '${name}' must be a whole number greater than 0, not '${value}'.`);
  }
  if (max !== undefined && number > max) throw new Error(`Input '${name}' must be at most ${max}, not ${number}.`);
  return number;
}

/** Matches case-insensitively and returns the value as spelled in `values`. */
export function parseOneOf<T extends string>(
  name: string,
  raw: string | undefined,
  values: readonly T[],
  defaultValue: T,
): T {
  const value = trimmed(raw);
  if (value === undefined) return defaultValue;
  const match = values.find((v) => v.toLowerCase() === value.toLowerCase());
  if (match === undefined) {
    throw new Error(`Input '${name}' must be one of ${values.map((v) => `'${v}'`).join(', ')}, not '${value}'.`);
  }
  return match;
}

/**
 * Names given one per line or comma separated: trimmed, empty entries dropped, duplicates removed
 * (case-sensitively, since OutSystems names are) keeping the first, order otherwise kept.
 */
export function parseNameList(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const names = raw
    .split(/[,\r\n]/)
    .map((n) => n.trim())
    .filter((n) => n !== '');
  return [...new Set(names)];
}

/** A number of minutes up to a day; `zero` says whether 0 (no wait) is a meaningful value. */
export function parseMinutes(name: string, raw: string | undefined, defaultValue: number, zero: boolean): number {
  const value = trimmed(raw);
  if (value === undefined) return defaultValue;
  const minutes = Number(value);
  if (!Number.isFinite(minutes) || minutes < 0 || (!zero && minutes === 0) || minutes > 24 * 60) {
    throw new Error(
      `Input '${name}' must be a number of minutes ${zero ? 'from 0' : 'above 0'} to 1440, not '${value}'.`,
    );
  }
  return minutes;
}
