/**
 * Preloaded into a measured child (`node -r peakRss.js …` through NODE_OPTIONS): at exit, writes
 * the process's peak resident set size to the file named by BENCH_PEAK_RSS_FILE.
 *
 * On Linux this is VmHWM from /proc/self/status, the high-water mark of this program's own memory.
 * Not getrusage's maxRSS: Linux carries that across exec from the forked copy of the parent, so a
 * child of a 90 MB bench process would never report less than 90 MB.
 */
import * as fs from 'node:fs';

function peakRssBytes(): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (match?.[1] !== undefined) return Number(match[1]) * 1024;
  } catch {
    // Not Linux: fall back to getrusage.
  }
  // resourceUsage().maxRSS is in kilobytes.
  return process.resourceUsage().maxRSS * 1024;
}

const target = process.env.BENCH_PEAK_RSS_FILE;
if (target !== undefined && target !== '') {
  process.on('exit', () => {
    fs.writeFileSync(target, JSON.stringify({ peakRssBytes: peakRssBytes() }));
  });
}
