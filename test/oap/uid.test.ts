import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { guidToUid, uidToGuid } from '../../shared/oap/uid';

describe('OutSystems UIDs', () => {
  it('decodes a real UID into the GUID that .NET prints', () => {
    assert.equal(uidToGuid('0jY4Ruqa_0KfWKHnjhY8EQ'), '463836d2-9aea-42ff-9f58-a1e78e163c11');
  });

  it('encodes a GUID into the UID spelling, "/" as "_" and "+" kept', () => {
    assert.equal(guidToUid('463836d2-9aea-42ff-9f58-a1e78e163c11'), '0jY4Ruqa_0KfWKHnjhY8EQ');
    assert.equal(guidToUid('{463836D2-9AEA-42FF-9F58-A1E78E163C11}'), '0jY4Ruqa_0KfWKHnjhY8EQ');
    assert.equal(guidToUid(uidToGuid('MizbE9fSTkGtHDiCHlmn+g') ?? ''), 'MizbE9fSTkGtHDiCHlmn+g');
  });

  it('round-trips random GUIDs', () => {
    for (let i = 0; i < 500; i++) {
      const guid = randomUUID();
      const uid = guidToUid(guid);
      assert.equal(uid.length, 22);
      assert.doesNotMatch(uid, /[/=]/);
      assert.equal(uidToGuid(uid), guid);
    }
  });

  it('accepts "/" for "_" but refuses what is not a canonical UID', () => {
    assert.equal(uidToGuid('0jY4Ruqa/0KfWKHnjhY8EQ'), '463836d2-9aea-42ff-9f58-a1e78e163c11');
    for (const bad of ['', 'short', '0jY4Ruqa_0KfWKHnjhY8EQ=', '0jY4Ruqa_0KfWKHnjhY8E!', '0jY4Ruqa_0KfWKHnjhY8ER']) {
      assert.equal(uidToGuid(bad), undefined, bad);
    }
  });

  it('refuses text that is not a GUID', () => {
    assert.throws(() => guidToUid('not-a-guid'), /not a GUID/);
    assert.throws(() => guidToUid('463836d2-9aea-42ff-9f58-a1e78e163c1'), /not a GUID/);
  });
});
