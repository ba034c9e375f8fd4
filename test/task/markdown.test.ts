import * as assert from 'node:assert/strict';
import { markdownCell, markdownTable } from '../../shared/task/markdown';

describe('markdownTable', () => {
  it('renders a header, a separator and one row per entry', () => {
    const table = markdownTable(['Application', 'Version'], [['Customer Portal', '1.2.3']]);
    assert.equal(table, '| Application | Version |\n| --- | --- |\n| Customer Portal | 1.2.3 |\n');
  });

  it('keeps a pipe, a line break or a backtick in a cell from breaking the table', () => {
    const table = markdownTable(['Name'], [['a|b\r\nc`d`']]);
    const row = table.trimEnd().split('\n')[2];
    assert.equal(row, '| a\\|b<br>c\\`d\\` |');
  });

  it('keeps UNC paths and angle brackets readable instead of interpreted', () => {
    assert.equal(markdownCell('\\\\fileserver\\airgap'), '\\\\\\\\fileserver\\\\airgap');
    assert.equal(markdownCell('<script>'), '&lt;script&gt;');
  });

  it('pads short rows and refuses rows longer than the header', () => {
    assert.equal(markdownTable(['A', 'B'], [['x']]).split('\n')[2], '| x |  |');
    assert.throws(() => markdownTable(['A'], [['x', 'y']]), /row 1 has 2 cells for 1 headers/);
    assert.throws(() => markdownTable([], []), /at least one header/);
  });
});
