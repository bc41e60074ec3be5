/**
 * The container's file system, without a container. A processing job names local paths (`/opt/ml/processing/...`)
 * in its Environment and maps them to S3 through ProcessingInputs and ProcessingOutputs; this resolves such a path
 * back to S3 objects, the way SageMaker would have laid them out: each object under an input's S3 prefix lands at
 * LocalPath plus its key relative to the prefix (a prefix naming one object lands under its file name).
 */
import path from 'node:path/posix';
import type { ProcessingInput, ProcessingOutput } from '../api.generated.js';
import { parseS3Uri, type RoleS3, type S3Location } from './s3.js';

export interface LocalFile extends S3Location {
  localPath: string;
}

const DEFAULT_INPUT_ROOT = '/opt/ml/processing/input';

const norm = (p: string): string => path.normalize(p).replace(/\/+$/, '') || '/';

/** Lists every S3 input's objects and places them in the job's local file system. */
export async function inputFiles(s3: RoleS3, inputs: ProcessingInput[]): Promise<LocalFile[]> {
  const out: LocalFile[] = [];
  for (const input of inputs) {
    if (!input.S3Input) continue;
    const loc = parseS3Uri(input.S3Input.S3Uri);
    if (!loc) throw new Error(`ProcessingInput ${input.InputName}: ${input.S3Input.S3Uri} is not an S3 URI.`);
    const local = norm(input.S3Input.LocalPath ?? path.join(DEFAULT_INPUT_ROOT, input.InputName));
    for (const key of await s3.list(loc.bucket, loc.key)) {
      if (key.endsWith('/')) continue;
      const rel = key.slice(loc.key.length).replace(/^\/+/, '') || path.basename(key);
      // A key with a `..` segment would land outside the input's LocalPath (over a baseline or script): skipped.
      if (rel.split('/').includes('..')) continue;
      const localPath = path.join(local, rel);
      if (!localPath.startsWith(local === '/' ? '/' : `${local}/`) || localPath === local) continue;
      out.push({ bucket: loc.bucket, key, localPath });
    }
  }
  return out;
}

/** The files at a local path: that file, or every file under that directory (in key order). */
export function filesAt(files: LocalFile[], localPath: string): LocalFile[] {
  const p = norm(localPath);
  const exact = files.filter((f) => f.localPath === p);
  if (exact.length) return exact;
  return files.filter((f) => f.localPath.startsWith(`${p}/`)).sort((a, b) => (a.localPath < b.localPath ? -1 : 1));
}

/** Where a file the job writes at `localFile` goes in S3: under the output whose LocalPath contains it. */
export function outputLocation(outputs: ProcessingOutput[], localFile: string): S3Location | undefined {
  const p = norm(localFile);
  for (const o of outputs) {
    if (!o.S3Output) continue;
    const dir = norm(o.S3Output.LocalPath);
    if (!p.startsWith(`${dir}/`)) continue;
    const loc = parseS3Uri(o.S3Output.S3Uri);
    if (!loc) continue;
    const base = loc.key.replace(/\/+$/, '');
    return { bucket: loc.bucket, key: `${base ? `${base}/` : ''}${p.slice(dir.length + 1)}` };
  }
  return undefined;
}
