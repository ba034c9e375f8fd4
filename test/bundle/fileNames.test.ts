import { strict as assert } from 'node:assert';
import { isSafeBundleFileName, packageFileName } from '../../shared/bundle/fileNames';

const v = (name: string, version = '1.2.3', versionKey = 'f3e1c2d4-0000-4000-8000-000000000001') => ({
  name,
  version,
  versionKey,
});

describe('packageFileName', () => {
  it('names friendly files as outsystems-pipeline does', () => {
    assert.equal(packageFileName(v('My App', '1.2.1'), true, new Set()), 'My_App_v1_2_1.oap');
    assert.equal(packageFileName(v('Customer Portal'), true, new Set()), 'Customer_Portal_v1_2_3.oap');
  });

  it('names by version key otherwise', () => {
    assert.equal(packageFileName(v('My App'), false, new Set()), 'f3e1c2d4-0000-4000-8000-000000000001.oap');
  });

  it('turns slashes, dots, ".." and other punctuation into single underscores', () => {
    assert.equal(packageFileName(v('CI/CD Probe'), true, new Set()), 'CI_CD_Probe_v1_2_3.oap');
    assert.equal(packageFileName(v('..\\..\\evil'), true, new Set()), 'evil_v1_2_3.oap');
    assert.equal(packageFileName(v('a.b..c', '2..0'), true, new Set()), 'a_b_c_v2_0.oap');
    assert.equal(packageFileName(v('x', '1', '../../etc/passwd'), false, new Set()), 'etc_passwd.oap');
    assert.equal(packageFileName(v('x', '1', '..'), false, new Set()), 'package.oap');
  });

  it('spells accented and special Latin letters in ASCII', () => {
    assert.equal(packageFileName(v('Café Émile'), true, new Set()), 'Cafe_Emile_v1_2_3.oap');
    assert.equal(packageFileName(v('Grüße Straße'), true, new Set()), 'Grusse_Strasse_v1_2_3.oap');
    assert.equal(packageFileName(v('Søren Łódź'), true, new Set()), 'Soren_Lodz_v1_2_3.oap');
  });

  it('falls back to a generic name when nothing ASCII is left', () => {
    assert.equal(packageFileName(v('日本'), true, new Set()), 'Application_v1_2_3.oap');
    assert.equal(packageFileName(v('日本 Portal'), true, new Set()), 'Portal_v1_2_3.oap');
  });

  it('never produces a Windows device name', () => {
    for (const reserved of ['CON', 'prn', 'Aux', 'NUL', 'COM1', 'lpt9']) {
      const name = packageFileName(v('x', '1', reserved), false, new Set());
      assert.equal(name, `${reserved}_.oap`);
      assert.ok(isSafeBundleFileName(name), name);
    }
  });

  it('refuses every name Windows takes for a device: superscript digits, COM0/LPT0, the console', () => {
    for (const name of [
      'COM¹.oap',
      'LPT².oap',
      'com³.oap',
      'COM0.oap',
      'LPT0.oap',
      'CONIN$.oap',
      'conout$.oap',
      'COM¹ .x.oap',
    ]) {
      assert.equal(isSafeBundleFileName(name), false, name);
    }
    assert.ok(isSafeBundleFileName('COM10.oap'), 'COM10 is no device');
    assert.ok(isSafeBundleFileName('CONINx.oap'));
  });

  it('bounds the length and keeps the version', () => {
    const name = packageFileName(v('A'.repeat(500), '10.20.30'), true, new Set());
    assert.ok(name.length <= 104, `${String(name.length)} characters`);
    assert.match(name, /^A+_v10_20_30\.oap$/);
  });

  it('makes names unique case-insensitively and records them in taken', () => {
    const taken = new Set<string>(['my_app_v1_2_3.OAP']);
    const second = packageFileName(v('My App'), true, taken);
    const third = packageFileName(v('my app'), true, taken);
    const fourth = packageFileName(v('My-App?', '1.2.3'), true, taken);
    assert.deepEqual([second, third, fourth], ['My_App_v1_2_3_2.oap', 'my_app_v1_2_3_3.oap', 'My-App_v1_2_3.oap']);
    assert.ok(taken.has(second) && taken.has(third) && taken.has(fourth));
    assert.equal(taken.size, 4);
  });

  it('always produces a safe file name', () => {
    const nasty = [
      '',
      ' ',
      '.',
      '..',
      'a/b\\c',
      'C:\\x',
      'nul',
      'a:b',
      'tab\there',
      'new\nline',
      '\u0000',
      'end. ',
      '💥',
    ];
    const taken = new Set<string>();
    for (const text of nasty) {
      for (const friendly of [true, false]) {
        const name = packageFileName(v(text, text, text), friendly, taken);
        assert.ok(isSafeBundleFileName(name), JSON.stringify(name));
        assert.match(name, /^[A-Za-z0-9_-]+\.oap$/);
      }
    }
    assert.equal(taken.size, nasty.length * 2);
  });
});

describe('isSafeBundleFileName', () => {
  it('accepts plain .oap names', () => {
    for (const ok of ['App_v1.oap', 'f3e1c2d4-0000-4000-8000-000000000001.oap', 'A.B.oap', 'x.OAP']) {
      assert.ok(isSafeBundleFileName(ok), ok);
    }
  });

  it('refuses anything that could leave the folder or mean something else on Windows', () => {
    const bad = [
      '',
      '.',
      '..',
      '.oap',
      '../x.oap',
      '..\\x.oap',
      '/etc/x.oap',
      '\\\\server\\share\\x.oap',
      'C:x.oap',
      'c:\\x.oap',
      'sub/x.oap',
      'x.oap:stream',
      'x.oap\u0000.txt',
      'x\u0007.oap',
      'x.txt',
      'CON.oap',
      'com1.oap',
      'nul.tar.oap',
      'x.oap.',
      'x.oap ',
      ' x.oap',
      'a<b.oap',
      `${'a'.repeat(300)}.oap`,
    ];
    for (const name of bad) {
      assert.equal(isSafeBundleFileName(name), false, JSON.stringify(name));
    }
  });
});
