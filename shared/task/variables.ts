import * as tl from 'azure-pipelines-task-lib/task';
import { untrustedLine } from './untrusted';

/**
 * Sets an output variable of the task. Values carry application names and paths, and a later step
 * that echoes `$(deploymentOrder)` would hand them to the agent as a line of its own: they are kept
 * to one line with every agent command broken, like anything the task prints.
 */
export function setOutputVariable(name: string, value: string): void {
  tl.setVariable(name, untrustedLine(value), false, true);
}
