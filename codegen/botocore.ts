/**
 * Reading botocore's JSON service models (Debian `python3-botocore`). Only the loader lives here; what we keep of a
 * model is decided in trim.ts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const BOTOCORE_ROOT = '/usr/lib/python3/dist-packages/botocore';

/** A botocore JSON object: we only ever copy whitelisted keys out of it, so its values stay `unknown`. */
export type RawObject = Record<string, unknown>;

export interface RawModel {
  metadata: RawObject;
  operations: Record<string, RawObject>;
  shapes: Record<string, RawObject>;
}

export interface LoadedModel {
  /** Model directory name, e.g. `2010-05-08`. */
  apiVersion: string;
  raw: RawModel;
}

/** botocore's own version, read from its package so the header names the exact source. */
export function botocoreVersion(root = BOTOCORE_ROOT): string {
  const init = readFileSync(join(root, '__init__.py'), 'utf8');
  const match = /__version__\s*=\s*'([^']+)'/.exec(init);
  if (!match) throw new Error(`cannot find __version__ in ${root}/__init__.py`);
  return match[1];
}

/** Loads the newest API version of a service (botocore keeps older ones beside it for some services). */
export function loadModel(service: string, root = BOTOCORE_ROOT): LoadedModel {
  const dir = join(root, 'data', service);
  const versions = readdirSync(dir).filter((v) => /^\d{4}-\d{2}-\d{2}$/.test(v)).sort();
  const apiVersion = versions.at(-1);
  if (!apiVersion) throw new Error(`no model versions under ${dir}`);
  const raw = JSON.parse(readFileSync(join(dir, apiVersion, 'service-2.json'), 'utf8')) as RawModel;
  return { apiVersion, raw };
}
