import { createHash } from 'node:crypto';
import type {
  AppStatusInEnv,
  Application,
  ApplicationVersion,
  Environment,
  LifeTimeErrorBody,
  ModuleStatusInEnv,
} from '../../shared/lifetime/types';
import type { ApplicationState, EmulatorState, EnvironmentState, VersionState } from './state';

/** How an emulated LifeTime renders its data as the API's JSON structures (reference §1.2). */

export function exceptionBody(status: number, ...errors: string[]): LifeTimeErrorBody {
  return { Errors: errors, StatusCode: status };
}

export function environmentJson(env: EnvironmentState, lifeTimeUrl: string): Environment {
  return {
    Key: env.key,
    Name: env.name,
    OSVersion: '11.31.0.0',
    Order: env.order,
    DetailsURL: `${lifeTimeUrl}/lifetime/EnvironmentDetails.aspx?EnvironmentKey=${env.key}`,
    HostName: env.hostName,
    UseHTTPS: true,
    EnvironmentType: env.type,
    NumberOfFrontEnds: env.type === 'Production' ? 2 : 1,
    ApplicationServerType: '.NET',
    ApplicationServer: 'IIS',
    DatabaseProvider: 'SqlServer',
    IsCloudEnvironment: false,
  };
}

export interface StatusOptions {
  includeEnvStatus: boolean;
  includeModules: boolean;
  /** Only this environment's entry (the environment-scoped application endpoint). */
  onlyEnvironmentKey?: string;
}

function statusInEnv(app: ApplicationState, envKey: string, includeModules: boolean): AppStatusInEnv {
  const run = app.running.get(envKey);
  if (!run) throw new Error(`"${app.name}" does not run in ${envKey}`);
  const base = app.versions.find((v) => v.key === run.baseVersionKey);
  const modules: ModuleStatusInEnv[] = includeModules
    ? [
        {
          ApplicationKey: app.key,
          EnvironmentKey: envKey,
          ModuleVersionKey: run.moduleVersionKey,
          ConsistencyStatus: 'OK',
          ConsistencyStatusMessages: '',
        },
      ]
    : [];
  const status: AppStatusInEnv = {
    EnvironmentKey: envKey,
    BaseApplicationVersionKey: run.baseVersionKey,
    BaseApplicationVersionLabel: base?.version ?? '',
    IsModified: run.modified,
    ConsistencyStatus: 'OK',
    ConsistencyStatusMessages: '',
    MobileAppsStatus: (app.kind === 'Mobile' ? (base?.mobileVersions ?? []) : []).map((m) => ({
      EnvironmentKey: envKey,
      NativePlatform: m.NativePlatform ?? '',
      VersionNumber: m.VersionNumber ?? '',
      HasBinaryAvailable: true,
      IsConfigured: true,
      IsConfigurationChanged: false,
      IsModified: run.modified,
    })),
    ModuleStatusInEnvs: modules,
    DeploymentZoneKey: '',
  };
  if (run.modified) {
    status.IsModifiedReason = 'Module_Modified';
    status.IsModifiedMessage = base
      ? `At least one module was modified since the version ${base.version}`
      : 'The application was never tagged';
  }
  return status;
}

export function applicationJson(
  state: EmulatorState,
  app: ApplicationState,
  lifeTimeUrl: string,
  options: StatusOptions,
): Application {
  // In LifeTime's environment order, so that the output is stable.
  const envKeys = state.environments
    .map((e) => e.key)
    .filter(
      (k) => app.running.has(k) && (options.onlyEnvironmentKey === undefined || k === options.onlyEnvironmentKey),
    );
  const iconHash = createHash('sha1').update(app.key).digest('hex');
  return {
    Key: app.key,
    Name: app.name,
    Kind: app.kind,
    Team: app.team,
    Description: app.description,
    URLPath: `/${app.name.replace(/[^A-Za-z0-9]/g, '')}`,
    IconHash: iconHash,
    IconURL: `/LifeTimeSDK/ApplicationIcon.aspx?ApplicationKey=${app.key}&IconHash=${iconHash}`,
    DetailsURL: `${lifeTimeUrl}/lifetime/ApplicationDetails.aspx?ApplicationKey=${app.key}`,
    IsSystem: app.isSystem,
    // [DOC S5,S6]: [] unless IncludeEnvStatus=true.
    AppStatusInEnvs: options.includeEnvStatus ? envKeys.map((k) => statusInEnv(app, k, options.includeModules)) : [],
  };
}

export function versionJson(state: EmulatorState, app: ApplicationState, v: VersionState): ApplicationVersion {
  return {
    Key: v.key,
    ApplicationKey: app.key,
    Version: v.version,
    ChangeLog: v.changeLog,
    CreatedOn: v.createdOn,
    InUse: state.isInUse(app, v.key),
    MobileVersions: v.mobileVersions,
    PrimaryColor: '#1068eb',
    NativeHash: '',
    ModuleVersions: [],
  };
}
