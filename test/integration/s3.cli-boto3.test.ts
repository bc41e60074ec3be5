import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws, boto3, type RunResult } from '../helpers/cli.js';
import { findSecrets } from '../helpers/kms.js';
import { generated, md5Hex, multipartEtag, sha256Hex } from '../helpers/s3.js';
import type { Creds, TestVigil } from '../helpers/vigil.js';
import { startTestVigil } from '../helpers/vigil.js';

const MiB = 1024 * 1024;

/** S3 through Debian's AWS CLI v2 (`aws s3 …`, `aws s3api …`) and boto3's transfer manager. */
describe('S3 through /usr/bin/aws and boto3', () => {
  let v: TestVigil;
  let dir: string;
  let keyArn: string;
  const secret = Buffer.from(`vigil-s3-cli-secret-${randomBytes(16).toString('hex')}`);
  const bucket = 'cli-data';

  const cli = (args: string[], creds: Creds = v.root) => aws(v.url, creds, v.caPath, args);
  const ok = (r: RunResult) => {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.stdout;
  };
  const json = (r: RunResult) => JSON.parse(ok(r));
  const file = (...name: string[]) => path.join(dir, ...name);
  /** boto3 with path-style addressing; the script prints one JSON value. */
  const py = async (body: string, creds: Creds = v.root) => {
    const r = await boto3(v.url, creds, v.caPath, `import boto3, botocore, json, os, hashlib
from botocore.config import Config
from boto3.s3.transfer import TransferConfig
DIR = ${JSON.stringify(dir)}
s3 = boto3.session.Session().client('s3', endpoint_url=os.environ['ENDPOINT'], config=Config(s3={'addressing_style': 'path'}))
def code(f):
    try:
        f()
        return 'ok'
    except botocore.exceptions.ClientError as e:
        return e.response['Error']['Code']
${body}`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    v = await startTestVigil();
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-s3-cli-'));
    keyArn = json(await cli(['kms', 'create-key', '--description', 'cli s3 key'])).KeyMetadata.Arn;
    ok(await cli(['kms', 'create-alias', '--alias-name', 'alias/cli-s3', '--target-key-id', keyArn]));
  });
  afterAll(async () => {
    await v?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('aws s3 mb, cp up and down (a 9 MiB file through the multipart path), ls', async () => {
    expect(ok(await cli(['s3', 'mb', `s3://${bucket}`]))).toContain(`make_bucket: ${bucket}`);
    const small = Buffer.concat([secret, Buffer.from(' small file\n')]);
    await writeFile(file('small.txt'), small);
    const big = generated(9 * MiB, 'cli-9mib');
    secret.copy(big, 8 * MiB + 7);
    await writeFile(file('big.bin'), big);

    expect(ok(await cli(['s3', 'cp', file('small.txt'), `s3://${bucket}/small.txt`]))).toContain(`upload: `);
    ok(await cli(['s3', 'cp', file('big.bin'), `s3://${bucket}/models/big.bin`]));
    // The CLI splits files of 8 MiB and more into 8 MiB parts: two parts here.
    const head = json(await cli(['s3api', 'head-object', '--bucket', bucket, '--key', 'models/big.bin']));
    expect(head.ContentLength).toBe(big.length);
    expect(head.ETag).toBe(multipartEtag(big, 8 * MiB));
    expect(json(await cli(['s3api', 'head-object', '--bucket', bucket, '--key', 'small.txt'])).ETag).toBe(`"${md5Hex(small)}"`);

    ok(await cli(['s3', 'cp', `s3://${bucket}/models/big.bin`, file('big.down')]));
    expect(sha256Hex(await readFile(file('big.down')))).toBe(sha256Hex(big));
    ok(await cli(['s3', 'cp', `s3://${bucket}/small.txt`, file('small.down')]));
    expect(await readFile(file('small.down'))).toEqual(small);

    const top = ok(await cli(['s3', 'ls', `s3://${bucket}/`]));
    expect(top).toMatch(/^\s+PRE models\/$/m);
    expect(top).toMatch(new RegExp(`\\s${small.length} small\\.txt$`, 'm'));
    expect(ok(await cli(['s3', 'ls', `s3://${bucket}/models/`]))).toMatch(new RegExp(`\\s${big.length} big\\.bin$`, 'm'));
    expect(ok(await cli(['s3', 'ls']))).toMatch(new RegExp(` ${bucket}$`, 'm'));
    const missing = await cli(['s3', 'cp', `s3://${bucket}/nope.txt`, file('nope')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('404');
  });

  it('aws s3 sync a nested directory up and back down, then rm --recursive', async () => {
    const tree: Record<string, Buffer> = {
      'a.txt': Buffer.from('alpha\n'),
      'sub/b.txt': Buffer.concat([secret, Buffer.from(' bravo\n')]),
      'sub/deeper/c.bin': generated(70_000, 'sync-c'),
    };
    for (const [name, bytes] of Object.entries(tree)) {
      await mkdir(path.dirname(file('up', name)), { recursive: true });
      await writeFile(file('up', name), bytes);
    }
    const up = ok(await cli(['s3', 'sync', file('up'), `s3://${bucket}/tree/`]));
    expect(up.match(/^upload: /gm)).toHaveLength(3);
    // Nothing changed: a second sync uploads nothing.
    expect(ok(await cli(['s3', 'sync', file('up'), `s3://${bucket}/tree/`]))).toBe('');
    const listed = json(await cli(['s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', 'tree/']));
    expect(listed.Contents.map((c: { Key: string }) => c.Key)).toEqual(['tree/a.txt', 'tree/sub/b.txt', 'tree/sub/deeper/c.bin']);

    const down = ok(await cli(['s3', 'sync', `s3://${bucket}/tree/`, file('down')]));
    expect(down.match(/^download: /gm)).toHaveLength(3);
    for (const [name, bytes] of Object.entries(tree)) expect(await readFile(file('down', name)), name).toEqual(bytes);

    const removed = ok(await cli(['s3', 'rm', `s3://${bucket}/tree/`, '--recursive']));
    expect(removed.match(/^delete: /gm)).toHaveLength(3);
    expect(json(await cli(['s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', 'tree/', '--no-paginate'])).KeyCount).toBe(0);
    // What was outside the prefix is still there.
    expect(json(await cli(['s3api', 'head-object', '--bucket', bucket, '--key', 'small.txt'])).ContentLength).toBeGreaterThan(0);
  });

  it('aws s3api put-object --server-side-encryption aws:kms --ssekms-key-id alias/…: head-object names the key ARN', async () => {
    const body = Buffer.concat([secret, Buffer.from(' sse-kms through the cli')]);
    await writeFile(file('kms.txt'), body);
    const put = json(await cli(['s3api', 'put-object', '--bucket', bucket, '--key', 'secure/kms.txt', '--body', file('kms.txt'),
      '--server-side-encryption', 'aws:kms', '--ssekms-key-id', 'alias/cli-s3']));
    expect(put).toMatchObject({ ETag: `"${md5Hex(body)}"`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    const head = json(await cli(['s3api', 'head-object', '--bucket', bucket, '--key', 'secure/kms.txt']));
    expect(head).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn, ContentLength: body.length });
    const got = json(await cli(['s3api', 'get-object', '--bucket', bucket, '--key', 'secure/kms.txt', file('kms.down')]));
    expect(got).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    expect(await readFile(file('kms.down'))).toEqual(body);
    // An alias that does not exist is KMS.NotFoundException, and nothing is stored.
    const bad = await cli(['s3api', 'put-object', '--bucket', bucket, '--key', 'secure/bad.txt', '--body', file('kms.txt'),
      '--server-side-encryption', 'aws:kms', '--ssekms-key-id', 'alias/no-such-alias']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('KMS.NotFoundException');
    expect((await cli(['s3api', 'head-object', '--bucket', bucket, '--key', 'secure/bad.txt'])).stderr).toContain('404');
  });

  it('boto3 upload_file / download_file through multipart, list_objects_v2 with Delimiter, and NoSuchKey', async () => {
    const body = generated(6 * MiB + 12345, 'boto3-6mib');
    secret.copy(body, 5 * MiB + 3);
    await writeFile(file('six.bin'), body);
    const out = await py(`
cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
s3.create_bucket(Bucket='boto-data')
s3.upload_file(os.path.join(DIR, 'six.bin'), 'boto-data', 'runs/1/six.bin', Config=cfg)
for k in ['runs/1/a.json', 'runs/2/b.json', 'runs/top.json', 'other.json']:
    s3.put_object(Bucket='boto-data', Key=k, Body=k.encode())
head = s3.head_object(Bucket='boto-data', Key='runs/1/six.bin')
s3.download_file('boto-data', 'runs/1/six.bin', os.path.join(DIR, 'six.down'), Config=cfg)
with open(os.path.join(DIR, 'six.down'), 'rb') as f:
    digest = hashlib.sha256(f.read()).hexdigest()
listing = s3.list_objects_v2(Bucket='boto-data', Prefix='runs/', Delimiter='/')
def missing():
    s3.get_object(Bucket='boto-data', Key='runs/none.json')
def missing_head():
    s3.head_object(Bucket='boto-data', Key='runs/none.json')
def missing_bucket():
    s3.get_object(Bucket='no-such-boto-bucket', Key='k')
print(json.dumps({
  'etag': head['ETag'], 'length': head['ContentLength'], 'sha256': digest,
  'prefixes': [p['Prefix'] for p in listing.get('CommonPrefixes', [])],
  'keys': [c['Key'] for c in listing.get('Contents', [])],
  'keyCount': listing['KeyCount'],
  'missing': code(missing), 'missingHead': code(missing_head), 'missingBucket': code(missing_bucket),
}))`);
    expect(out).toEqual({
      etag: multipartEtag(body, 5 * MiB), length: body.length, sha256: sha256Hex(body),
      prefixes: ['runs/1/', 'runs/2/'], keys: ['runs/top.json'], keyCount: 3,
      missing: 'NoSuchKey', missingHead: '404', missingBucket: 'NoSuchBucket',
    });
    expect(out.etag).toMatch(/-2"$/);
  });

  it('leaves no plaintext byte of the uploaded files under the data dir', async () => {
    const { files, hits } = await findSecrets(v.dataDir, [secret]);
    expect(files.some((f) => f.startsWith('blobs/objects/'))).toBe(true);
    expect(hits).toEqual([]);
  });
});
