/**
 * Deployment plan structures as the vendor's Swagger file defines them (Deployment_v2,
 * ApplicationConflictListTextListDeployment_v2Record, DeploymentMessageListTextTextRecord,
 * DeploymentZone_v2), every field optional: LifeTime is untrusted and older releases omit some.
 */

/** The statuses the Swagger file lists for `DeploymentStatus`. */
export const DEPLOYMENT_STATUSES = [
  'saved',
  'running',
  'needs_user_intervention',
  'aborting',
  'aborted',
  'finished_successful',
  'finished_with_warnings',
  'finished_with_errors',
  'force_finished',
] as const;
export type DeploymentStatusName = (typeof DEPLOYMENT_STATUSES)[number];

/**
 * `Info` values while `needs_user_intervention`. The older reference spells one `deploy_prepared`
 * (lifetime-api-osptool-oap.md, "Deployments"), so both spellings mean a prepared two-step plan.
 */
export type InterventionInfo =
  'business_process_impact' | 'deployment_prepared' | 'needs_configuration_or_confirmation' | 'deployment_suspended';

export interface DeploymentMessage {
  Instant?: string;
  Message?: string;
  /** Info | Warning | Error */
  Type?: string;
}

export interface DeploymentStatus {
  DeploymentStatus?: string;
  Info?: string;
  DeploymentLog?: DeploymentMessage[];
}

export interface DeploymentApplicationOperation {
  ApplicationKey?: string;
  ApplicationVersionKey?: string;
  DeploymentOperation?: string;
  DeploymentZoneKey?: string;
}

export interface Deployment {
  Key?: string;
  SourceEnvironmentKey?: string;
  TargetEnvironmentKey?: string;
  DetailsURL?: string;
  Notes?: string;
  CreatedOn?: string;
  CreatedBy?: string;
  CreatedByUsername?: string;
  SavedOn?: string;
  StartedOn?: string;
  StartedBy?: string;
  AbortedOn?: string;
  AbortedBy?: string;
  ApplicationOperations?: DeploymentApplicationOperation[];
}

export interface ApplicationConflict {
  Message?: string;
  ProducerApplicationOperation?: DeploymentApplicationOperation;
  ConsumerApplicationOperation?: DeploymentApplicationOperation;
  ModuleConflict?: { ConflictType?: string; ProducerModuleKey?: string; ConsumerModuleKey?: string };
}

export interface ApplicationInBinary {
  ApplicationKey?: string;
  ApplicationName?: string;
  IsNew?: boolean;
}

export interface DeploymentDetails {
  Deployment?: Deployment;
  ApplicationsToDeploy?: ApplicationInBinary[];
  ApplicationsToRedeploy?: string[];
  ApplicationConflicts?: ApplicationConflict[];
  ModulesToDelete?: { Key?: string; Name?: string }[];
}

export interface DeploymentZone {
  Key?: string;
  Name?: string;
  IsDefault?: boolean;
}

/** The body of `POST /deployments/` (all four fields required by the Swagger file). */
export interface DeploymentCreate {
  ApplicationOperations: { ApplicationVersionKey: string; DeploymentZoneKey: string }[];
  Notes: string;
  SourceEnvironmentKey: string;
  TargetEnvironmentKey: string;
}
