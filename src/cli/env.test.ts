import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from './args.js';
import { updateConfigEndpoint, writeClientFiles } from './datadir.js';
import { envLines, shellQuote } from './env.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "vigil env 'q' "));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const CREDS = { accessKeyId: 'AKIAVIGILTEST0000001', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** Runs the lines in a real shell and reads back the resulting environment. */
function evalInShell(lines: string[]): Record<string, string> {
  const script = `${lines.join('\n')}\nenv -0`;
  const out = execFileSync('/bin/sh', ['-c', script], { env: { PATH: process.env.PATH, AWS_ACCESS_KEY_ID: 'AKIAREALAWSKEY' } });
  return Object.fromEntries(
    out.toString().split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

describe('envLines', () => {
  it('points clients at the data dir with absolute, shell-safe paths', async () => {
    const dir = join(root, 'data');
    await mkdir(dir);
    await writeClientFiles(dir, { ...CREDS, endpointUrl: 'https://127.0.0.1:8443' });
    const lines = envLines(relative(process.cwd(), dir));
    const ca = join(dir, 'tls', 'ca.pem');
    expect(lines).toEqual([
      'unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN',
      `export AWS_SHARED_CREDENTIALS_FILE=${shellQuote(join(dir, 'credentials'))}`,
      `export AWS_CONFIG_FILE=${shellQuote(join(dir, 'config'))}`,
      `export AWS_CA_BUNDLE=${shellQuote(ca)}`,
      `export NODE_EXTRA_CA_CERTS=${shellQuote(ca)}`,
      "export AWS_ENDPOINT_URL='https://127.0.0.1:8443'",
      'export AWS_REGION=us-east-1',
      'export AWS_DEFAULT_REGION=us-east-1',
      'export AWS_PROFILE=default',
    ]);
    const env = evalInShell(lines);
    expect(env.AWS_SHARED_CREDENTIALS_FILE).toBe(join(dir, 'credentials'));
    expect(env.AWS_CA_BUNDLE).toBe(ca);
    expect(env.AWS_ENDPOINT_URL).toBe('https://127.0.0.1:8443');
    expect(env.AWS_ACCESS_KEY_ID).toBeUndefined();
  });

  it('follows the endpoint recorded by the last start, unless one is given', async () => {
    const dir = join(root, 'moving');
    await mkdir(dir);
    await updateConfigEndpoint(dir, 'https://127.0.0.1:40001');
    expect(envLines(dir)).toContain("export AWS_ENDPOINT_URL='https://127.0.0.1:40001'");
    expect(envLines(dir, 'https://[::1]:9443')).toContain("export AWS_ENDPOINT_URL='https://[::1]:9443'");
  });

  it('omits the CA lines when the config names no CA bundle (publicly trusted certificate)', async () => {
    const dir = join(root, 'public');
    await mkdir(dir);
    await writeClientFiles(dir, { ...CREDS, endpointUrl: 'https://vigil.example.com', region: 'eu-west-1', caBundle: null });
    const lines = envLines(dir);
    expect(lines.some((l) => l.includes('CA'))).toBe(false);
    expect(lines).toContain('export AWS_REGION=eu-west-1');
  });

  it('without a config uses the given endpoint and the default CA path, and refuses to guess one', async () => {
    const dir = join(root, 'empty');
    await mkdir(dir);
    expect(envLines(dir, 'https://h:1')).toContain(`export AWS_CA_BUNDLE=${shellQuote(join(dir, 'tls', 'ca.pem'))}`);
    expect(() => envLines(dir)).toThrow(UsageError);
    expect(() => envLines(dir)).toThrow(/no endpoint recorded in .*config; run 'vigil serve --data-dir/);
  });
});

describe('shellQuote', () => {
  it('survives quotes, spaces and metacharacters', () => {
    const nasty = `it's $(rm -rf /) "x" \`y\` \\ ; & |`;
    expect(evalInShell([`export V=${shellQuote(nasty)}`]).V).toBe(nasty);
  });
});
