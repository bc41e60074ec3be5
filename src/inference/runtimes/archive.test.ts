import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAX_ARTIFACT_BYTES, describeByteLimit, readArtifact, safeRelativePath, unpackArtifact } from './archive.js';
import { tarGz } from './test-support.js';

describe('model artifacts', () => {
  it('keeps member paths inside the model directory', () => {
    expect(safeRelativePath('./model/a.onnx')).toBe('model/a.onnx');
    expect(safeRelativePath('a/../b.txt')).toBe('b.txt');
    expect(safeRelativePath('../evil')).toBeUndefined();
    expect(safeRelativePath('a/../../evil')).toBeUndefined();
    expect(safeRelativePath('/etc/passwd')).toBeUndefined();
    expect(safeRelativePath('./')).toBeUndefined();
  });

  it('reads a tar.gz, skipping escaping members, and passes a plain file through unnamed', async () => {
    const entries = await readArtifact(await tarGz({ 'model.onnx': 'm', '../evil.sh': 'x', 'code/x.py': 'py' }));
    expect(entries.map((e) => e.path).sort()).toEqual(['code/x.py', 'model.onnx']);
    expect(await readArtifact(Buffer.from('plain'))).toEqual([{ path: '', data: Buffer.from('plain') }]);
  });

  it('unpacks under a directory, naming a single file by the fallback name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-archive-test-'));
    try {
      await unpackArtifact(await tarGz({ 'a/b.txt': 'deep' }), dir, 'unused');
      await unpackArtifact(Buffer.from('raw'), dir, 'weights.bin');
      expect((await readdir(dir)).sort()).toEqual(['a', 'weights.bin']);
      expect(await readFile(join(dir, 'a/b.txt'), 'utf8')).toBe('deep');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops gunzipping at the artifact size limit (a gzip bomb fails with a message naming the limit)', async () => {
    expect(MAX_ARTIFACT_BYTES).toBe(1024 ** 3);
    expect(describeByteLimit(MAX_ARTIFACT_BYTES)).toBe('1 GiB (1073741824 bytes)');
    const limit = 1024 * 1024;
    // 64 MiB of zeros gzips to ~64 KiB: far over the 1 MiB limit once unpacked.
    const bomb = gzipSync(Buffer.alloc(64 * limit));
    expect(bomb.length).toBeLessThan(limit);
    const before = process.memoryUsage().arrayBuffers;
    await expect(readArtifact(bomb, limit)).rejects.toThrow(
      'the model artifact unpacks to more than the 1 MiB (1048576 bytes) limit on model artifacts');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * limit);
    await expect(unpackArtifact(bomb, tmpdir(), 'unused', limit)).rejects.toThrow(/limit on model artifacts/);
    // Exactly at the limit is fine; a corrupt gzip keeps its own message.
    const [whole] = await readArtifact(gzipSync(Buffer.alloc(limit, 7)), limit);
    expect(whole.path).toBe('');
    expect(whole.data.equals(Buffer.alloc(limit, 7))).toBe(true);
    await expect(readArtifact(Buffer.from([0x1f, 0x8b, 0, 0]), limit)).rejects.toThrow(/cannot be decompressed/);
  });
});
