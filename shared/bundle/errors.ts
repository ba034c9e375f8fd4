/** A bundle refused before anything runs; `where` names the bundle folder or file at fault. */
export class BundleError extends Error {
  override name = 'BundleError';

  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where}: ${problem}`);
  }
}
