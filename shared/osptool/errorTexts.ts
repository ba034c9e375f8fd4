/**
 * Texts that mean a publication failed even when OSPTool exits 0 (outsystems-pipeline has judged
 * OSPTool by these since 2024-05). Matched case-insensitively: Service Center spells "Missing
 * configuration" both ways, and a false stop is cheaper than a half-published production.
 */
export const OSPTOOL_ERROR_TEXTS = [
  'Incompatible Dependency',
  'Execution Plan Abort',
  'Outdated Consumer',
  'Missing Configuration',
] as const;

export type OspToolErrorText = (typeof OSPTOOL_ERROR_TEXTS)[number];

export function errorTextsIn(line: string): OspToolErrorText[] {
  const lower = line.toLowerCase();
  return OSPTOOL_ERROR_TEXTS.filter((text) => lower.includes(text.toLowerCase()));
}
