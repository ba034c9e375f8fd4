/**
 * What must still happen when the task exits at once, without unwinding (a second cancel signal,
 * the cancel grace timer): synchronous clean-ups registered by the operation in progress, e.g. the
 * deploy releasing its lock. The OSPTool processes are ended before any of these (run.ts), so a lock
 * is never released while a tool it covers still publishes.
 */
type Cleanup = () => string | undefined;

const cleanups = new Set<Cleanup>();

/** Registers a synchronous clean-up returning a note for the result message; returns its removal. */
export function onForcedExit(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Runs every registered clean-up, latest first, and returns their notes. Never throws. */
export function runForcedExitCleanups(): string[] {
  const notes: string[] = [];
  for (const cleanup of [...cleanups].reverse()) {
    try {
      const note = cleanup();
      if (note !== undefined) notes.push(note);
    } catch (error) {
      notes.push(`a clean-up failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  cleanups.clear();
  return notes;
}
