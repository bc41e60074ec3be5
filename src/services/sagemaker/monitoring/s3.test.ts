import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../auth/types.js';
import type { Sm } from '../context.js';
import { batchInputs, MAX_MANIFEST_BYTES } from './executions.js';
import { MAX_TEXT_BYTES, ObjectTooLarge, RoleS3 } from './s3.js';
import type { ProcessingJobDoc } from './store.js';

const principal = { arn: 'arn:aws:sts::123456789012:assumed-role/r/SageMaker' } as Principal;

/** A RoleS3 over GetObject answers from `get` (key → body and optional ContentLength); counts the chunks read. */
function roleS3(get: (key: string) => { chunks: string[]; length?: number }, read: { chunks: number }): RoleS3 {
  const sm = { deps: { internal: { call: async (_p: Principal, _s: string, op: string, input: Record<string, unknown>) => {
    if (op !== 'GetObject') throw new Error(`unexpected ${op}`);
    const o = get(input.Key as string);
    const body = Readable.from((function* () {
      for (const c of o.chunks) {
        read.chunks++;
        yield Buffer.from(c);
      }
    })());
    return { Body: body, ...(o.length !== undefined ? { ContentLength: o.length } : {}) };
  } } } } as unknown as Sm;
  return new RoleS3(sm, principal, 'us-east-1');
}

describe('RoleS3 reads', () => {
  it('getText fails clearly past its cap (64 MiB by default), from ContentLength or while streaming', async () => {
    expect(MAX_TEXT_BYTES).toBe(64 * 1024 * 1024);
    const read = { chunks: 0 };
    const s3 = roleS3((key) => (key === 'huge' ? { chunks: ['x'], length: MAX_TEXT_BYTES + 1 } : { chunks: Array.from({ length: 10 }, () => 'abcdefghij') }), read);
    await expect(s3.getText({ bucket: 'b', key: 'huge' })).rejects.toThrow(ObjectTooLarge);
    await expect(s3.getText({ bucket: 'b', key: 'huge' })).rejects.toThrow(/s3:\/\/b\/huge is larger than 67108864 bytes/);
    expect(read.chunks).toBe(0);
    await expect(s3.getText({ bucket: 'b', key: 'small' }, 35)).rejects.toThrow(/larger than 35 bytes/);
    expect(read.chunks).toBeLessThanOrEqual(5);
    expect(await s3.getText({ bucket: 'b', key: 'small' })).toHaveLength(100);
  });

  it('a batch execution treats only objects up to 1 MiB as possible manifests', async () => {
    const read = { chunks: 0 };
    const big = `[${'1,'.repeat(MAX_MANIFEST_BYTES)}1]`;
    const objects: Record<string, string> = {
      'cap/input/2026/01/01/00/manifest': '[{"prefix": "s3://cap/data/"}, "a.csv"]',
      'cap/input/2026/01/01/00/big.json': big,
    };
    const s3 = roleS3((key) => ({ chunks: [objects[key]] }), read);
    const listed: string[] = [];
    (s3 as unknown as { listObjects: RoleS3['listObjects'] }).listObjects = async (_b, prefix) => {
      listed.push(prefix);
      return Object.keys(objects).filter((k) => k.startsWith(prefix)).sort().map((key) => ({ key, size: Buffer.byteLength(objects[key]) }));
    };
    const job = { ProcessingJobName: 'j', Execution: { Batch: { DataCapturedDestinationS3Uri: 's3://bucket/cap', LocalPath: '/opt/ml/processing/input/batch',
      Start: '2026-01-01T00:00:00Z', End: '2026-01-01T01:00:00Z' } } } as unknown as ProcessingJobDoc;
    const inputs = await batchInputs(s3, job);
    expect(inputs.map((i) => i.S3Input!.S3Uri)).toEqual(['s3://bucket/cap/input/2026/01/01/00/big.json', 's3://cap/data/a.csv']);
    // Only the manifest was opened (one chunk for its first character, one to read it); the large object never.
    expect(read.chunks).toBe(2);
  });
});

describe('RoleS3 listings', () => {
  /** ListObjectsV2 over a key list, two entries a page (S3 pages by 1,000), with continuation tokens. */
  function pagedS3(keys: string[], calls: Record<string, unknown>[], failAt?: number): RoleS3 {
    const sm = { deps: { internal: { call: async (_p: Principal, _s: string, op: string, input: Record<string, unknown>) => {
      if (op !== 'ListObjectsV2') throw new Error(`unexpected ${op}`);
      calls.push(input);
      if (calls.length === failAt) throw new Error('Access Denied');
      const prefix = input.Prefix as string;
      const under = keys.filter((k) => k.startsWith(prefix)).sort();
      const entries = input.Delimiter
        ? [...new Set(under.map((k) => k.slice(prefix.length)).filter((r) => r.includes('/')).map((r) => `${prefix}${r.split('/')[0]}/`))]
        : under;
      const start = Number(input.ContinuationToken ?? 0);
      const page = entries.slice(start, start + 2);
      const more = start + 2 < entries.length;
      return {
        ...(input.Delimiter ? { CommonPrefixes: page.map((Prefix) => ({ Prefix })) } : { Contents: page.map((Key) => ({ Key, Size: Key.length })) }),
        IsTruncated: more, ...(more ? { NextContinuationToken: String(start + 2) } : {}),
      };
    } } } } as unknown as Sm;
    return new RoleS3(sm, principal, 'us-east-1');
  }
  const keys = ['cap/ep/a/1.jsonl', 'cap/ep/a/2.jsonl', 'cap/ep/b/1.jsonl', 'cap/ep/c/1.jsonl', 'cap/ep/d/1.jsonl', 'other/x'];

  it('follow continuation tokens for objects and for folders', async () => {
    const calls: Record<string, unknown>[] = [];
    const s3 = pagedS3(keys, calls);
    expect(await s3.listObjects('b', 'cap/')).toEqual(keys.slice(0, 5).map((key) => ({ key, size: key.length })));
    expect(calls.map((c) => c.ContinuationToken)).toEqual([undefined, '2', '4']);
    expect(await s3.folders('b', 'cap/ep/')).toEqual(['cap/ep/a/', 'cap/ep/b/', 'cap/ep/c/', 'cap/ep/d/']);
    expect(calls.slice(3).map((c) => [c.Delimiter, c.ContinuationToken])).toEqual([['/', undefined], ['/', '2']]);
  });

  it('a page that fails names the location and the role', async () => {
    const s3 = pagedS3(keys, [], 2);
    await expect(s3.list('b', 'cap/')).rejects.toThrow(`Could not list s3://b/cap/ as ${principal.arn}: Access Denied`);
  });
});
