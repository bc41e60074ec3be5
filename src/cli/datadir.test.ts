import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  prepareDataDir,
  randomAccountId,
  readIniSection,
  setIniKeys,
  updateConfigEndpoint,
  writeClientFiles,
} from './datadir.js';

let root: string;
let n = 0;
const fresh = () => join(root, `d${n++}`, 'data');
const mode = async (p: string) => (await stat(p)).mode & 0o777;
const KEY = randomBytes(32).toString('base64');
const CREDS = { accessKeyId: 'AKIAVIGILTEST0000001', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vigil-datadir-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('prepareDataDir', () => {
  it('creates the directory 0700 and a 0600 master key on first start, then reuses it', async () => {
    const dir = fresh();
    const first = await prepareDataDir(dir, { env: {} });
    expect(first).toMatchObject({ dir, created: true, masterKeySource: 'generated' });
    expect(Buffer.from(first.masterKeyBase64, 'base64')).toHaveLength(32);
    expect(await mode(dir)).toBe(0o700);
    expect(await mode(join(dir, 'master.key'))).toBe(0o600);
    expect((await readFile(join(dir, 'master.key'), 'utf8')).trim()).toBe(first.masterKeyBase64);
    const again = await prepareDataDir(dir, { env: {} });
    expect(again).toMatchObject({ created: false, masterKeySource: 'existing', masterKeyBase64: first.masterKeyBase64 });
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('returns an absolute directory for a relative argument', async () => {
    const dir = fresh();
    const got = await prepareDataDir(relative(process.cwd(), dir), { env: {} });
    expect(got.dir).toBe(dir);
  });

  it('prefers VIGIL_MASTER_KEY, then --master-key-file, and then writes no master.key', async () => {
    const dir = fresh();
    const keyFile = join(root, `mk-${n}`);
    const fileKey = randomBytes(32).toString('base64');
    await writeFile(keyFile, `${fileKey}\n`);
    const viaEnv = await prepareDataDir(dir, { env: { VIGIL_MASTER_KEY: KEY }, masterKeyFile: keyFile });
    expect(viaEnv).toMatchObject({ masterKeySource: 'env', masterKeyBase64: KEY });
    const viaFile = await prepareDataDir(dir, { env: {}, masterKeyFile: keyFile });
    expect(viaFile).toMatchObject({ masterKeySource: 'file', masterKeyBase64: fileKey });
    await expect(stat(join(dir, 'master.key'))).rejects.toThrow(/ENOENT/);
  });

  it('explains a key of the wrong size or format without echoing it', async () => {
    const dir = fresh();
    const short = randomBytes(16).toString('base64');
    await expect(prepareDataDir(dir, { env: { VIGIL_MASTER_KEY: short } })).rejects.toThrow(
      /VIGIL_MASTER_KEY must hold a base64-encoded 32-byte master key, but it holds 16 bytes.*openssl rand -base64 32/,
    );
    await expect(prepareDataDir(dir, { env: { VIGIL_MASTER_KEY: short } })).rejects.not.toThrow(short);
    await expect(prepareDataDir(dir, { env: { VIGIL_MASTER_KEY: 'not base64!' } })).rejects.toThrow(/text that is not base64/);
    await expect(prepareDataDir(dir, { env: { VIGIL_MASTER_KEY: '' } })).rejects.toThrow(/holds nothing/);
    await expect(prepareDataDir(dir, { env: {}, masterKeyFile: join(dir, 'missing') })).rejects.toThrow(
      /cannot read --master-key-file .*missing: ENOENT/,
    );
    await writeFile(join(dir, 'master.key'), 'garbage');
    await expect(prepareDataDir(dir, { env: {} })).rejects.toThrow(/master\.key must hold a base64-encoded 32-byte/);
  });

  it('gives concurrent first starts the same key', async () => {
    const dir = fresh();
    await mkdir(dir, { recursive: true });
    const results = await Promise.all(Array.from({ length: 8 }, () => prepareDataDir(dir, { env: {} })));
    expect(new Set(results.map((r) => r.masterKeyBase64)).size).toBe(1);
    expect(results.filter((r) => r.masterKeySource === 'generated')).toHaveLength(1);
  });
});

describe('randomAccountId', () => {
  it('is 12 digits without a leading zero', () => {
    const ids = Array.from({ length: 500 }, randomAccountId);
    for (const id of ids) expect(id).toMatch(/^[1-9]\d{11}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('client files', () => {
  it('writes credentials (0600) and config with endpoint and CA bundle', async () => {
    const dir = fresh();
    await prepareDataDir(dir, { env: { VIGIL_MASTER_KEY: KEY } });
    await writeClientFiles(dir, { ...CREDS, endpointUrl: 'https://127.0.0.1:8443' });
    const creds = await readFile(join(dir, 'credentials'), 'utf8');
    expect(creds).toBe(`[default]\naws_access_key_id = ${CREDS.accessKeyId}\naws_secret_access_key = ${CREDS.secretAccessKey}\n`);
    expect(await mode(join(dir, 'credentials'))).toBe(0o600);
    const config = readIniSection(await readFile(join(dir, 'config'), 'utf8'), 'default');
    expect(config).toEqual({ region: 'us-east-1', endpoint_url: 'https://127.0.0.1:8443', ca_bundle: join(dir, 'tls', 'ca.pem') });
  });

  it('omits ca_bundle for a publicly trusted certificate and honours region', async () => {
    const dir = fresh();
    await prepareDataDir(dir, { env: { VIGIL_MASTER_KEY: KEY } });
    await writeClientFiles(dir, { ...CREDS, endpointUrl: 'https://vigil.example.com', region: 'eu-west-2', caBundle: null });
    const config = readIniSection(await readFile(join(dir, 'config'), 'utf8'), 'default');
    expect(config).toEqual({ region: 'eu-west-2', endpoint_url: 'https://vigil.example.com' });
  });

  it('rejects values that would corrupt or inject into the INI files', async () => {
    const dir = fresh();
    await prepareDataDir(dir, { env: { VIGIL_MASTER_KEY: KEY } });
    const cases = [
      { ...CREDS, accessKeyId: 'AKIA\n[evil]', endpointUrl: 'https://h' },
      { ...CREDS, secretAccessKey: 'abc def ghi jkl mno', endpointUrl: 'https://h' },
      { ...CREDS, endpointUrl: 'https://h\nregion = x' },
      { ...CREDS, endpointUrl: 'ftp://h' },
      { ...CREDS, endpointUrl: 'https://h', region: 'US East' },
    ];
    for (const c of cases) await expect(writeClientFiles(dir, c)).rejects.toThrow(/invalid|must be an http/);
  });

  it('updateConfigEndpoint changes only the endpoint, keeps user edits, never touches credentials', async () => {
    const dir = fresh();
    await prepareDataDir(dir, { env: { VIGIL_MASTER_KEY: KEY } });
    await writeClientFiles(dir, { ...CREDS, endpointUrl: 'https://127.0.0.1:8443' });
    const credsBefore = await stat(join(dir, 'credentials'));
    const cfg = join(dir, 'config');
    await writeFile(cfg, `${await readFile(cfg, 'utf8')}output = json\n\n[profile other]\nregion = eu-west-1\n`);
    await updateConfigEndpoint(dir, 'https://127.0.0.1:40123');
    const text = await readFile(cfg, 'utf8');
    expect(readIniSection(text, 'default')).toEqual({
      region: 'us-east-1', endpoint_url: 'https://127.0.0.1:40123', ca_bundle: join(dir, 'tls', 'ca.pem'), output: 'json',
    });
    expect(readIniSection(text, 'profile other')).toEqual({ region: 'eu-west-1' });
    expect(text).toMatch(/^# Written by Vigil/);
    expect((await stat(join(dir, 'credentials'))).mtimeMs).toBe(credsBefore.mtimeMs);
  });

  it('updateConfigEndpoint creates a config when there is none', async () => {
    const dir = fresh();
    await prepareDataDir(dir, { env: { VIGIL_MASTER_KEY: KEY } });
    await updateConfigEndpoint(dir, 'https://[::1]:8443');
    const config = readIniSection(await readFile(join(dir, 'config'), 'utf8'), 'default');
    expect(config).toMatchObject({ region: 'us-east-1', endpoint_url: 'https://[::1]:8443' });
    await expect(stat(join(dir, 'credentials'))).rejects.toThrow(/ENOENT/);
  });
});

describe('setIniKeys', () => {
  it('replaces in place, drops later duplicates, removes null keys and appends new ones', () => {
    const text = '[default]\nregion = a\nendpoint_url = old\nregion = b\n\n[other]\nx = 1\n';
    expect(setIniKeys(text, 'default', { region: 'us-east-1', endpoint_url: null, ca_bundle: '/ca.pem' })).toBe(
      '[default]\nregion = us-east-1\nca_bundle = /ca.pem\n\n[other]\nx = 1\n',
    );
    expect(setIniKeys('# note\n', 'default', { a: '1' })).toBe('# note\n\n[default]\na = 1\n');
  });
});
