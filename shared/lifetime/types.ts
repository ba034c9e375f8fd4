/**
 * LifeTime Deployment API v2 structures, as the vendor's Swagger file defines them
 * (test/fixtures/lifetime-api-v2.swagger.json). Every field is optional unless the Swagger file
 * marks it required: older LifeTime releases omit some (CreatedOn and ChangeLog arrived in an
 * OutSystems 11 minor), so callers must not assume them.
 */

export interface Environment {
  Key?: string;
  Name?: string;
  OSVersion?: string;
  Order?: number;
  DetailsURL?: string;
  HostName?: string;
  UseHTTPS?: boolean;
  EnvironmentType?: string;
  NumberOfFrontEnds?: number;
  ApplicationServerType?: string;
  ApplicationServer?: string;
  DatabaseProvider?: string;
  IsCloudEnvironment?: boolean;
}

export interface MobileAppStatusInEnv {
  EnvironmentKey?: string;
  NativePlatform?: string;
  VersionNumber?: string;
  HasBinaryAvailable?: boolean;
  IsConfigured?: boolean;
  IsConfigurationChanged?: boolean;
  IsModified?: boolean;
}

export interface ModuleStatusInEnv {
  ApplicationKey?: string;
  EnvironmentKey?: string;
  ModuleVersionKey?: string;
  ConsistencyStatus?: string;
  ConsistencyStatusMessages?: string;
}

export interface AppStatusInEnv {
  EnvironmentKey?: string;
  BaseApplicationVersionKey?: string;
  BaseApplicationVersionLabel?: string;
  IsModified?: boolean;
  IsModifiedReason?: string;
  IsModifiedMessage?: string;
  ConsistencyStatus?: string;
  ConsistencyStatusMessages?: string;
  MobileAppsStatus?: MobileAppStatusInEnv[];
  ModuleStatusInEnvs?: ModuleStatusInEnv[];
  DeploymentZoneKey?: string;
}

export interface Application {
  Key?: string;
  Name: string;
  Kind: string;
  Team?: string;
  Description?: string;
  URLPath?: string;
  IconHash?: string;
  IconURL?: string;
  DetailsURL?: string;
  IsSystem?: boolean;
  AppStatusInEnvs?: AppStatusInEnv[];
}

export interface MobileVersion {
  NativePlatform?: string;
  VersionNumber?: string;
  VersionDescription?: string;
}

export interface ModuleVersion {
  Key?: string;
  ModuleKey?: string;
  CreatedOn?: string;
  CreatedBy?: string;
  CreatedByUsername?: string;
  GeneralHash?: string;
  DirectUpgradeFromHash?: string;
}

export interface ApplicationVersion {
  Key: string;
  ApplicationKey?: string;
  Version?: string;
  ChangeLog?: string;
  CreatedOn?: string;
  InUse?: boolean;
  MobileVersions?: MobileVersion[];
  PrimaryColor?: string;
  NativeHash?: string;
  ModuleVersions?: ModuleVersion[];
  EnvironmentKey?: string;
}

/** Field names are lower-case in the API, unlike every other structure. */
export interface DownloadLink {
  url?: string;
  expires?: string;
}

/** The body LifeTime sends with documented 4xx/5xx statuses (`Exception` in the Swagger file). */
export interface LifeTimeErrorBody {
  Errors?: string[];
  StatusCode?: number;
}

export interface ApplicationVersionCreate {
  ChangeLog?: string;
  Version?: string;
  MobileVersions?: MobileVersion[] | null;
}

/** Response of creating a version (`TextRecord` in the Swagger file). */
export interface ApplicationVersionCreated {
  ApplicationVersionKey: string;
}
