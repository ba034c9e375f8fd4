export interface OspToolCommand {
  toolPath: string;
  packagePath: string;
  hostname: string;
  user: string;
  password: string;
  catalogMappings?: string;
}

/** The arguments exactly as INTERFACE.md fixes them; handed to spawn as they are, no shell. */
export function ospToolArguments(command: OspToolCommand): string[] {
  const args = ['/Publish', command.packagePath, command.hostname, command.user, command.password];
  if (command.catalogMappings !== undefined && command.catalogMappings !== '') {
    args.push('/catalogmappings', command.catalogMappings);
  }
  return args;
}

/** The command line for the log, with the password as `***`. Quoting is for reading only. */
export function describeOspToolCommand(command: OspToolCommand): string {
  const args = ospToolArguments({ ...command, password: '***' });
  return [command.toolPath, ...args].map(quoteForDisplay).join(' ');
}

function quoteForDisplay(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  return `"${arg.replace(/"/g, '\\"')}"`;
}
