/**
 * model.tar.gz as SageMaker artifacts usually are: a gzipped ustar archive with the model file at its root
 * (the serving container unpacks it into /opt/ml/model). Entries get a fixed mtime so the same model always
 * produces the same bytes — artifacts can then be compared by checksum.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import * as tar from 'tar-stream';

const gzipAsync = promisify(gzip);

export interface ArtifactFile {
  name: string;
  data: Uint8Array;
}

const FIXED_MTIME = new Date(0);

export async function createTarGz(files: ArtifactFile[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const f of files) {
    // entry() with a buffer writes the whole member synchronously; no per-entry stream handling needed.
    pack.entry({ name: f.name, size: f.data.length, mode: 0o644, mtime: FIXED_MTIME, type: 'file' }, Buffer.from(f.data));
  }
  pack.finalize();
  await collected;
  return gzipAsync(Buffer.concat(chunks));
}
