/**
 * Text from LifeTime (log messages, notes, user names) printed in the task log: it must not be
 * able to issue an agent command (`##vso[`, `##[`), so the two characters are split, and a line
 * break cannot start a new line of its own.
 */
export function untrusted(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/##(vso)?\[/gi, (m) => m.replace('##', '#\u200b#'));
}
