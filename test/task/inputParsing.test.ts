import * as assert from 'node:assert/strict';
import {
  parseBool,
  parseNameList,
  parseOneOf,
  parseOptionalString,
  parsePositiveInt,
  parseRequiredString,
} from '../../shared/task/inputParsing';

describe('input parsing', () => {
  it('splits a name list on commas and line breaks, trims, drops empties and duplicates keeping the first', () => {
    assert.deepEqual(parseNameList(' Customer Portal,Customer Core\r\n\n  Customer Portal \ncustomer core,, '), [
      'Customer Portal',
      'Customer Core',
      'customer core',
    ]);
    assert.deepEqual(parseNameList(undefined), []);
    assert.deepEqual(parseNameList(' \n , '), []);
  });

  it('reads required and optional strings trimmed, naming a missing required input', () => {
    assert.equal(parseRequiredString('sourceEnvironment', '  Acceptance '), 'Acceptance');
    assert.throws(() => parseRequiredString('sourceEnvironment', '   '), /Input 'sourceEnvironment' is required/);
    assert.equal(parseOptionalString('  '), undefined);
    assert.equal(parseOptionalString(' x '), 'x');
  });

  it('reads booleans with a default and rejects anything but true/false', () => {
    assert.equal(parseBool('dryRun', undefined, true), true);
    assert.equal(parseBool('dryRun', 'TRUE', false), true);
    assert.equal(parseBool('dryRun', ' false ', true), false);
    assert.throws(() => parseBool('dryRun', 'yes', false), /Input 'dryRun' must be true or false, not 'yes'/);
  });

  it('reads positive whole numbers within a maximum', () => {
    assert.equal(parsePositiveInt('timeoutMinutes', '', 60), 60);
    assert.equal(parsePositiveInt('timeoutMinutes', ' 15 ', 60, 1440), 15);
    for (const bad of ['0', '-3', '1.5', '1e3', 'ten', '99999999999999999999']) {
      assert.throws(() => parsePositiveInt('timeoutMinutes', bad, 60), /Input 'timeoutMinutes' must be a whole number/);
    }
    assert.throws(() => parsePositiveInt('timeoutMinutes', '1441', 60, 1440), /'timeoutMinutes' must be at most 1440/);
  });

  it('matches one of a set case-insensitively and returns the canonical spelling', () => {
    const values = ['packages', 'probe'] as const;
    assert.equal(parseOneOf('dependencySource', 'Probe', values, 'packages'), 'probe');
    assert.equal(parseOneOf('dependencySource', undefined, values, 'packages'), 'packages');
    assert.throws(
      () => parseOneOf('dependencySource', 'lifetime', values, 'packages'),
      /Input 'dependencySource' must be one of 'packages', 'probe', not 'lifetime'/,
    );
  });
});
