/**
 * The examples and the Marketplace overview must stay true to the tasks: every use of one of our
 * tasks names a real task and major version, uses only its inputs, gives its required inputs and
 * valid pick-list values; cross-stage references point at real stages, jobs, steps and outputs.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { repoRoot } from '../../tools/paths';

interface TaskInput {
  name: string;
  type: string;
  required?: boolean;
  defaultValue?: string | boolean;
  aliases?: string[];
  options?: Record<string, string>;
  visibleRule?: string;
}

interface TaskJson {
  name: string;
  version: { Major: number };
  inputs: TaskInput[];
  outputVariables?: { name: string }[];
}

interface Step {
  task: string;
  name?: string;
  inputs?: Record<string, unknown>;
  where: string;
}

const examplesDir = path.join(repoRoot, 'examples');

function loadTasks(): Map<string, TaskJson> {
  const tasks = new Map<string, TaskJson>();
  for (const folder of fs.readdirSync(path.join(repoRoot, 'tasks'))) {
    const file = path.join(repoRoot, 'tasks', folder, 'task.json');
    if (!fs.existsSync(file)) continue;
    const task = JSON.parse(fs.readFileSync(file, 'utf8')) as TaskJson;
    tasks.set(task.name, task);
  }
  return tasks;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every mapping with a `task:` key, wherever it sits (stages, jobs, deployment strategies). */
function findSteps(node: unknown, where: string, out: Step[] = []): Step[] {
  if (Array.isArray(node)) {
    node.forEach((child, i) => findSteps(child, `${where}[${i}]`, out));
  } else if (isRecord(node)) {
    if (typeof node.task === 'string') {
      out.push({
        task: node.task,
        ...(typeof node.name === 'string' ? { name: node.name } : {}),
        ...(isRecord(node.inputs) ? { inputs: node.inputs } : {}),
        where,
      });
    }
    for (const [key, child] of Object.entries(node)) findSteps(child, `${where}.${key}`, out);
  }
  return out;
}

/**
 * Whether an input is shown (and so required, if marked) for the given inputs: the `name = value`
 * rules our task.json files use, with the other input's default when it is not given.
 */
function visible(input: TaskInput, given: Record<string, unknown>, task: TaskJson): boolean {
  const rule = /^\s*(\w+)\s*=\s*(\S+)\s*$/.exec(input.visibleRule ?? '');
  if (!rule) return true;
  const [, other = '', wanted = ''] = rule;
  const value = given[other] ?? task.inputs.find((i) => i.name === other)?.defaultValue;
  return (typeof value === 'string' || typeof value === 'boolean') && String(value) === wanted;
}

/** Problems with the uses of our tasks in one parsed pipeline; an empty list when all is right. */
function checkOurSteps(
  doc: unknown,
  source: string,
  tasks: Map<string, TaskJson>,
): { problems: string[]; used: string[] } {
  const problems: string[] = [];
  const used: string[] = [];
  for (const step of findSteps(doc, source)) {
    const match = /^(OutSystemsAirGap\w*)@(\d+)$/.exec(step.task);
    if (!match) {
      if (step.task.startsWith('OutSystemsAirGap'))
        problems.push(`${step.where}: "${step.task}" is not <name>@<major>`);
      continue;
    }
    const [, name = '', major = ''] = match;
    const task = tasks.get(name);
    if (!task) {
      problems.push(`${step.where}: no task named ${name}`);
      continue;
    }
    if (task.version.Major !== Number(major))
      problems.push(`${step.where}: ${name} is @${task.version.Major}, not @${major}`);
    used.push(name);
    const given = step.inputs ?? {};
    const byName = new Map<string, TaskInput>();
    for (const input of task.inputs) for (const n of [input.name, ...(input.aliases ?? [])]) byName.set(n, input);
    for (const [key, value] of Object.entries(given)) {
      const input = byName.get(key);
      if (!input) {
        problems.push(`${step.where}: ${name} has no input "${key}"`);
        continue;
      }
      if (input.type === 'pickList' && input.options && typeof value === 'string' && !value.includes('$(')) {
        if (!(value in input.options))
          problems.push(`${step.where}: ${key}: "${value}" is not one of ${Object.keys(input.options).join(', ')}`);
      }
      if (input.type === 'boolean' && typeof value !== 'boolean' && !/^(true|false|\$\(.+\))$/.test(String(value))) {
        problems.push(`${step.where}: ${key} is a boolean, not "${String(value)}"`);
      }
    }
    for (const input of task.inputs) {
      const hasDefault = input.defaultValue !== undefined && input.defaultValue !== '';
      const isGiven = [input.name, ...(input.aliases ?? [])].some(
        (n) => n in given && given[n] !== null && given[n] !== '',
      );
      if (input.required && !hasDefault && !isGiven && visible(input, given, task))
        problems.push(`${step.where}: ${name} needs input "${input.name}"`);
    }
  }
  return { problems, used };
}

/** `stageDependencies.<stage>.<job>.outputs['<step>.<variable>']` references that lead nowhere. */
function checkStageDependencies(doc: unknown, text: string, tasks: Map<string, TaskJson>): string[] {
  const problems: string[] = [];
  const stages = isRecord(doc) && Array.isArray(doc.stages) ? doc.stages.filter(isRecord) : [];
  for (const ref of text.matchAll(/stageDependencies\.(\w+)\.(\w+)\.outputs\['(\w+)\.(\w+)'\]/g)) {
    const [whole, stageName, jobName, stepName, variable] = ref;
    const stage = stages.find((s) => s.stage === stageName);
    const job = (Array.isArray(stage?.jobs) ? stage.jobs.filter(isRecord) : []).find((j) => j.job === jobName);
    if (!job) {
      problems.push(`${whole}: no job ${String(jobName)} in stage ${String(stageName)}`);
      continue;
    }
    const step = findSteps(job, 'job').find((s) => s.name === stepName);
    const task = step ? tasks.get(step.task.split('@')[0] ?? '') : undefined;
    if (!task) {
      problems.push(`${whole}: no step named ${String(stepName)} running one of our tasks`);
    } else if (!(task.outputVariables ?? []).some((o) => o.name === variable)) {
      problems.push(`${whole}: ${task.name} has no output variable ${String(variable)}`);
    }
  }
  return problems;
}

function yamlExamples(): string[] {
  return fs.readdirSync(examplesDir).filter((f) => /\.ya?ml$/.test(f));
}

describe('examples', () => {
  const tasks = loadTasks();

  it('finds the four tasks to check against', () => {
    assert.deepEqual([...tasks.keys()].sort(), [
      'OutSystemsAirGapDeploy',
      'OutSystemsAirGapExport',
      'OutSystemsAirGapPromote',
      'OutSystemsAirGapSyncTags',
    ]);
  });

  it('catches a wrong major, an unknown task or input, a missing required input and a bad pick-list value', () => {
    const bad = yaml.load(`
stages:
  - stage: A
    jobs:
      - job: J
        steps:
          - task: OutSystemsAirGapExport@2
            inputs: { lifeTimeConnection: c, sourceEnvironment: Acceptance, sharePath: s }
          - task: OutSystemsAirGapExprot@1
          - task: OutSystemsAirGapDeploy@1
            name: deploy
            inputs: { bundlePath: b, targetHostname: h, airGapUser: u, airGapPasword: p }
          - task: OutSystemsAirGapExport@1
            inputs: { lifeTimeConnection: c, sharePath: s, dependencySource: guess, friendlyPackageNames: yes }
  - stage: B
    variables:
      x: $[ stageDependencies.A.J.outputs['deploy.bundlePath'] ]
      y: $[ stageDependencies.A.K.outputs['deploy.deployedCount'] ]
`);
    const { problems } = checkOurSteps(bad, 'bad', tasks);
    const expected = [
      /OutSystemsAirGapExport is @1, not @2/,
      /no task named OutSystemsAirGapExprot/,
      /has no input "airGapPasword"/,
      /needs input "airGapPassword"/,
      /dependencySource: "guess" is not one of packages, probe/,
      /friendlyPackageNames is a boolean/,
    ];
    for (const pattern of expected)
      assert.ok(
        problems.some((p) => pattern.test(p)),
        `${String(pattern)} in ${problems.join('; ')}`,
      );
    assert.ok(!problems.some((p) => /sourceEnvironment/.test(p)), 'a required input with a default may be left out');
    const references = checkStageDependencies(bad, JSON.stringify(bad), tasks);
    assert.equal(references.length, 2, references.join('; '));
    assert.ok(references.some((r) => /no output variable bundlePath/.test(r)));
    assert.ok(references.some((r) => /no job K/.test(r)));
  });

  it('has YAML pipelines that parse', () => {
    const files = yamlExamples();
    assert.ok(files.includes('azure-pipelines.yml'), files.join(', '));
    for (const file of files) {
      const doc = yaml.load(fs.readFileSync(path.join(examplesDir, file), 'utf8'));
      assert.ok(isRecord(doc) && Array.isArray(doc.stages), `${file} is a multi-stage pipeline`);
    }
  });

  for (const file of ['azure-pipelines.yml', 'azure-pipelines-manual-validation.yml']) {
    it(`${file}: uses the four tasks by name@major, with existing inputs and every required one`, () => {
      const text = fs.readFileSync(path.join(examplesDir, file), 'utf8');
      const doc = yaml.load(text);
      const { problems, used } = checkOurSteps(doc, file, tasks);
      assert.deepEqual(problems, []);
      assert.deepEqual([...new Set(used)].sort(), [...tasks.keys()].sort());
      assert.deepEqual(checkStageDependencies(doc, text, tasks), []);
    });
  }

  it('every YAML example passes the same checks', () => {
    for (const file of yamlExamples()) {
      const text = fs.readFileSync(path.join(examplesDir, file), 'utf8');
      const doc = yaml.load(text);
      assert.deepEqual([...checkOurSteps(doc, file, tasks).problems, ...checkStageDependencies(doc, text, tasks)], []);
    }
  });

  it('gates the production stage on the airgap-pre environment, and the variant on ManualValidation@1 in an agentless job', () => {
    const main = fs.readFileSync(path.join(examplesDir, 'azure-pipelines.yml'), 'utf8');
    const deploy = ((yaml.load(main) as { stages: Record<string, unknown>[] }).stages.find(
      (s) => s.stage === 'Deploy',
    ) ?? {}) as {
      dependsOn?: unknown;
      jobs?: Record<string, unknown>[];
    };
    assert.equal(deploy.dependsOn, 'Export');
    const deployment = (deploy.jobs ?? []).find((j) => typeof j.deployment === 'string');
    assert.equal(deployment?.environment, 'airgap-pre');
    assert.deepEqual(
      findSteps(deployment, 'deployment').map((s) => s.task),
      ['DownloadSecureFile@1', 'OutSystemsAirGapDeploy@1', 'OutSystemsAirGapSyncTags@1'],
    );
    assert.match(main, /\$\(airGapPassword\)/);
    assert.match(main, /\$\(signingKey\.secureFilePath\)/);

    const variant = yaml.load(
      fs.readFileSync(path.join(examplesDir, 'azure-pipelines-manual-validation.yml'), 'utf8'),
    ) as {
      stages: { jobs?: Record<string, unknown>[] }[];
    };
    const jobs = variant.stages.flatMap((s) => s.jobs ?? []);
    const gate = jobs.find((j) => findSteps(j, 'job').some((s) => s.task === 'ManualValidation@1'));
    assert.ok(gate, 'a job runs ManualValidation@1');
    assert.equal(gate.pool, 'server');
    const deployJob = jobs.find((j) => findSteps(j, 'job').some((s) => s.task === 'OutSystemsAirGapDeploy@1'));
    assert.equal(deployJob?.dependsOn, gate.job, 'the deploy job waits for the validation job');
  });

  it('puts the promotion behind its own approval: the airgap-prd environment, and a second ManualValidation@1 in the variant', () => {
    type Stage = { stage?: string; dependsOn?: unknown; jobs?: Record<string, unknown>[] };
    const main = yaml.load(fs.readFileSync(path.join(examplesDir, 'azure-pipelines.yml'), 'utf8')) as {
      stages: Stage[];
    };
    const promote = main.stages.find((s) => s.stage === 'Promote');
    assert.ok(promote, 'a Promote stage');
    assert.equal(promote.dependsOn, 'Deploy', 'the promotion comes after the deploy and the tag sync');
    const deployment = (promote.jobs ?? []).find((j) => typeof j.deployment === 'string');
    assert.ok(deployment, 'the promotion is a deployment job');
    assert.equal(deployment.environment, 'airgap-prd', 'an environment of its own, with its own Approvals check');
    assert.deepEqual(
      findSteps(deployment, 'deployment').map((s) => s.task),
      ['DownloadSecureFile@1', 'OutSystemsAirGapPromote@1'],
    );
    const deployStage = main.stages.find((s) => s.stage === 'Deploy');
    const preEnvironment = (deployStage?.jobs ?? []).find((j) => typeof j.deployment === 'string')?.environment;
    assert.notEqual(preEnvironment, 'airgap-prd', 'not the same check as the deploy');

    const variant = yaml.load(
      fs.readFileSync(path.join(examplesDir, 'azure-pipelines-manual-validation.yml'), 'utf8'),
    ) as { stages: Stage[] };
    const jobs = variant.stages.find((s) => s.stage === 'Promote')?.jobs ?? [];
    const gate = jobs.find((j) => findSteps(j, 'job').some((s) => s.task === 'ManualValidation@1'));
    assert.ok(gate, 'the Promote stage has its own validation job');
    assert.equal(gate.pool, 'server');
    const promoteJob = jobs.find((j) => findSteps(j, 'job').some((s) => s.task === 'OutSystemsAirGapPromote@1'));
    assert.equal(promoteJob?.dependsOn, gate.job, 'the promotion waits for its own validation');
  });

  it('the YAML in overview.md passes the same checks', () => {
    const overview = fs.readFileSync(path.join(repoRoot, 'overview.md'), 'utf8');
    const blocks = [...overview.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    assert.ok(blocks.length > 0, 'overview.md has a YAML example');
    for (const block of blocks) {
      const doc = yaml.load(block);
      const { problems, used } = checkOurSteps(doc, 'overview.md', tasks);
      assert.deepEqual([...problems, ...checkStageDependencies(doc, block, tasks)], []);
      assert.ok(used.length > 0);
    }
  });

  it('overview.md documents every input and output variable of every task, and leaves no TODO', () => {
    const overview = fs.readFileSync(path.join(repoRoot, 'overview.md'), 'utf8');
    for (const task of tasks.values()) {
      assert.ok(overview.includes(`${task.name}@${task.version.Major}`), task.name);
      for (const input of task.inputs) assert.ok(overview.includes(`\`${input.name}\``), `${task.name}: ${input.name}`);
      for (const o of task.outputVariables ?? [])
        assert.ok(overview.includes(`\`${o.name}\``), `${task.name}: ${o.name}`);
    }
    assert.ok(!/TODO/.test(overview), 'no TODO on the Marketplace page');
  });

  it('classic-release.md names only existing tasks and every input label of the four tasks', () => {
    const doc = fs.readFileSync(path.join(examplesDir, 'classic-release.md'), 'utf8');
    for (const ref of doc.matchAll(/(OutSystemsAirGap\w*)@(\d+)/g)) {
      assert.equal(tasks.get(ref[1] ?? '')?.version.Major, Number(ref[2]), ref[0]);
    }
    for (const task of tasks.values()) {
      assert.ok(doc.includes(`${task.name}@${task.version.Major}`), task.name);
      const labels = (task.inputs as (TaskInput & { label?: string })[]).map((i) => i.label ?? i.name);
      for (const label of labels) assert.ok(doc.includes(label), `${task.name}: "${label}"`);
    }
  });
});
