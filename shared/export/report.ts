/** What the export shows the person who approves the deployment: per application, the order, the summary. */
import type { Reporter } from '../util/reporter';
import type { TaskOutcome } from '../task/run';
import { markdownTable } from '../task/markdown';
import type { ExportResult, ExportedPackage } from './run';

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit] ?? ''}`;
}

/** The bench reads this line to say which download path ran. */
const TRANSFER_TEXT: Record<ExportedPackage['transfer'], string> = {
  direct: 'direct connection, socket to file',
  general: 'general HTTP client (through the agent proxy)',
};

export async function logExportResult(result: ExportResult, reporter: Reporter): Promise<void> {
  for (const p of result.packages) {
    await reporter.group(`${p.name} ${p.version}`, () => {
      reporter.info(`Application key: ${p.key}`);
      reporter.info(`Version key:     ${p.versionKey}`);
      reporter.info(`Package:         ${p.file} (${formatSize(p.size)}, sha256 ${p.sha256})`);
      reporter.info(`Transfer:        ${TRANSFER_TEXT[p.transfer]}`);
      reporter.info(`Producers in the bundle: ${p.producerNames.length > 0 ? p.producerNames.join(', ') : 'none'}`);
      if (p.modifiedSinceTag !== undefined) reporter.info(`Running code differs from the tag: ${p.modifiedSinceTag}`);
      return Promise.resolve();
    });
  }
  reporter.info('Deployment order (producers first):');
  const byKey = new Map(result.packages.map((p) => [p.key, p]));
  result.manifest.deploymentOrder.forEach((key, i) => {
    const p = byKey.get(key);
    reporter.info(`  ${i + 1}. ${p?.name ?? key} ${p?.version ?? ''}`);
  });
  if (result.manifest.externalRequirements.length > 0) {
    reporter.info('Required on the target but not in the bundle:');
    for (const r of result.manifest.externalRequirements) {
      reporter.info(`  - ${r.name} (needed by ${r.requiredBy.join(', ')})`);
    }
  }
  if (result.signatureFingerprint !== undefined) {
    reporter.info(`Manifest signed with the Ed25519 key ${result.signatureFingerprint}`);
  }
  reporter.info(`Bundle written to ${result.bundlePath}`);
}

export function exportSummaryRows(result: ExportResult): string[][] {
  return [...result.packages]
    .sort((a, b) => a.position - b.position)
    .map((p) => [
      String(p.position),
      p.name,
      p.version,
      formatSize(p.size),
      p.sha256.slice(0, 12),
      p.modifiedSinceTag !== undefined ? 'running code differs from the tag' : '',
    ]);
}

export const EXPORT_SUMMARY_TITLE = 'OutSystems air gap export';

/** The run's summary: the table, then the bundle, its source, its signature and what the target must have. */
export function exportSummaryMarkdown(result: ExportResult): string {
  const notes = [
    `Bundle: \`${result.bundlePath}\``,
    `Source: ${result.manifest.source.environment.name} on ${result.manifest.source.lifeTimeUrl}`,
    result.signatureFingerprint !== undefined ? `Signed with Ed25519 key ${result.signatureFingerprint}` : 'Not signed',
    result.manifest.externalRequirements.length > 0
      ? `Required on the target, not in the bundle: ${result.manifest.externalRequirements.map((r) => r.name).join(', ')}`
      : '',
  ].filter((l) => l !== '');
  return (
    markdownTable(['Order', 'Application', 'Version', 'Size', 'sha256', 'Warnings'], exportSummaryRows(result)) +
    '\n' +
    notes.map((n) => `- ${n}`).join('\n') +
    '\n'
  );
}

export function exportOutcome(result: ExportResult): TaskOutcome {
  return { message: `Exported ${result.packages.length} application(s) to ${result.bundlePath}` };
}
