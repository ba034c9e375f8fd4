import type { EmulatorSpec } from './emulator';
import { developmentNetwork, estateSpec } from './estateSpec';

export const testToken = 'test-token-5f2c9d';

/** A small development LifeTime estate the emulator's own tests share. */
export function developmentSpec(overrides: Partial<EmulatorSpec> = {}): EmulatorSpec {
  return {
    ...estateSpec(testToken, developmentNetwork(), [
      {
        name: 'Customer Core',
        key: '7a1d0c52-3f4e-4b8a-9c6d-2e1f0a9b8c7d',
        team: 'Customer',
        producers: ['System Components'],
        packageBytes: 8 * 1024,
        versions: [
          { version: '1.0.0', changeLog: 'First release' },
          { version: '1.1.0', changeLog: 'Address validation' },
        ],
        running: { Development: { version: '1.1.0', modified: true }, Acceptance: { version: '1.1.0' } },
      },
      {
        name: 'Customer Portal',
        producers: ['Customer Core', 'Service Center'],
        packageBytes: 256 * 1024,
        versions: [{ version: '2.0.0', changeLog: 'Portal redesign' }],
        running: { Acceptance: { version: '2.0.0' }, Development: { version: null } },
      },
      {
        name: 'Field App',
        kind: 'Mobile',
        versions: [
          {
            version: '0.9',
            changeLog: 'Beta',
            mobileVersions: [{ NativePlatform: 'Android', VersionNumber: '0.9.0', VersionDescription: 'Beta' }],
          },
          { version: '0.9.1', changeLog: 'Binary lost', noBinary: true },
        ],
        running: { Acceptance: { version: '0.9' } },
      },
    ]),
    ...overrides,
  };
}
