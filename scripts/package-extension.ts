/** `npm run package`: builds the .vsix (see tools/packaging/packageExtension.ts for the options). */
import * as path from 'node:path';
import { packageExtension, parseOptions } from '../tools/packaging/packageExtension';

function main(): void {
  try {
    const vsix = packageExtension(parseOptions(process.argv.slice(2), process.env));
    const relative = path.relative(process.cwd(), vsix);
    console.log(relative.startsWith('..') ? vsix : relative);
  } catch (err: unknown) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}

main();
