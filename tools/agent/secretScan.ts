import type { TaskRun } from './taskRunner';
import { parseVsoLine } from './vso';

const PEM_MARKER = /^-----(BEGIN|END) [A-Z0-9 ]+-----$/;
const MIN_LENGTH = 6;

interface Needle {
  label: string;
  forms: string[];
}

/** The value as printed, and as task-lib escapes it inside a `##vso[...]` command. */
function printedForms(value: string): string[] {
  const forms = new Set([value]);
  for (const percent of ['%AZP25', '%25']) {
    const data = value.replace(/%/g, percent).replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    forms.add(data);
    forms.add(data.replace(/]/g, '%5D').replace(/;/g, '%3B'));
  }
  return [...forms];
}

function needlesFor(secrets: string[]): Needle[] {
  return secrets.flatMap((secret, index) => {
    if (secret.trim().length < MIN_LENGTH) {
      throw new Error(`secret #${index + 1} is too short to search for; use distinctive secrets in tests`);
    }
    const lines = secret
      .split(/\r?\n|\r/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !PEM_MARKER.test(l));
    const needles: Needle[] = [{ label: `secret #${index + 1}`, forms: printedForms(secret.trim()) }];
    if (lines.length > 1) {
      lines.forEach((line, n) =>
        needles.push({ label: `line ${n + 1} of secret #${index + 1}`, forms: printedForms(line) }),
      );
    }
    return needles;
  });
}

/**
 * Where any of `secrets` (or a line of a multi-line one) shows in what the task printed or
 * attached, apart from the `task.setsecret` commands that register them. Descriptions never
 * quote the secret, so a failing assertion does not leak it either.
 */
export function findSecretLeaks(run: TaskRun, secrets: string[]): string[] {
  const needles = needlesFor(secrets);
  const sources: { name: string; text: string; skipSetSecret: boolean }[] = [
    { name: 'stdout', text: run.stdout, skipSetSecret: true },
    { name: 'stderr', text: run.stderr, skipSetSecret: true },
    ...run.summaries.map((s) => ({ name: `summary ${s.path}`, text: s.content, skipSetSecret: false })),
  ];
  const leaks: string[] = [];
  for (const source of sources) {
    source.text.split(/\r?\n/).forEach((line, index) => {
      if (source.skipSetSecret && parseVsoLine(line)?.command === 'task.setsecret') return;
      for (const needle of needles) {
        if (needle.forms.some((form) => line.includes(form))) {
          const command = parseVsoLine(line)?.command;
          leaks.push(`${needle.label} in ${source.name} line ${index + 1}${command ? ` (##vso[${command}])` : ''}`);
        }
      }
    });
  }
  return leaks;
}
