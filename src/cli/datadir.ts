import { randomBytes, randomInt } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readIfExists, writeFileAtomic } from '../util/files.js';

export interface DataDirInfo {
  dir: string;
  accountId: string;
  masterKeyBase64: string;
  created: boolean;
}

export type MasterKeySource = 'env' | 'file' | 'generated' | 'existing';

export interface PreparedDataDir {
  /** Absolute path. */
  dir: string;
  masterKeyBase64: string;
  masterKeySource: MasterKeySource;
  /** True when this call created the directory (a first start). */
  created: boolean;
}

const MASTER_KEY_BYTES = 32;
const MASTER_KEY_FILE = 'master.key';
const DEFAULT_REGION = 'us-east-1';

/**
 * First-start bootstrap: the data directory (0700) and the master key, taken from VIGIL_MASTER_KEY, else
 * --master-key-file, else DIR/master.key (generated once). Whether the key fits existing data is checked
 * later against a fingerprint in the database.
 */
export async function prepareDataDir(
  dir: string,
  opts: { masterKeyFile?: string; env?: NodeJS.ProcessEnv },
): Promise<PreparedDataDir> {
  const abs = resolve(dir);
  const created = await ensureDir(abs);
  const key = await resolveMasterKey(abs, opts.masterKeyFile, opts.env ?? process.env);
  return { dir: abs, created, masterKeyBase64: key.base64, masterKeySource: key.source };
}

async function ensureDir(dir: string): Promise<boolean> {
  try {
    // mkdir returns the first directory it created, or undefined when all existed.
    return (await mkdir(dir, { recursive: true, mode: 0o700 })) !== undefined;
  } catch (err) {
    throw new Error(`cannot create data directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

async function resolveMasterKey(
  dir: string,
  masterKeyFile: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ base64: string; source: MasterKeySource }> {
  const fromEnv = env.VIGIL_MASTER_KEY;
  // Set-but-empty usually means a secret that failed to arrive; generating a key instead would hide that.
  if (fromEnv !== undefined) return { base64: decodeMasterKey(fromEnv, 'VIGIL_MASTER_KEY'), source: 'env' };
  if (masterKeyFile !== undefined) {
    const text = await readKeyFile(masterKeyFile, '--master-key-file');
    return { base64: decodeMasterKey(text, `--master-key-file ${masterKeyFile}`), source: 'file' };
  }
  const path = join(dir, MASTER_KEY_FILE);
  const existing = await readIfExists(path);
  if (existing !== undefined) return { base64: decodeMasterKey(existing, path), source: 'existing' };
  const fresh = randomBytes(MASTER_KEY_BYTES).toString('base64');
  if (await createExclusive(path, `${fresh}\n`, 0o600)) return { base64: fresh, source: 'generated' };
  // Another process created it first; use theirs so both seal data under the same key.
  return { base64: decodeMasterKey(await readFile(path, 'utf8'), path), source: 'existing' };
}

/** Validates base64 of exactly 32 bytes; the message never includes the value (it is a secret). */
export function decodeMasterKey(text: string, source: string): string {
  const trimmed = text.trim();
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : undefined;
  if (bytes?.length !== MASTER_KEY_BYTES) {
    const got = bytes ? `${bytes.length} bytes` : trimmed === '' ? 'nothing' : 'text that is not base64';
    throw new Error(
      `${source} must hold a base64-encoded ${MASTER_KEY_BYTES}-byte master key, but it holds ${got}. ` +
        'Create one with: openssl rand -base64 32',
    );
  }
  return bytes.toString('base64');
}


async function readKeyFile(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/**
 * Creates `path` only if absent, complete or not at all: written to a temp file, then hard-linked into
 * place (link never replaces an existing file, unlike rename). Returns false if the file already existed.
 */
async function createExclusive(path: string, data: string, mode: number): Promise<boolean> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // Some filesystems (FAT, some network and container mounts) have no hard links.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') return createDirect(path, data, mode);
    throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

async function createDirect(path: string, data: string, mode: number): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'wx', mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return true;
}

/** A 12-digit AWS-style account id; the first digit is non-zero so it never loses a leading zero. */
export function randomAccountId(): string {
  return String(randomInt(100_000_000_000, 1_000_000_000_000));
}

// --- client files (AWS CLI / SDK / boto3 shared config) ------------------------------------------

export interface ClientFileParams {
  accessKeyId: string;
  secretAccessKey: string;
  endpointUrl: string;
  region?: string;
  /** CA file clients should trust; default DIR/tls/ca.pem, null when the certificate is publicly trusted (--tls-cert). */
  caBundle?: string | null;
}

const CONFIG_NOTE =
  '# Written by Vigil. endpoint_url is read by AWS CLI >= 2.13, botocore/boto3 >= 1.31 and recent AWS SDKs;\n' +
  '# older clients need --endpoint-url. The JavaScript SDK ignores ca_bundle: use NODE_EXTRA_CA_CERTS.\n';

/** Writes DIR/credentials (0600) and DIR/config, each atomically. */
export async function writeClientFiles(dir: string, p: ClientFileParams): Promise<void> {
  const abs = resolve(dir);
  checkIniValue(p.accessKeyId, 'access key id', /^[A-Z0-9]{16,128}$/);
  checkIniValue(p.secretAccessKey, 'secret access key', /^[A-Za-z0-9/+=]{16,128}$/);
  const credentials = `[default]\naws_access_key_id = ${p.accessKeyId}\naws_secret_access_key = ${p.secretAccessKey}\n`;
  await writeFileAtomic(join(abs, 'credentials'), credentials, 0o600);
  const values = configValues(abs, p.endpointUrl, p.region ?? DEFAULT_REGION, p.caBundle);
  await writeFileAtomic(join(abs, 'config'), `${CONFIG_NOTE}${setIniKeys('', 'default', values)}`, 0o600);
}

/**
 * Points DIR/config at this start's endpoint (the port may differ each time), keeping anything else the
 * user put there. DIR/credentials is never touched.
 */
export async function updateConfigEndpoint(
  dir: string,
  endpointUrl: string,
  opts: { caBundle?: string | null } = {},
): Promise<void> {
  const abs = resolve(dir);
  const path = join(abs, 'config');
  const current = await readIfExists(path);
  const { region, ...rest } = configValues(abs, endpointUrl, DEFAULT_REGION, opts.caBundle);
  const text = current === undefined ? `${CONFIG_NOTE}${setIniKeys('', 'default', { region, ...rest })}` : setIniKeys(current, 'default', rest);
  await writeFileAtomic(path, text, 0o600);
}

function configValues(dir: string, endpointUrl: string, region: string, caBundle: string | null | undefined) {
  checkEndpoint(endpointUrl);
  checkIniValue(region, 'region', /^[a-z]{2}(-[a-z]+)+-\d+$/);
  const ca = caBundle === undefined ? join(dir, 'tls', 'ca.pem') : caBundle;
  // The JavaScript SDK cuts a value at " #" or " ;" (inline comments), so such paths cannot be written.
  if (ca !== null) checkIniValue(ca, 'CA bundle path', /^(?![#;])(?:(?!\s[#;])[^\r\n])+$/);
  return { region, endpoint_url: endpointUrl, ca_bundle: ca };
}

function checkEndpoint(url: string): void {
  let ok = false;
  try {
    ok = ['https:', 'http:'].includes(new URL(url).protocol);
  } catch {
    ok = false;
  }
  checkIniValue(url, 'endpoint URL', /^[^\s]+$/);
  if (!ok) throw new Error(`endpoint URL must be an http(s) URL, got '${url}'`);
}

// A newline in a value would let it inject keys into the INI file.
function checkIniValue(value: string, what: string, pattern: RegExp): void {
  if (!pattern.test(value) || value.trim() !== value) throw new Error(`invalid ${what} for the AWS client files`);
}

// --- minimal INI editing (the AWS shared-config dialect: `key = value`, `#`/`;` comments) ----------

function keyOf(line: string): string | undefined {
  const m = /^\s*([A-Za-z0-9_.-]+)\s*=/.exec(line);
  return m?.[1];
}

function sectionBounds(lines: string[], section: string): [number, number] | undefined {
  const start = lines.findIndex((l) => l.trim() === `[${section}]`);
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && !/^\s*\[/.test(lines[end])) end++;
  return [start, end];
}

/** Sets (or, with null, removes) keys of one section in place; missing keys go at the section's end. */
export function setIniKeys(text: string, section: string, values: Record<string, string | null>): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  let bounds = sectionBounds(lines, section);
  if (!bounds) {
    if (lines.length > 0 && lines[lines.length - 1].trim() !== '') lines.push('');
    lines.push(`[${section}]`);
    bounds = [lines.length - 1, lines.length];
  }
  const [start, end] = bounds;
  const body: string[] = [];
  const handled = new Set<string>();
  for (const line of lines.slice(start + 1, end)) {
    const k = keyOf(line);
    if (k === undefined || !Object.hasOwn(values, k)) {
      body.push(line);
      continue;
    }
    // Later duplicates would win when clients read the file, so only the first occurrence survives.
    if (!handled.has(k) && values[k] !== null) body.push(`${k} = ${values[k]}`);
    handled.add(k);
  }
  let insertAt = body.length;
  while (insertAt > 0 && body[insertAt - 1].trim() === '') insertAt--;
  const added = Object.entries(values)
    .filter(([k, v]) => v !== null && !handled.has(k))
    .map(([k, v]) => `${k} = ${v}`);
  body.splice(insertAt, 0, ...added);
  return `${[...lines.slice(0, start + 1), ...body, ...lines.slice(end)].join('\n')}\n`;
}

/** The `key = value` pairs of one section (later duplicates win, as in botocore). */
export function readIniSection(text: string, section: string): Record<string, string> | undefined {
  const lines = text.split('\n');
  const bounds = sectionBounds(lines, section);
  if (!bounds) return undefined;
  const out: Record<string, string> = {};
  for (const line of lines.slice(bounds[0] + 1, bounds[1])) {
    const k = keyOf(line);
    if (k !== undefined) out[k] = line.slice(line.indexOf('=') + 1).trim();
  }
  return out;
}
