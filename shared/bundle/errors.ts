/**
 * A bundle refused before anything runs. `where` names the bundle folder or file at fault and
 * `problem` continues the sentence: `package "/share/b/App.oap" (application "App") is missing`.
 */
export class BundleError extends Error {
  override name = 'BundleError';

  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where} ${problem}`);
  }
}
