/**
 * A small, realistic OutSystems estate for end-to-end tests and the demo: a development-network
 * LifeTime with a release candidate in Acceptance, and a production-network LifeTime whose
 * Pre-Production environment OSPTool publishes to.
 */
import { developmentNetwork, estateSpec } from '../emulator/estateSpec';
import type { EmulatorApplicationSpec, EmulatorSpec } from '../emulator/spec';

export const DEV_TOKEN = 'dev-lifetime-token-7f3a9c1e5b2d4a68';
export const PROD_TOKEN = 'prod-lifetime-token-4c8e2a6f1d9b3e57';
export const PRE_HOSTNAME = 'preprod.example.com';

export function developmentEstate(extra: EmulatorApplicationSpec[] = []): EmulatorSpec {
  return estateSpec(DEV_TOKEN, developmentNetwork(), [
    {
      name: 'Customer Core',
      team: 'Customers',
      producers: ['System Components'],
      versions: [
        { version: '1.0.0', changeLog: 'First release of the customer data services.' },
        { version: '1.1.0', changeLog: 'Adds consent records.' },
      ],
      running: { Development: { version: '1.1.0', modified: true }, Acceptance: { version: '1.1.0' } },
    },
    {
      name: 'Customer Portal',
      team: 'Customers',
      producers: ['Customer Core', 'System Components', 'Service Center'],
      versions: [{ version: '2.3.0', changeLog: 'Self-service address change.' }],
      running: { Development: { version: '2.3.0' }, Acceptance: { version: '2.3.0' } },
    },
    {
      name: 'Backoffice',
      team: 'Operations',
      producers: ['Customer Portal', 'Customer Core'],
      versions: [{ version: '0.9.1', changeLog: 'Case handling for address changes.' }],
      running: { Acceptance: { version: '0.9.1' } },
    },
    {
      name: 'Reporting',
      team: 'Operations',
      producers: ['System Components'],
      versions: [{ version: '3.1', changeLog: 'Monthly KPIs.' }],
      running: { Acceptance: { version: '3.1' } },
    },
    ...extra,
  ]);
}

export function productionEstate(extra: EmulatorApplicationSpec[] = []): EmulatorSpec {
  return estateSpec(
    PROD_TOKEN,
    [
      { name: 'Pre-Production', hostName: PRE_HOSTNAME, type: 'Test' },
      { name: 'Production', hostName: 'www.example.com', type: 'Production' },
    ],
    extra,
  );
}
