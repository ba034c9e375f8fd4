import type { EmulatorApplicationSpec } from './spec';

/**
 * Platform applications every LifeTime lists (IsSystem true), running untouched in the given
 * environments. Service Center's key is the GUID of the UID seen in real packages (reference §4:
 * `0jY4Ruqa_0KfWKHnjhY8EQ`), so that real and synthetic manifests agree on it.
 */
export function platformApplications(environmentNames: string[] = []): EmulatorApplicationSpec[] {
  const running = Object.fromEntries(environmentNames.map((name) => [name, { version: '11.31.0' }]));
  return [
    {
      name: 'System Components',
      key: '5b7a3c2e-8f14-4d6a-9e21-3c4b5d6e7f80',
      isSystem: true,
      team: '',
      description: 'OutSystems platform components.',
      packageBytes: 16 * 1024,
      versions: [{ version: '11.31.0', changeLog: 'Platform Server installation.' }],
      running,
    },
    {
      name: 'Service Center',
      key: '463836d2-9aea-42ff-9f58-a1e78e163c11',
      isSystem: true,
      team: '',
      description: 'The environment management console.',
      packageBytes: 16 * 1024,
      versions: [{ version: '11.31.0', changeLog: 'Platform Server installation.' }],
      running,
    },
  ];
}
