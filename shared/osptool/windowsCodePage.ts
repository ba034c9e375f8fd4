import { execFile } from 'node:child_process';

let cached: Promise<number | undefined> | undefined;

/**
 * The system's OEM code page on Windows (what a new console, hence OSPTool, writes in unless the
 * agent switched it to UTF-8), read once from the registry value Windows keeps it in. Undefined
 * elsewhere or when it cannot be read; OSPTool's output is then decoded as UTF-8 only.
 */
export function windowsOemCodePage(): Promise<number | undefined> {
  if (process.platform !== 'win32') return Promise.resolve(undefined);
  cached ??= new Promise((resolve) => {
    execFile(
      'reg',
      ['query', 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Nls\\CodePage', '/v', 'OEMCP'],
      { windowsHide: true, timeout: 5_000 },
      (error, stdout) => {
        const match = /OEMCP\s+REG_SZ\s+(\d+)/i.exec(stdout);
        resolve(error === null && match?.[1] !== undefined ? Number(match[1]) : undefined);
      },
    );
  });
  return cached;
}
