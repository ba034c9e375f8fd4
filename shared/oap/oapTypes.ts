// What an .oap's Manifest.xml says about the package, and the error that names a package at fault.

export interface OapApplication {
  uid: string;
  name: string;
  kind?: string;
}

export interface OapProducer {
  uid: string;
  name: string;
}

export interface OapManifest {
  application: OapApplication;
  producers: OapProducer[];
}

export class OapError extends Error {
  constructor(
    readonly filePath: string,
    readonly problem: string,
  ) {
    super(`OutSystems package "${filePath}": ${problem}`);
    this.name = 'OapError';
  }
}
