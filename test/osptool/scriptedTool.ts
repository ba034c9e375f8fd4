/**
 * A one-off OSPTool for runner tests: an executable Node script written into a test's temporary
 * directory, run by the real runner (a real child process) for a package bound for PRE.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runOspTool, type OspToolOptions, type OspToolResult } from '../../shared/osptool/runner';

/** Writes `osptool.js` with this Node source (after the shebang) into `dir`, executable, and returns its path. */
export function writeScriptedTool(dir: string, source: string): string {
  const tool = path.join(dir, 'osptool.js');
  fs.writeFileSync(tool, `#!${process.execPath}\n${source}`);
  fs.chmodSync(tool, 0o755);
  return tool;
}

/** Runs the scripted tool as a publish of `dir`/App.oap to PRE; `lines` are the lines it printed. */
export async function runScriptedTool(
  tool: string,
  overrides: Partial<OspToolOptions> = {},
): Promise<{ result: OspToolResult; lines: string[] }> {
  const lines: string[] = [];
  const result = await runOspTool({
    toolPath: tool,
    packagePath: path.join(path.dirname(tool), 'App.oap'),
    hostname: 'preprod.example.com',
    user: 'deployer',
    password: 'secret-pass-1',
    timeoutMs: 20_000,
    onLine: (line) => lines.push(line),
    ...overrides,
  });
  return { result, lines };
}
