import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Principal } from '../../auth/types.js';
import type { ArtifactFetcher } from '../../inference/types.js';
import type { Sm } from './context.js';

/**
 * Reads model artifacts for one variant. `s3://` goes through the gateway as the model's execution role, so S3's
 * bucket policy, the role's policies and (for SSE-KMS objects) kms:Decrypt via S3 all apply, and CloudTrail records it;
 * `file://` is read from local disk only when the server allows file models.
 */
export function artifactFetcher(sm: Sm, role: () => Promise<Principal>, region: string): ArtifactFetcher {
  return {
    async fetch(url: string): Promise<Buffer> {
      if (url.startsWith('s3://')) return fromS3(sm, await role(), region, url);
      if (url.startsWith('file://')) return fromFile(sm, url);
      throw new Error(`Model data URL "${url}" is not supported: use s3://bucket/key${sm.serving.allowFileModels ? ' or file:///path' : ''}.`);
    },
  };
}

async function fromS3(sm: Sm, principal: Principal, region: string, url: string): Promise<Buffer> {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!m) throw new Error(`Model data URL "${url}" must name an object: s3://bucket/key.`);
  try {
    const out = await sm.deps.internal.call(principal, 's3', 'GetObject', { Bucket: m[1], Key: m[2] },
      { region, viaService: 'sagemaker.amazonaws.com' });
    return await readBody(out.Body);
  } catch (err) {
    throw new Error(`Could not download model data from "${url}" as ${principal.arn}: ${messageOf(err)}`);
  }
}

async function fromFile(sm: Sm, url: string): Promise<Buffer> {
  if (!sm.serving.allowFileModels) {
    throw new Error(`Model data URL "${url}" is a local file, and this server does not serve file:// models (start it with file models allowed).`);
  }
  try {
    return await readFile(fileURLToPath(url));
  } catch (err) {
    throw new Error(`Could not read model data from "${url}": ${messageOf(err)}`);
  }
}

/** GetObject's Body is a Node Readable; buffered bodies are accepted too. */
export async function readBody(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
  throw new Error('GetObject returned a body that cannot be read');
}

export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
