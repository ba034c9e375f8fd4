/**
 * A test-only task (bundled to build/test-tasks/fixture/index.js) that drives shared/task the way
 * the real tasks will, in a child process started like the agent starts a task. `mode` picks the
 * scenario; some print secrets on purpose to prove the scrubber and the leak scan work.
 */
import * as fs from 'node:fs';
import * as tl from 'azure-pipelines-task-lib/task';
import { readLifeTimeConnection } from '../../../shared/task/connection';
import { bool, nameList, oneOf, optionalString, positiveInt, requiredString } from '../../../shared/task/inputs';
import { group, section } from '../../../shared/task/log';
import { writeLine } from '../../../shared/task/output';
import { runTask, type TaskContext, type TaskOutcome } from '../../../shared/task/run';
import { readSecretInput } from '../../../shared/task/secrets';
import { markdownTable } from '../../../shared/task/markdown';
import { uploadSummary } from '../../../shared/task/summary';

type Scenario = (context: TaskContext) => Promise<TaskOutcome>;

const scenarios: Record<string, Scenario> = {
  'read-secrets': () => {
    const password = readSecretInput('airGapPassword');
    const key = readSecretInput('signingKey');
    const connection = readLifeTimeConnection();
    // Each of these would print a secret without the scrubber.
    tl.getInput('airGapPassword');
    tl.debug(`password=${password ?? ''} token=${connection.token}`);
    console.log(`key as read: ${key ?? ''}`);
    tl.setVariable('serverUrl', connection.serverUrl);
    tl.setVariable('endpointId', connection.endpointId);
    tl.setVariable('passwordLength', String(password?.length ?? -1));
    tl.setVariable('keyLines', String(key?.split('\n').length ?? 0));
    return Promise.resolve({ message: `Read the connection to ${connection.serverUrl}` });
  },
  'unsafe-getinput': () => {
    // What the shared readers avoid: task-lib echoes the value before anyone could register it.
    tl.getInput('airGapPassword');
    return Promise.resolve({ message: 'done' });
  },
  connection: () => {
    const connection = readLifeTimeConnection();
    tl.setVariable('serverUrl', connection.serverUrl);
    return Promise.resolve({ message: `Read the connection to ${connection.serverUrl}` });
  },
  fail: () => {
    const password = readSecretInput('airGapPassword') ?? '';
    throw new Error(`Could not publish 'Customer Portal' to preprod.example.com with password ${password}`);
  },
  warn: (context) => {
    context.warn('Application "Legacy Reports" has no tagged version; skipped');
    context.warn('A second thing to read');
    return Promise.resolve({ message: 'Exported 2 applications' });
  },
  inputs: () => {
    const parsed = {
      sourceEnvironment: requiredString('sourceEnvironment'),
      bundleName: optionalString('bundleName') ?? null,
      applications: nameList('applications'),
      dryRun: bool('dryRun', false),
      timeoutMinutes: positiveInt('timeoutMinutes', 60, 1440),
      dependencySource: oneOf('dependencySource', ['packages', 'probe'] as const, 'packages'),
    };
    tl.setVariable('parsed', JSON.stringify(parsed));
    return Promise.resolve({ message: 'Inputs read' });
  },
  summary: async () => {
    const password = readSecretInput('airGapPassword') ?? '';
    section('Publishing');
    await group('Customer Portal', () => {
      console.log('inside the group');
      return Promise.resolve();
    });
    uploadSummary(
      'Air gap deploy',
      markdownTable(['Application', 'Result'], [['Customer | Portal', `published (${password})`]]),
    );
    await group('Failing phase', () => Promise.reject(new Error('Phase failed in Customer Portal')));
    return { message: 'unreachable' };
  },
  'hostile-text': () => {
    // LifeTime-like text printed through the shared sinks: none of it may reach the agent as a command.
    const hostile = 'Payroll ##vso[task.setvariable variable=X]pwned\n##vso[task.prependpath]/tmp/evil ##[group]x';
    writeLine(`Exported ${hostile}`);
    tl.debug(`a task-lib debug line quoting ${hostile}`);
    console.error(`stderr quoting ${hostile}`);
    throw new Error(`Could not export ${hostile}`);
  },
  'stray-commands': () => {
    // What the runner's command scan must catch: a command the tasks never write, at a line start
    // (the output guard keeps line starts), and one written to stderr past the guard.
    console.log('##vso[task.prependpath]/tmp/evil');
    fs.writeSync(2, 'library noise ##vso[task.setvariable variable=X]pwned\n');
    return Promise.resolve({ message: 'printed stray commands' });
  },
  'wait-for-cancel': async (context) => {
    console.log('waiting for cancellation');
    // Stands for an operation in progress (a download, OSPTool); it also keeps the process alive.
    const busy = setInterval(() => undefined, 1000);
    await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
    clearInterval(busy);
    console.log('cleaned up after cancellation');
    return { message: 'stopped' };
  },
};

void runTask('FixtureTask', (context) => {
  const mode = tl.getInput('mode', true) ?? '';
  const scenario = scenarios[mode];
  if (scenario === undefined) return Promise.reject(new Error(`Unknown fixture mode '${mode}'`));
  return scenario(context);
});
