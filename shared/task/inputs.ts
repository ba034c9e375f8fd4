import * as tl from 'azure-pipelines-task-lib/task';
import * as parsing from './inputParsing';

/*
 * Typed readers for NON-secret inputs only: task-lib's getInput echoes the value in a debug line.
 * Secrets go through readSecretInput (secrets.ts).
 */

function raw(name: string): string | undefined {
  return tl.getInput(name, false);
}

export function requiredString(name: string): string {
  return parsing.parseRequiredString(name, raw(name));
}

export function optionalString(name: string): string | undefined {
  return parsing.parseOptionalString(raw(name));
}

export function bool(name: string, defaultValue: boolean): boolean {
  return parsing.parseBool(name, raw(name), defaultValue);
}

export function positiveInt(name: string, defaultValue: number, max?: number): number {
  return parsing.parsePositiveInt(name, raw(name), defaultValue, max);
}

export function minutes(name: string, defaultValue: number, zero: boolean): number {
  return parsing.parseMinutes(name, raw(name), defaultValue, zero);
}

export function oneOf<T extends string>(name: string, values: readonly T[], defaultValue: T): T {
  return parsing.parseOneOf(name, raw(name), values, defaultValue);
}

export function nameList(name: string): string[] {
  return parsing.parseNameList(raw(name));
}
