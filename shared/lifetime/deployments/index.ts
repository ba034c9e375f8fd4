/** LifeTime deployment plans, shared by the deploy (LifeTime publishing) and the Promote task. */
export {
  DeploymentPlans,
  isoDay,
  type CommandAnswer,
  type DeploymentCommand,
  type ListFilter,
  type PlanStatus,
} from './api';
export { drivePlan, MAX_POLL_MS, type DriveOptions, type DriveResult } from './drive';
export { findPlans, type PlanSearch } from './find';
export { isDeploymentKey, parseDeploymentKey } from './key';
export * from './types';
