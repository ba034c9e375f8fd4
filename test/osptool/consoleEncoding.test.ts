/**
 * OSPTool writes in the console's code page: UTF-8 when the agent ran `chcp 65001` (its default),
 * the OEM code page otherwise. A real child prints the same accented line both ways, CRLF-ended.
 */
import * as assert from 'node:assert/strict';
import { decodeConsoleLine } from '../../shared/osptool/consoleEncoding';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';
import { runScriptedTool, writeScriptedTool } from './scriptedTool';

const NAME = 'Gestão Clínica';
// "Gestão Clínica" in CP850: ã is 0xC6, í is 0xA1.
const CP850 = Buffer.from([0x47, 0x65, 0x73, 0x74, 0xc6, 0x6f, 0x20, 0x43, 0x6c, 0xa1, 0x6e, 0x69, 0x63, 0x61]);

describe('OSPTool console output decoding', function () {
  this.timeout(30_000);

  it('reads UTF-8, and any other line in the OEM code page given', () => {
    assert.equal(decodeConsoleLine(Buffer.from(NAME, 'utf8'), 850), NAME);
    assert.equal(decodeConsoleLine(CP850, 850), NAME);
    assert.equal(decodeConsoleLine(Buffer.from([0x43, 0x6c, 0xa1, 0x6e]), 437), 'Clín');
    assert.equal(decodeConsoleLine(Buffer.from([0x47, 0x65, 0x73, 0x74, 0xe3, 0x6f]), 1252), 'Gestão');
    assert.equal(decodeConsoleLine(CP850, undefined), 'Gest\ufffdo Cl\ufffdnica', 'no code page: UTF-8 only');
  });

  describe('through a real child process', function () {
    if (process.platform === 'win32') return; // the tool is a script with a shebang
    let dir: string;
    before(() => {
      dir = makeTempDir({ prefix: 'airgap-encoding-' });
    });
    after(() => removeTempDir(dir));

    it('shows the accented application name right and still finds the error text', async () => {
      const utf8 = [...Buffer.from(`Info: Publishing application '${NAME}'\r\n`, 'utf8')];
      const oem = [...Buffer.from("Warning: Outdated Consumer - '", 'latin1'), ...CP850, 0x27, 0x0d, 0x0a];
      const tool = writeScriptedTool(dir, `process.stdout.write(Buffer.from(${JSON.stringify([...utf8, ...oem])}));\n`);
      const { result, lines } = await runScriptedTool(tool, { oemCodePage: 850 });
      assert.deepEqual(lines, [`Info: Publishing application '${NAME}'`, `Warning: Outdated Consumer - '${NAME}'`]);
      assert.deepEqual(result.errorTexts, ['Outdated Consumer']);
      assert.equal(result.failed, true);
    });
  });
});
