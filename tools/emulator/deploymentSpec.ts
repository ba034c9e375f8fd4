/** How a test tells the emulator what an emulated deployment plan does (no HTTP, no state here). */

export type InterventionInfo =
  'business_process_impact' | 'needs_configuration_or_confirmation' | 'deployment_suspended';

/**
 * The course of the next plan that carries a given application. Without a script a plan runs to
 * `finished_successful` (after stopping at `deployment_prepared` on a two-step environment).
 */
export type DeploymentScript =
  | { outcome: 'success' }
  | { outcome: 'warnings'; messages?: string[] }
  | { outcome: 'errors'; messages?: string[] }
  /** The plan is created with an ApplicationConflicts entry; `start` answers 400. */
  | { outcome: 'conflict'; message?: string }
  /** Stops with needs_user_intervention and this Info; `continue` resumes it to success. */
  | { outcome: 'intervention'; info: InterventionInfo }
  /** A person aborts it in LifeTime while it prepares. */
  | { outcome: 'aborted' }
  /** A person force-finishes it in LifeTime while it deploys. */
  | { outcome: 'force_finished' }
  /** Stays in this phase until aborted (preparing) or forever (deploying: abort is refused there). */
  | { outcome: 'hang'; phase: 'preparing' | 'deploying' };

/** A plan someone else made in LifeTime, for the busy and "not ours" cases. */
export interface ForeignDeploymentSpec {
  targetEnvironment: string;
  sourceEnvironment?: string;
  /** Names of applications of this LifeTime and the version numbers they deploy. */
  applications: { name: string; version: string }[];
  status: 'saved' | 'running' | 'needs_user_intervention' | 'finished_successful';
  info?: InterventionInfo | 'deployment_prepared';
  createdBy?: string;
  notes?: string;
  createdOn?: string;
}

export interface DeploymentSettings {
  /** Time between two steps of a running plan (each adds a log message). */
  stepMs?: number;
  /** Names of environments configured for two-step deployments (stop at `deployment_prepared`). */
  twoStepEnvironments?: string[];
  /** false: `start` is refused while another plan runs on the same target (LifeTime before 11.24). */
  parallel?: boolean;
  /** Who LifeTime records as the creator of plans made with the token. */
  serviceAccount?: string;
}

/** The three shapes real LifeTimes give the key of a new plan in (reference §1.3 "Deployments"). */
export type DeploymentKeyAnswer = 'text' | 'json-string' | 'object';
