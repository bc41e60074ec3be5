import { describe, expect, it } from 'vitest';
import { inputFiles } from './files.js';
import type { RoleS3 } from './s3.js';

describe('inputFiles', () => {
  it('skips keys with a `..` segment: nothing lands outside the input LocalPath', async () => {
    const keys = ['data/a.csv', 'data/../../baseline/statistics.json', 'data/x/..', 'data/sub/b.csv', 'data/..hidden.csv', 'data/sub/../c.csv'];
    const s3 = { list: async (_b: string, prefix: string) => keys.filter((k) => k.startsWith(prefix)) } as unknown as RoleS3;
    const files = await inputFiles(s3, [{ InputName: 'in', S3Input: { S3Uri: 's3://b/data', LocalPath: '/opt/ml/processing/input/in',
      S3DataType: 'S3Prefix', S3InputMode: 'File' } }]);
    expect(files.map((f) => f.localPath)).toEqual([
      '/opt/ml/processing/input/in/a.csv', '/opt/ml/processing/input/in/sub/b.csv', '/opt/ml/processing/input/in/..hidden.csv',
    ]);
    expect(files.every((f) => f.localPath.startsWith('/opt/ml/processing/input/in/'))).toBe(true);
  });
});
