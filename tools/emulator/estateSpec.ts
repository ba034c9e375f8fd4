/**
 * The parts every test estate of the emulator repeats: the usual environments of a development
 * network, and a spec that puts the platform applications (System Components, Service Center) into
 * each environment before the estate's own applications.
 */
import { platformApplications } from './platform';
import type { EmulatorApplicationSpec, EmulatorEnvironmentSpec, EmulatorSpec } from './spec';

/** Development and Acceptance, the environments of a development-network LifeTime. */
export function developmentNetwork(): EmulatorEnvironmentSpec[] {
  return [
    { name: 'Development', hostName: 'dev.example.com', type: 'Development' },
    { name: 'Acceptance', hostName: 'acc.example.com', type: 'Test' },
  ];
}

/** A LifeTime with these environments, the platform running in each, and these applications. */
export function estateSpec(
  token: string,
  environments: EmulatorEnvironmentSpec[],
  applications: EmulatorApplicationSpec[],
): EmulatorSpec {
  return {
    token,
    environments,
    applications: [...platformApplications(environments.map((e) => e.name)), ...applications],
  };
}
