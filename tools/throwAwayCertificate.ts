/**
 * TEST-ONLY: a throw-away self-signed certificate for 127.0.0.1 (and localhost), written into a
 * directory the caller owns and deletes, so that a client on loopback can verify the emulator's
 * https. Made with the `openssl` command line, which throws when openssl is missing.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/** Writes `<prefix>.key.pem` and `<prefix>.cert.pem` into `dir` and returns their paths. */
export function throwAwayCertificate(dir: string, prefix = 'test-only'): { key: string; cert: string } {
  const key = path.join(dir, `${prefix}.key.pem`);
  const cert = path.join(dir, `${prefix}.cert.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { key, cert };
}
