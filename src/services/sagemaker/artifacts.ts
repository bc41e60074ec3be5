import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Principal } from '../../auth/types.js';
import { MAX_ARTIFACT_BYTES, describeByteLimit } from '../../inference/runtimes/archive.js';
import type { ArtifactFetcher } from '../../inference/types.js';
import type { Sm } from './context.js';

/**
 * Reads model artifacts for one variant. `s3://` goes through the gateway as the model's execution role, so S3's
 * bucket policy, the role's policies and (for SSE-KMS objects) kms:Decrypt via S3 all apply, and CloudTrail records it;
 * `file://` is read from local disk only when the server allows file models. Either way an artifact larger than
 * `maxBytes` (default MAX_ARTIFACT_BYTES) fails without being read whole.
 */
export function artifactFetcher(sm: Sm, role: () => Promise<Principal>, region: string, maxBytes: number = MAX_ARTIFACT_BYTES): ArtifactFetcher {
  return {
    async fetch(url: string): Promise<Buffer> {
      if (url.startsWith('s3://')) return fromS3(sm, await role(), region, url, maxBytes);
      if (url.startsWith('file://')) return fromFile(sm, url, maxBytes);
      throw new Error(`Model data URL "${url}" is not supported: use s3://bucket/key${sm.serving.allowFileModels ? ' or file:///path' : ''}.`);
    },
  };
}

const tooLarge = (size: string, limit: number): Error =>
  new Error(`the object is ${size}, over the ${describeByteLimit(limit)} limit on model artifacts`);

async function fromS3(sm: Sm, principal: Principal, region: string, url: string, maxBytes: number): Promise<Buffer> {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!m) throw new Error(`Model data URL "${url}" must name an object: s3://bucket/key.`);
  try {
    const out = await sm.deps.internal.call(principal, 's3', 'GetObject', { Bucket: m[1], Key: m[2] },
      { region, viaService: 'sagemaker.amazonaws.com' });
    const length = (out as { ContentLength?: unknown } | undefined)?.ContentLength;
    if (typeof length === 'number' && length > maxBytes) {
      discard(out.Body);
      throw tooLarge(`${length} bytes`, maxBytes);
    }
    return await readBody(out.Body, maxBytes);
  } catch (err) {
    throw new Error(`Could not download model data from "${url}" as ${principal.arn}: ${messageOf(err)}`);
  }
}

async function fromFile(sm: Sm, url: string, maxBytes: number): Promise<Buffer> {
  if (!sm.serving.allowFileModels) {
    throw new Error(`Model data URL "${url}" is a local file, and this server does not serve file:// models (start it with file models allowed).`);
  }
  try {
    const path = fileURLToPath(url);
    const { size } = await stat(path);
    if (size > maxBytes) throw tooLarge(`${size} bytes`, maxBytes);
    return await readFile(path);
  } catch (err) {
    throw new Error(`Could not read model data from "${url}": ${messageOf(err)}`);
  }
}

/** Stops a body we will not read (a Node Readable is destroyed, so the vault stops decrypting it). */
function discard(body: unknown): void {
  const destroy = (body as { destroy?: unknown } | null | undefined)?.destroy;
  if (typeof destroy === 'function') (destroy as () => void).call(body);
}

/**
 * GetObject's Body is a Node Readable; buffered bodies are accepted too. More than `maxBytes` fails as soon as the
 * limit is crossed: reading stops there (the stream is destroyed) instead of buffering the rest.
 */
export async function readBody(body: unknown, maxBytes: number = MAX_ARTIFACT_BYTES): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  const whole = typeof body === 'string' ? Buffer.from(body) : body instanceof Uint8Array ? Buffer.from(body) : undefined;
  if (whole) {
    if (whole.length > maxBytes) throw tooLarge(`${whole.length} bytes`, maxBytes);
    return whole;
  }
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    let total = 0;
    // Leaving the loop early (the throw) calls the iterator's return(), which destroys a Readable.
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
      total += buf.length;
      if (total > maxBytes) throw tooLarge(`more than ${maxBytes} bytes`, maxBytes);
      chunks.push(buf);
    }
    return Buffer.concat(chunks, total);
  }
  throw new Error('GetObject returned a body that cannot be read');
}

export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
