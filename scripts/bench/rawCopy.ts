/**
 * The export's physical limit, run as a child process like the task: for each package, the same
 * content-link request, then a streaming GET of the link straight to disk, with plain node:http
 * and fs streams, at the same parallelism. No hashing, no parsing, no retries.
 *
 *   node rawCopy.js <job.json>
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import { pipeline } from 'node:stream/promises';

export interface RawCopyJob {
  apiBase: string;
  token: string;
  parallelism: number;
  items: { appKey: string; versionKey: string; destination: string }[];
}

function get(url: string, headers: Record<string, string>): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, resolve).on('error', reject);
  });
}

async function readJson(response: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

async function copyOne(job: RawCopyJob, item: RawCopyJob['items'][number]): Promise<number> {
  const auth = { Authorization: `Bearer ${job.token}` };
  const linkResponse = await get(
    `${job.apiBase}/applications/${item.appKey}/versions/${item.versionKey}/content/`,
    auth,
  );
  const link = (await readJson(linkResponse)) as { url?: unknown };
  if (linkResponse.statusCode !== 200 || typeof link.url !== 'string') {
    throw new Error(`content link for ${item.appKey}: HTTP ${String(linkResponse.statusCode)}`);
  }
  const body = await get(link.url, {});
  if (body.statusCode !== 200) throw new Error(`download ${link.url}: HTTP ${String(body.statusCode)}`);
  let bytes = 0;
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  await pipeline(body, fs.createWriteStream(item.destination));
  return bytes;
}

export async function rawCopy(job: RawCopyJob): Promise<number> {
  let next = 0;
  let total = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(job.parallelism, job.items.length)) }, async () => {
    while (next < job.items.length) {
      const item = job.items[next++];
      if (item === undefined) continue;
      // Not `total += await …`: that reads `total` before the await and loses the other lanes' bytes.
      const bytes = await copyOne(job, item);
      total += bytes;
    }
  });
  await Promise.all(lanes);
  return total;
}

if (require.main === module) {
  const jobFile = process.argv[2];
  if (jobFile === undefined) throw new Error('usage: node rawCopy.js <job.json>');
  rawCopy(JSON.parse(fs.readFileSync(jobFile, 'utf8')) as RawCopyJob).then(
    (bytes) => process.stdout.write(`${String(bytes)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
