import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArtifact, safeRelativePath, unpackArtifact } from './archive.js';
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
});
