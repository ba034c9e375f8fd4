import * as fs from 'node:fs';

/**
 * `hang`: the tool and a helper in its process group hang, holding the output pipes.
 * `hang-escaped-helper`: the tool ignores SIGTERM and its helper runs in a session of its own, so
 * no group kill reaches it and it holds the pipes after the tool is gone (as a Windows helper that
 * broke away from the tool's job, or one taskkill could not end).
 * `stubborn`: hangs and ignores SIGTERM, as a tool busy publishing might; only SIGKILL ends it.
 */
export type FailureMode = 'exit' | 'error-text' | 'hang' | 'hang-escaped-helper' | 'stubborn' | 'crash';

/** `osptool-control.json` beside the stand-in: how a test wants this run to go. */
export interface StandInControl {
  /** The emulator to tell about a publication (`POST <url>/__emulator/published`). */
  emulatorUrl?: string;
  /** By application name (Manifest.xml), how its publication fails. */
  failures?: Record<string, FailureMode>;
  /** When set, any other password is refused as invalid credentials. */
  expectedPassword?: string;
  /** Prints the arguments as received, password included, to test masking downstream. */
  echoArguments?: boolean;
  /**
   * By application name: a file to append bytes to while that application publishes, standing for
   * someone changing the share during a deployment.
   */
  tamperWhilePublishing?: Record<string, string>;
  /** By application name: a file to replace with a named pipe (mkfifo) while that application publishes. */
  fifoWhilePublishing?: Record<string, string>;
}

const MODES: readonly string[] = ['exit', 'error-text', 'hang', 'hang-escaped-helper', 'stubborn', 'crash'];

export function readControl(file: string): StandInControl {
  if (!fs.existsSync(file)) return {};
  const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${file} is not a JSON object`);
  const control: StandInControl = {};
  const get = (key: string): unknown => (parsed as Record<string, unknown>)[key];
  const emulatorUrl = get('emulatorUrl');
  if (typeof emulatorUrl === 'string') control.emulatorUrl = emulatorUrl;
  const expectedPassword = get('expectedPassword');
  if (typeof expectedPassword === 'string') control.expectedPassword = expectedPassword;
  if (get('echoArguments') === true) control.echoArguments = true;
  const tamper = get('tamperWhilePublishing');
  if (typeof tamper === 'object' && tamper !== null) {
    control.tamperWhilePublishing = {};
    for (const [name, file] of Object.entries(tamper)) {
      if (typeof file === 'string') control.tamperWhilePublishing[name] = file;
    }
  }
  const fifo = get('fifoWhilePublishing');
  if (typeof fifo === 'object' && fifo !== null) {
    control.fifoWhilePublishing = {};
    for (const [name, file] of Object.entries(fifo)) {
      if (typeof file === 'string') control.fifoWhilePublishing[name] = file;
    }
  }
  const failures = get('failures');
  if (typeof failures === 'object' && failures !== null) {
    control.failures = {};
    for (const [name, mode] of Object.entries(failures)) {
      if (typeof mode !== 'string' || !MODES.includes(mode)) throw new Error(`unknown failure mode for '${name}'`);
      control.failures[name] = mode as FailureMode;
    }
  }
  return control;
}
