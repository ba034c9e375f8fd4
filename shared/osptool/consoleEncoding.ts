import { TextDecoder } from 'node:util';
import { OEM_UPPER_HALVES } from './oemCodePages';

/**
 * How OSPTool's console output is decoded. OSPTool is a .NET Framework console program: with its
 * output redirected, .NET writes in Console.OutputEncoding, i.e. the console's output code page
 * (GetConsoleOutputCP). The Azure Pipelines agent (since 2.144.2) runs `chcp 65001` for the job
 * unless `agent.retainDefaultEncoding` is set, so the tool usually writes UTF-8; otherwise the
 * console has the system's OEM code page (437, 850, …). So: a line that is valid UTF-8 is UTF-8
 * (OEM text that happens to be valid UTF-8 needs byte pairs like "├ú" that real messages do not
 * hold), anything else is read in the OEM code page. The error texts are ASCII, found either way.
 */
export function decodeConsoleLine(bytes: Buffer, oemCodePage: number | undefined): string {
  try {
    return UTF8_STRICT.decode(bytes);
  } catch {
    return decodeInCodePage(bytes, oemCodePage);
  }
}

const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true });

function decodeInCodePage(bytes: Buffer, codePage: number | undefined): string {
  const upper = codePage === undefined ? undefined : OEM_UPPER_HALVES[codePage];
  if (upper !== undefined) {
    let text = '';
    for (const byte of bytes) text += byte < 0x80 ? String.fromCharCode(byte) : upper.charAt(byte - 0x80);
    return text;
  }
  const decoder = codePage === undefined ? undefined : whatwgDecoder(codePage);
  return (decoder ?? new TextDecoder('utf-8')).decode(bytes);
}

const decoders = new Map<number, TextDecoder | undefined>();

/** Other code pages Node's TextDecoder knows (windows-125x, ibm866); undefined for the rest. */
function whatwgDecoder(codePage: number): TextDecoder | undefined {
  if (!decoders.has(codePage)) decoders.set(codePage, newDecoder(codePage));
  return decoders.get(codePage);
}

function newDecoder(codePage: number): TextDecoder | undefined {
  for (const label of [`windows-${codePage}`, `ibm${codePage}`]) {
    try {
      return new TextDecoder(label);
    } catch {
      // not a label this Node knows
    }
  }
  return undefined;
}
