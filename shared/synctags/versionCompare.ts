/**
 * Orders LifeTime version tags. Tags are free text (Text(50)), so this never throws: numeric
 * dot-separated parts compare as numbers with missing parts as zero (1.0 equals 1.0.0, as in
 * outsystems-pipeline), and anything else falls back to a natural, case-insensitive text order.
 */
export function compareVersions(a: string, b: string): number {
  const numeric = /^\d+(\.\d+)*$/;
  const left = a.trim().replace(/^v/i, '');
  const right = b.trim().replace(/^v/i, '');
  if (numeric.test(left) && numeric.test(right)) {
    const x = left.split('.').map(Number);
    const y = right.split('.').map(Number);
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const d = (x[i] ?? 0) - (y[i] ?? 0);
      if (d !== 0) return d < 0 ? -1 : 1;
    }
    return 0;
  }
  const c = left.localeCompare(right, 'en', { numeric: true, sensitivity: 'base' });
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}
