/**
 * The emulated LifeTime's deployment plans and the rules its commands follow (Swagger,
 * `POST /deployments/{DeploymentKey}/{Command}/`): `start` only for a saved plan without conflicts,
 * `continue` only while it waits for a person, `abort` until the moment the platform server starts
 * deploying, `DELETE` only for a saved plan. A started plan moves on with time, one step (and one
 * log message) every `stepMs`, and is brought up to date whenever it is read; when it finishes,
 * the target runs what it deployed. No HTTP here.
 */
import { randomUUID } from 'node:crypto';
import type { DeploymentScript, DeploymentSettings, ForeignDeploymentSpec, InterventionInfo } from './deploymentSpec';
import { isoSeconds, type EmulatorState, type EnvironmentState } from './state';

export type PlanStatus =
  | 'saved'
  | 'running'
  | 'needs_user_intervention'
  | 'aborting'
  | 'aborted'
  | 'finished_successful'
  | 'finished_with_warnings'
  | 'finished_with_errors'
  | 'force_finished';

/** Where a started plan is: abort is allowed until `deploying`. */
export type PlanPhase = 'saved' | 'preparing' | 'deploying' | 'done';

export interface PlanOperation {
  /** For a binary of an application this LifeTime never saw: the key its package UID encodes. */
  application: { key: string; uid: string; name: string };
  /** The version a plan between environments deploys; undefined for a binary. */
  versionKey?: string;
  versionLabel: string;
  deploymentZoneKey: string;
  /** The uploaded package, for a binary plan. */
  binaryPath?: string;
  binarySha256?: string;
  isNew: boolean;
}

export interface PlanLogEntry {
  Instant: string;
  Message: string;
  Type: 'Info' | 'Warning' | 'Error';
}

interface Step {
  at: number;
  apply: () => void;
}

export interface PlanState {
  key: string;
  source?: EnvironmentState;
  target: EnvironmentState;
  notes: string;
  createdBy: string;
  createdOn: string;
  savedOn: string;
  startedOn?: string;
  startedBy?: string;
  abortedOn?: string;
  abortedBy?: string;
  origin: 'binary' | 'versions';
  operations: PlanOperation[];
  conflicts: string[];
  status: PlanStatus;
  info: string;
  phase: PlanPhase;
  log: PlanLogEntry[];
  script: DeploymentScript;
  /** Commands accepted, in order, for the tests' "exactly once". */
  commands: string[];
  deleted: boolean;
  steps: Step[];
}

export type CommandResult = { ok: true } | { ok: false; status: 400 | 404; message: string };

const FINISHED = new Set<PlanStatus>([
  'aborted',
  'finished_successful',
  'finished_with_warnings',
  'finished_with_errors',
  'force_finished',
]);

export class DeploymentStore {
  readonly plans: PlanState[] = [];
  private readonly scripts = new Map<string, DeploymentScript[]>();
  private readonly stepMs: number;
  private readonly twoStep: Set<string>;
  private readonly parallel: boolean;
  readonly serviceAccount: string;

  constructor(
    private readonly state: EmulatorState,
    settings: DeploymentSettings = {},
    private readonly now: () => number = Date.now,
  ) {
    this.stepMs = settings.stepMs ?? 150;
    this.twoStep = new Set(settings.twoStepEnvironments ?? []);
    this.parallel = settings.parallel ?? true;
    this.serviceAccount = settings.serviceAccount ?? 'Air Gap Service Account';
  }

  /** The next plan that carries this application follows these scripts, one plan each. */
  script(applicationName: string, ...scripts: DeploymentScript[]): void {
    this.scripts.set(applicationName, [...(this.scripts.get(applicationName) ?? []), ...scripts]);
  }

  private takeScript(operations: PlanOperation[]): DeploymentScript {
    for (const op of operations) {
      const queue = this.scripts.get(op.application.name);
      const next = queue?.shift();
      if (next !== undefined) return next;
    }
    return { outcome: 'success' };
  }

  create(options: {
    source?: EnvironmentState;
    target: EnvironmentState;
    notes: string;
    origin: 'binary' | 'versions';
    operations: PlanOperation[];
    createdBy?: string;
    createdOn?: string;
  }): PlanState {
    const at = options.createdOn ?? isoSeconds(new Date(this.now()));
    const script = this.takeScript(options.operations);
    const plan: PlanState = {
      key: randomUUID(),
      target: options.target,
      notes: options.notes,
      createdBy: options.createdBy ?? this.serviceAccount,
      createdOn: at,
      savedOn: at,
      origin: options.origin,
      operations: options.operations,
      conflicts:
        script.outcome === 'conflict'
          ? [
              script.message ??
                `${options.operations[0]?.application.name ?? 'The application'} references an element that its producer no longer exposes (Producer Element Missing).`,
            ]
          : [],
      status: 'saved',
      info: '',
      phase: 'saved',
      log: [],
      script,
      commands: [],
      deleted: false,
      steps: [],
    };
    if (options.source) plan.source = options.source;
    this.plans.push(plan);
    return plan;
  }

  /** A plan of someone else, already in the given status. */
  addForeign(spec: ForeignDeploymentSpec): PlanState {
    const target = this.state.environmentByName(spec.targetEnvironment);
    if (!target) throw new Error(`Emulator: no environment "${spec.targetEnvironment}"`);
    const source =
      spec.sourceEnvironment === undefined ? undefined : this.state.environmentByName(spec.sourceEnvironment);
    const operations = spec.applications.map((a): PlanOperation => {
      const app = this.state.applicationByName(a.name);
      const version = app?.versions.find((v) => v.version === a.version);
      if (!app || !version) throw new Error(`Emulator: no version ${a.version} of "${a.name}"`);
      return {
        application: { key: app.key, uid: app.uid, name: app.name },
        versionKey: version.key,
        versionLabel: a.version,
        deploymentZoneKey: '',
        isNew: false,
      };
    });
    const plan = this.create({
      ...(source ? { source } : {}),
      target,
      notes: spec.notes ?? 'Manual deployment',
      origin: 'versions',
      operations,
      createdBy: spec.createdBy ?? 'Jane Operator',
      ...(spec.createdOn !== undefined ? { createdOn: spec.createdOn } : {}),
    });
    // Someone else's plan does not move unless a test drives it.
    plan.script = { outcome: 'hang', phase: 'preparing' };
    plan.status = spec.status;
    plan.info = spec.status === 'needs_user_intervention' ? (spec.info ?? 'deployment_prepared') : '';
    plan.phase = spec.status === 'saved' ? 'saved' : spec.status === 'finished_successful' ? 'done' : 'preparing';
    if (spec.status !== 'saved') {
      plan.startedOn = plan.createdOn;
      plan.startedBy = plan.createdBy;
      this.say(plan, 'Info', 'Deployment started.');
    }
    return plan;
  }

  find(key: string): PlanState | undefined {
    const k = key.toLowerCase();
    const plan = this.plans.find((p) => p.key === k && !p.deleted);
    if (plan) this.advance(plan);
    return plan;
  }

  /** Every plan brought up to date, the deleted ones left out. */
  live(): PlanState[] {
    const plans = this.plans.filter((p) => !p.deleted);
    for (const p of plans) this.advance(p);
    return plans;
  }

  isFinished(plan: PlanState): boolean {
    return FINISHED.has(plan.status);
  }

  command(plan: PlanState, command: string): CommandResult {
    this.advance(plan);
    const refused = (why: string): CommandResult => ({
      ok: false,
      status: 400,
      message: `Command ${command} can't be executed for deployment ${plan.key}: ${why}.`,
    });
    switch (command) {
      case 'start': {
        if (plan.status !== 'saved') return refused(`the deployment is ${plan.status}, not saved`);
        if (plan.operations.length === 0) return refused('the deployment plan has no applications');
        if (plan.conflicts.length > 0) return refused('the deployment plan has conflicts');
        if (!this.parallel && this.live().some((p) => p !== plan && p.target === plan.target && this.isBusy(p))) {
          return refused(`another deployment is running on environment ${plan.target.name}`);
        }
        plan.commands.push('start');
        plan.status = 'running';
        plan.phase = 'preparing';
        plan.startedOn = isoSeconds(new Date(this.now()));
        plan.startedBy = this.serviceAccount;
        this.say(plan, 'Info', `Deployment to ${plan.target.name} started.`);
        this.schedulePreparation(plan);
        return { ok: true };
      }
      case 'continue': {
        if (plan.status !== 'needs_user_intervention') {
          return refused(`the deployment is ${plan.status}, not waiting for user intervention`);
        }
        plan.commands.push('continue');
        const info = plan.info;
        plan.status = 'running';
        plan.info = '';
        this.say(plan, 'Info', 'Deployment continued.');
        if (plan.phase === 'preparing') {
          // A business-process warning or a configuration is confirmed: the preparation goes on.
          this.scheduleAfterPreparation(plan, info === 'deployment_prepared');
        } else {
          this.scheduleDeploy(plan, true);
        }
        return { ok: true };
      }
      case 'abort': {
        const suspended = plan.status === 'needs_user_intervention' && plan.info === 'deployment_suspended';
        if (plan.phase !== 'preparing' && !suspended) {
          return refused(
            plan.phase === 'deploying'
              ? 'the deployment is already being deployed on the platform server of the target environment'
              : `the deployment is ${plan.status}`,
          );
        }
        if (this.isFinished(plan) || plan.status === 'aborting') return refused(`the deployment is ${plan.status}`);
        plan.commands.push('abort');
        this.abort(plan, this.serviceAccount);
        return { ok: true };
      }
      default:
        return { ok: false, status: 404, message: `Command ${command} not found.` };
    }
  }

  delete(plan: PlanState): CommandResult {
    this.advance(plan);
    if (plan.status !== 'saved') {
      return {
        ok: false,
        status: 400,
        message: `Deployment with key ${plan.key} cannot be deleted: it is ${plan.status}.`,
      };
    }
    plan.deleted = true;
    plan.commands.push('delete');
    return { ok: true };
  }

  /** Running or waiting for a person: what blocks a target when plans cannot run in parallel. */
  isBusy(plan: PlanState): boolean {
    return plan.status === 'running' || plan.status === 'needs_user_intervention' || plan.status === 'aborting';
  }

  /** Test control: a person acts in LifeTime's UI. */
  personAborts(plan: PlanState): void {
    this.advance(plan);
    if (!this.isFinished(plan)) this.abort(plan, 'Jane Operator');
  }

  private abort(plan: PlanState, by: string): void {
    plan.steps = [];
    plan.status = 'aborting';
    plan.info = '';
    plan.abortedBy = by;
    this.say(plan, 'Warning', `Deployment aborted by ${by}.`);
    this.at(plan, 1, () => {
      plan.status = 'aborted';
      plan.phase = 'done';
      plan.abortedOn = isoSeconds(new Date(this.now()));
      this.say(plan, 'Error', 'The deployment was aborted; nothing was deployed.');
    });
  }

  private names(plan: PlanState): string {
    return plan.operations.map((o) => `${o.application.name} ${o.versionLabel}`).join(', ');
  }

  private schedulePreparation(plan: PlanState): void {
    this.at(plan, 1, () => this.say(plan, 'Info', `Validating ${this.names(plan)}.`));
    this.at(plan, 1, () => this.say(plan, 'Info', `Preparing ${this.names(plan)}.`));
    const script = plan.script;
    if (script.outcome === 'hang' && script.phase === 'preparing') return;
    if (script.outcome === 'aborted') {
      this.at(plan, 1, () => this.abort(plan, 'Jane Operator'));
      return;
    }
    if (script.outcome === 'intervention' && script.info !== 'deployment_suspended') {
      this.at(plan, 1, () => this.waitForPerson(plan, script.info));
      return;
    }
    this.scheduleAfterPreparation(plan, false);
  }

  private scheduleAfterPreparation(plan: PlanState, prepared: boolean): void {
    if (!prepared && this.twoStep.has(plan.target.name)) {
      this.at(plan, 1, () => {
        this.say(plan, 'Info', 'The new application versions are prepared; the deployment waits for step two.');
        this.waitForPerson(plan, 'deployment_prepared');
      });
      return;
    }
    this.at(plan, 1, () => this.scheduleDeploy(plan, false));
  }

  private scheduleDeploy(plan: PlanState, resumed: boolean): void {
    plan.phase = 'deploying';
    const script = plan.script;
    this.at(plan, 0, () => this.say(plan, 'Info', `Deploying ${this.names(plan)} to ${plan.target.name}.`));
    if (script.outcome === 'hang') return;
    if (script.outcome === 'intervention' && script.info === 'deployment_suspended' && !resumed) {
      this.at(plan, 1, () => {
        this.say(plan, 'Error', `A step failed while deploying ${this.names(plan)}; the deployment is suspended.`);
        this.waitForPerson(plan, 'deployment_suspended');
      });
      return;
    }
    if (script.outcome === 'force_finished') {
      this.at(plan, 1, () =>
        this.finish(plan, 'force_finished', 'Warning', 'The deployment was force finished by Jane Operator.'),
      );
      return;
    }
    if (script.outcome === 'errors') {
      const messages = script.messages ?? [`Failed to deploy ${this.names(plan)}: the module could not be compiled.`];
      this.at(plan, 1, () => {
        for (const m of messages) this.say(plan, 'Error', m);
        this.finish(plan, 'finished_with_errors', 'Error', 'The deployment finished with errors.');
      });
      return;
    }
    this.at(plan, 1, () => this.applyToTarget(plan));
    if (script.outcome === 'warnings') {
      const messages = script.messages ?? [`${this.names(plan)}: a consumer of this application is outdated.`];
      this.at(plan, 1, () => {
        for (const m of messages) this.say(plan, 'Warning', m);
        this.finish(plan, 'finished_with_warnings', 'Info', 'The deployment finished with warnings.');
      });
      return;
    }
    this.at(plan, 1, () => this.finish(plan, 'finished_successful', 'Info', 'The deployment finished successfully.'));
  }

  private waitForPerson(plan: PlanState, info: InterventionInfo | 'deployment_prepared'): void {
    plan.status = 'needs_user_intervention';
    plan.info = info;
    if (info !== 'deployment_prepared' && info !== 'deployment_suspended') {
      this.say(plan, 'Warning', `The deployment waits for a person: ${info}.`);
    }
  }

  private finish(plan: PlanState, status: PlanStatus, type: PlanLogEntry['Type'], message: string): void {
    this.say(plan, type, message);
    plan.status = status;
    plan.phase = 'done';
  }

  /** The target now runs what the plan deployed (reference §3 for a binary: as OSPTool leaves it). */
  private applyToTarget(plan: PlanState): void {
    for (const op of plan.operations) {
      const app = this.state.applicationByKey(op.application.key);
      if (op.versionKey !== undefined && app) {
        this.state.runVersion(app, plan.target, op.versionKey);
      } else {
        this.state.markPublished(plan.target, op.application.uid, op.application.name, op.application.key);
      }
      this.say(plan, 'Info', `${op.application.name} ${op.versionLabel} deployed to ${plan.target.name}.`);
    }
  }

  private say(plan: PlanState, type: PlanLogEntry['Type'], message: string): void {
    plan.log.push({ Instant: new Date(this.now()).toISOString(), Message: message, Type: type });
  }

  /** `n` steps after the last one scheduled (or after now when none is pending). */
  private at(plan: PlanState, n: number, apply: () => void): void {
    const last = plan.steps[plan.steps.length - 1]?.at ?? this.now();
    plan.steps.push({ at: last + n * this.stepMs, apply });
  }

  private advance(plan: PlanState): void {
    const now = this.now();
    while (plan.steps.length > 0 && (plan.steps[0]?.at ?? Infinity) <= now) {
      const step = plan.steps.shift();
      step?.apply();
    }
  }
}
