import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { StructureShape } from '../../protocol/schema.js';
import { ADDED_OPERATIONS, ADDED_SHAPES, model } from './model.js';

// botocore JSON is read as plain data, member by member.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

/** A botocore newer than the pinned Debian one (pyenv's, on the dev machines), if installed. */
function newerKmsModel(): { operations: Raw; shapes: Raw } | undefined {
  const roots = [process.env.VIGIL_NEWER_BOTOCORE];
  const pyenv = join(homedir(), '.pyenv', 'versions');
  if (existsSync(pyenv)) {
    for (const v of readdirSync(pyenv)) {
      const lib = join(pyenv, v, 'lib');
      if (!existsSync(lib)) continue;
      for (const py of readdirSync(lib)) roots.push(join(lib, py, 'site-packages', 'botocore'));
    }
  }
  for (const root of roots) {
    const file = root && join(root, 'data', 'kms', '2014-11-01', 'service-2.json');
    if (file && existsSync(`${file}.gz`)) return JSON.parse(gunzipSync(readFileSync(`${file}.gz`)).toString('utf8'));
    if (file && existsSync(file)) {
      const m = JSON.parse(readFileSync(file, 'utf8'));
      if (m.operations.RotateKeyOnDemand) return m;
    }
  }
  return undefined;
}

const newer = newerKmsModel();

describe('KMS model supplement', () => {
  it('refers only to shapes the model has', () => {
    for (const op of Object.values(ADDED_OPERATIONS)) {
      for (const ref of [op.input?.shape, op.output?.shape, ...(op.errors ?? []).map((e) => e.shape)]) expect(model.shapes[ref!], ref).toBeDefined();
    }
    for (const shape of Object.values(ADDED_SHAPES)) {
      if (shape.type === 'structure') for (const m of Object.values(shape.members)) expect(model.shapes[m.shape], m.shape).toBeDefined();
      if (shape.type === 'list') expect(model.shapes[shape.member.shape]).toBeDefined();
    }
  });

  it.skipIf(!newer)('matches a newer botocore, member for member', () => {
    for (const [name, op] of Object.entries(ADDED_OPERATIONS)) {
      expect(newer!.operations[name].input.shape).toBe(op.input!.shape);
      expect(newer!.operations[name].output.shape).toBe(op.output!.shape);
    }
    for (const [name, shape] of Object.entries(ADDED_SHAPES)) {
      const theirs = newer!.shapes[name];
      expect(theirs?.type, name).toBe(shape.type);
      if (shape.type === 'structure') {
        for (const [member, ref] of Object.entries((shape as StructureShape).members)) expect(theirs.members[member]?.shape, `${name}.${member}`).toBe(ref.shape);
        expect(theirs.required ?? []).toEqual((shape as StructureShape).required ?? []);
      } else {
        for (const key of ['min', 'max', 'pattern', 'enum'] as const) expect(theirs[key], `${name}.${key}`).toEqual((shape as unknown as Record<string, unknown>)[key]);
      }
    }
  });
});
