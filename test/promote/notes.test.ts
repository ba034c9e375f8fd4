import * as assert from 'node:assert/strict';
import { markerLine, notesCarry, planNotes } from '../../shared/promote/notes';

const SHA = 'ab'.repeat(32);

describe('promote: the plan notes that let a rerun find its own plan', () => {
  it('names the bundle and the pipeline run by default, and always ends with the manifest sha256', () => {
    const notes = planNotes(undefined, { bundleName: 'release 42', manifestSha256: SHA, pipelineRun: 'airgap 7' });
    assert.equal(
      notes,
      `OutSystems air gap promotion of bundle "release 42" by airgap 7\nairgap-bundle-sha256: ${SHA}`,
    );
    assert.ok(notesCarry(notes, SHA));
  });

  it("keeps the user's notes and adds the marker line to them", () => {
    const notes = planNotes('  Change CHG-1234  ', { bundleName: 'b', manifestSha256: SHA });
    assert.equal(notes, `Change CHG-1234\n${markerLine(SHA)}`);
    assert.ok(notesCarry(notes, SHA));
  });

  it('recognises the marker only as a whole line for exactly this sha256, whatever the case or line ends', () => {
    assert.ok(notesCarry(`Someone's text\r\n${markerLine(SHA).toUpperCase()}\r\n`, SHA));
    assert.ok(!notesCarry(`${markerLine(SHA)}0`, SHA), 'a longer value is another bundle');
    assert.ok(!notesCarry(`see ${markerLine(SHA)}`, SHA), 'quoted inside a sentence is not the marker');
    assert.ok(!notesCarry(markerLine('cd'.repeat(32)), SHA));
    assert.ok(!notesCarry(undefined, SHA));
  });
});
