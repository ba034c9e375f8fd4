/**
 * The deployment plan's notes. They carry the bundle's manifest sha256 on a line of its own, in
 * the user's notes too: that line is how a rerun for the same bundle and target recognises the
 * plan it created, in LifeTime itself, with nothing to keep on the agent.
 */

const MARKER = 'airgap-bundle-sha256:';

export interface NotesContext {
  /** The bundle folder's name, e.g. "release 42". */
  bundleName: string;
  /** Lower-case hex sha256 of airgap-manifest.json's exact bytes. */
  manifestSha256: string;
  /** Which pipeline run promotes, e.g. "airgap-release 20261128.1 https://dev.azure.com/…". */
  pipelineRun?: string;
}

export function markerLine(manifestSha256: string): string {
  return `${MARKER} ${manifestSha256.toLowerCase()}`;
}

export function planNotes(userNotes: string | undefined, context: NotesContext): string {
  const by = context.pipelineRun === undefined || context.pipelineRun === '' ? '' : ` by ${context.pipelineRun}`;
  const text =
    userNotes !== undefined && userNotes.trim() !== ''
      ? userNotes.trim()
      : `OutSystems air gap promotion of bundle "${context.bundleName}"${by}`;
  return `${text}\n${markerLine(context.manifestSha256)}`;
}

/** Whether a plan's notes (LifeTime's text, untrusted) carry this bundle's marker. */
export function notesCarry(notes: string | undefined, manifestSha256: string): boolean {
  if (notes === undefined) return false;
  const wanted = markerLine(manifestSha256);
  return notes.split(/\r?\n/).some((line) => line.trim().toLowerCase() === wanted);
}
