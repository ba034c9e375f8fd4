// Package file names that mean the same on a Windows share and a Linux mount, and that a bundle
// manifest read from the share cannot use to reach outside the bundle folder.

// Windows' device names, whatever the extension: COM and LPT with 0-9 and the superscripts ¹ ² ³
// (Windows maps them to the same devices), and the console's CONIN$ and CONOUT$.
const WINDOWS_RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])$/i;
// Control characters, path separators, and what Windows refuses (':' also opens NTFS alternate streams).
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f/\\<>:"|?*]/;
const MAX_FILE_NAME_LENGTH = 255;
/** Leaves room under Windows' 260-character path limit for a share path and the bundle folder. */
const MAX_BASE_LENGTH = 100;
const EXTENSION = '.oap';

/** Letters NFKD does not decompose into ASCII, spelled as German, Nordic and Polish writers do. */
const TRANSLITERATIONS: Record<string, string> = {
  ß: 'ss',
  ẞ: 'SS',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ø: 'o',
  Ø: 'O',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'Th',
  ł: 'l',
  Ł: 'L',
  ı: 'i',
};

/** True for a plain `.oap` file name that stays inside the folder it is joined to, on any OS. */
export function isSafeBundleFileName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_FILE_NAME_LENGTH || UNSAFE_CHARACTERS.test(name)) {
    return false;
  }
  if (name === '.' || name === '..' || /^[A-Za-z]:/.test(name) || /[. ]$/.test(name) || name.startsWith(' ')) {
    return false;
  }
  if (!name.toLowerCase().endsWith(EXTENSION) || name.length === EXTENSION.length) {
    return false;
  }
  return !isWindowsDeviceName(name);
}

/** Windows treats "CON.oap", "COM¹.txt", "CONIN$" (any extension, trailing spaces ignored) as devices. */
export function isWindowsDeviceName(name: string): boolean {
  const stem = name.split('.')[0] ?? '';
  return WINDOWS_RESERVED.test(stem.trimEnd());
}

export interface PackageNameSource {
  name: string;
  version: string;
  versionKey: string;
}

/**
 * `App_Name_v1_2_3.oap` (friendly, as outsystems-pipeline names them) or `<versionKey>.oap`,
 * made safe and unique case-insensitively against `taken`, to which the result is added.
 */
export function packageFileName(app: PackageNameSource, friendly: boolean, taken: Set<string>): string {
  const base = friendly ? friendlyBase(app) : sanitize(app.versionKey) || 'package';
  const safeBase = WINDOWS_RESERVED.test(base) ? `${base}_` : base;
  // Rebuilt per call (linear in the bundle's size) so that it always reflects what the caller holds;
  // Windows shares are case-insensitive, so "App.oap" and "app.oap" would be one file there.
  const used = new Set([...taken].map((t) => t.toLowerCase()));
  let candidate = `${safeBase}${EXTENSION}`;
  for (let n = 2; used.has(candidate.toLowerCase()); n++) {
    candidate = `${safeBase}_${String(n)}${EXTENSION}`;
  }
  taken.add(candidate);
  return candidate;
}

function friendlyBase(app: PackageNameSource): string {
  const version = `v${sanitize(app.version) || '0'}`.slice(0, 40);
  const name = (sanitize(app.name) || 'Application').slice(0, MAX_BASE_LENGTH - version.length - 1);
  return `${name.replace(/_+$/, '')}_${version}`;
}

/** ASCII letters, digits, '_' and '-' only, so the name needs no quoting anywhere. */
function sanitize(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[ßẞæÆœŒøØđĐðÐþÞłŁı]/g, (c) => TRANSLITERATIONS[c] ?? c);
  return ascii
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/_{2,}/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, MAX_BASE_LENGTH)
    .replace(/[_-]+$/, '');
}
