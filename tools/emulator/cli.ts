// Starts one or two emulated LifeTimes from a scenario file and serves until Ctrl+C:
//   node build/tsc/tools/emulator/cli.js <scenario.json> [--port <n>]
// The scenario is an EmulatorSpec, or { "development": EmulatorSpec, "production": EmulatorSpec }.
import * as fs from 'node:fs';
import { LifeTimeEmulator, type EmulatorSpec } from './emulator';

function isSpec(value: unknown): value is EmulatorSpec {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.token === 'string' && Array.isArray(v.environments) && Array.isArray(v.applications);
}

/** The LifeTimes a scenario describes, by label. */
export function scenarioSpecs(scenario: unknown): [string, EmulatorSpec][] {
  if (isSpec(scenario)) return [['lifetime', scenario]];
  if (typeof scenario !== 'object' || scenario === null) throw new Error('The scenario is not a JSON object');
  const result: [string, EmulatorSpec][] = [];
  for (const label of ['development', 'production']) {
    const spec = (scenario as Record<string, unknown>)[label];
    if (spec === undefined) continue;
    if (!isSpec(spec)) throw new Error(`"${label}" is not an emulator spec (token, environments, applications)`);
    result.push([label, spec]);
  }
  if (result.length === 0) throw new Error('The scenario has neither "development" nor "production"');
  return result;
}

function describe(label: string, lt: LifeTimeEmulator, spec: EmulatorSpec): string {
  const lines = [
    `${label} LifeTime: ${lt.url}`,
    `  API v2:       ${lt.apiBase}  (Authorization: Bearer <token from the scenario>)`,
    `  CI/CD Probe:  ${lt.url}/CI_CDProbe/rest/v1${spec.probeKey === undefined ? '' : '  (X-CICDProbe-Key required)'}`,
    `  state:        ${lt.url}/__emulator/state`,
    '  environments:',
    ...spec.environments.map((e) => `    ${e.name.padEnd(16)} ${e.hostName}`),
    '  applications:',
    ...spec.applications.map((a) => {
      const versions = (a.versions ?? []).map((v) => v.version).join(', ');
      return `    ${a.name.padEnd(24)} ${versions === '' ? '(no tags)' : versions}${a.isSystem ? '  [system]' : ''}`;
    }),
  ];
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const file = argv.find((a) => !a.startsWith('--'));
  const portIndex = argv.indexOf('--port');
  const basePort = portIndex >= 0 ? Number(argv[portIndex + 1]) : undefined;
  if (file === undefined || (basePort !== undefined && !Number.isInteger(basePort))) {
    process.stderr.write('usage: node build/tsc/tools/emulator/cli.js <scenario.json> [--port <n>]\n');
    process.exitCode = 2;
    return;
  }
  const specs = scenarioSpecs(JSON.parse(fs.readFileSync(file, 'utf8')));
  const running: LifeTimeEmulator[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(running.map((lt) => lt.close()));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  for (const [i, [label, spec]] of specs.entries()) {
    const lt = await LifeTimeEmulator.start(spec, basePort === undefined ? {} : { port: basePort + i });
    running.push(lt);
    process.stdout.write(describe(label, lt, spec) + '\n\n');
  }
  process.stdout.write('Serving; press Ctrl+C to stop.\n');
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
