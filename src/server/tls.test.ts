import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCertificates, loadUserCertificates, parseSanName, tlsServerOptions, type GeneratedTls } from './tls.js';

const DAY = 86_400_000;
let root: string;
let n = 0;
const freshDir = () => join(root, `tls-${n++}`);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vigil-tls-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('parseSanName', () => {
  it('classifies IPs (canonical form, brackets allowed) and DNS names', () => {
    expect(parseSanName('10.0.0.5')).toEqual({ type: 'ip', value: '10.0.0.5' });
    expect(parseSanName('[0:0:0:0:0:0:0:1]')).toEqual({ type: 'ip', value: '::1' });
    expect(parseSanName('Vigil.Example.COM')).toEqual({ type: 'dns', value: 'vigil.example.com' });
    expect(parseSanName('*.svc.local')).toEqual({ type: 'dns', value: '*.svc.local' });
  });
  it('rejects what is neither', () => {
    for (const bad of ['', 'a b', '-lead.example', 'x..y', '*.com', 'a,b', 'fe80::1%eth0']) {
      expect(() => parseSanName(bad), bad).toThrow(/invalid TLS subject alternative name/);
    }
  });
});

describe('ensureCertificates', () => {
  let dir: string;
  let first: GeneratedTls;
  beforeAll(async () => {
    dir = freshDir();
    first = await ensureCertificates(dir, { sans: ['vigil.internal', '10.1.2.3'] });
  });

  it('creates a CA and a server certificate that chains to it', () => {
    expect(first.generated).toEqual({ ca: true, server: true });
    const ca = new X509Certificate(first.caPem);
    const server = new X509Certificate(first.certPem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toMatch(/CN=Vigil Local CA [0-9a-f]{8}/);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkPrivateKey(createPrivateKey(first.keyPem))).toBe(true);
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(server.subjectAltName?.split(', ').sort()).toEqual(
      ['DNS:localhost', 'DNS:vigil.internal', 'IP Address:0:0:0:0:0:0:0:1', 'IP Address:10.1.2.3', 'IP Address:127.0.0.1'].sort(),
    );
    const days = (new Date(server.validTo).getTime() - Date.now()) / DAY;
    expect(days).toBeGreaterThan(824);
    expect(days).toBeLessThan(826);
    expect(createPrivateKey(first.keyPem).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('passes OpenSSL chain verification with the expected extensions', async () => {
    const caText = execFileSync('openssl', ['x509', '-noout', '-text'], { input: first.caPem }).toString();
    expect(caText).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(caText).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    const srvText = execFileSync('openssl', ['x509', '-noout', '-text'], { input: first.certPem }).toString();
    expect(srvText).toMatch(/Key Usage: critical\s+Digital Signature/);
    expect(srvText).toMatch(/X509v3 Authority Key Identifier/);
    expect(srvText).toMatch(/Public-Key: \(256 bit\)/);
    const out = execFileSync('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', join(dir, 'ca.pem'), join(dir, 'server.pem')]);
    expect(out.toString()).toContain('OK');
  });

  it('writes PKCS#8 keys with mode 0600', async () => {
    for (const f of ['ca-key.pem', 'server-key.pem']) {
      const text = await readFile(join(dir, f), 'utf8');
      expect(text).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect((await stat(join(dir, f))).mode & 0o777).toBe(0o600);
    }
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await readFile(join(dir, 'server.pem'), 'utf8')).toBe(first.certPem);
  });

  it('reuses everything when nothing changed (SAN order and spelling do not matter)', async () => {
    const again = await ensureCertificates(dir, { sans: ['10.1.2.3', 'VIGIL.internal', 'localhost'] });
    expect(again.generated).toEqual({ ca: false, server: false });
    expect(again.certPem).toBe(first.certPem);
  });
});

describe('re-issue', () => {
  it('re-issues the server certificate from the same CA when the SANs change', async () => {
    const dir = freshDir();
    const a = await ensureCertificates(dir, { sans: [] });
    const b = await ensureCertificates(dir, { sans: ['api.example.test'] });
    expect(b.generated).toEqual({ ca: false, server: true });
    expect(b.caPem).toBe(a.caPem);
    expect(b.certPem).not.toBe(a.certPem);
    expect(new X509Certificate(b.certPem).subjectAltName).toContain('DNS:api.example.test');
    expect(new X509Certificate(b.certPem).verify(new X509Certificate(a.caPem).publicKey)).toBe(true);
    expect((await stat(join(dir, 'server-key.pem'))).mode & 0o777).toBe(0o600);
  });

  it('re-issues a server certificate within 30 days of expiry', async () => {
    const dir = freshDir();
    const old = await ensureCertificates(dir, { sans: [], now: new Date(Date.now() - 800 * DAY) });
    const b = await ensureCertificates(dir, { sans: [] });
    expect(b.generated).toEqual({ ca: false, server: true });
    expect(b.caPem).toBe(old.caPem);
  });

  it('replaces a CA within 30 days of expiry, and the server certificate with it', async () => {
    const dir = freshDir();
    const old = await ensureCertificates(dir, { sans: [], now: new Date(Date.now() - 3645 * DAY) });
    const b = await ensureCertificates(dir, { sans: [] });
    expect(b.generated).toEqual({ ca: true, server: true });
    expect(b.caPem).not.toBe(old.caPem);
    expect(new X509Certificate(b.certPem).verify(new X509Certificate(b.caPem).publicKey)).toBe(true);
  });

  it('never issues a server certificate that outlives its CA', async () => {
    const dir = freshDir();
    const old = await ensureCertificates(dir, { sans: [], now: new Date(Date.now() - 3000 * DAY) });
    const b = await ensureCertificates(dir, { sans: [] });
    expect(b.generated).toEqual({ ca: false, server: true });
    expect(new X509Certificate(b.certPem).validTo).toBe(new X509Certificate(old.caPem).validTo);
  });

  it('repairs a server key that no longer matches its certificate', async () => {
    const dir = freshDir();
    await ensureCertificates(dir, { sans: [] });
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    await writeFile(join(dir, 'server-key.pem'), other);
    const b = await ensureCertificates(dir, { sans: [] });
    expect(b.generated.server).toBe(true);
    expect(new X509Certificate(b.certPem).checkPrivateKey(createPrivateKey(b.keyPem))).toBe(true);
  });

  it('refuses to replace a CA whose key does not match, and needs the CA key only to re-issue', async () => {
    const dir = freshDir();
    await ensureCertificates(dir, { sans: [] });
    await unlink(join(dir, 'ca-key.pem'));
    expect((await ensureCertificates(dir, { sans: [] })).generated).toEqual({ ca: false, server: false });
    await expect(ensureCertificates(dir, { sans: ['new.name'] })).rejects.toThrow(/ca-key\.pem is missing/);
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    await writeFile(join(dir, 'ca-key.pem'), other);
    await expect(ensureCertificates(dir, { sans: [] })).rejects.toThrow(/does not match/);
  });
});

describe('tlsServerOptions', () => {
  let material: GeneratedTls;
  let server: https.Server;
  let port: number;
  beforeAll(async () => {
    material = await ensureCertificates(freshDir(), { sans: [] });
    server = https.createServer(tlsServerOptions(material), (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  const handshake = (opts: tls.ConnectionOptions) =>
    new Promise<{ protocol: string | null; cipher: string }>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port, ca: material.caPem, ...opts }, () => {
        resolve({ protocol: s.getProtocol(), cipher: s.getCipher().name });
        s.end();
      });
      s.on('error', reject);
    });

  it('accepts TLS 1.3 and TLS 1.2 clients that trust the CA (by IP and by name)', async () => {
    expect((await handshake({ minVersion: 'TLSv1.3' })).protocol).toBe('TLSv1.3');
    const v12 = await handshake({ maxVersion: 'TLSv1.2', servername: 'localhost' });
    expect(v12.protocol).toBe('TLSv1.2');
    expect(v12.cipher).toMatch(/^ECDHE-ECDSA-(AES128-GCM|AES256-GCM|CHACHA20)/);
  });

  it('serves HTTPS to a client trusting the CA', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      https.get({ host: 'localhost', port, ca: material.caPem, agent: false }, (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () => resolve(data));
      }).on('error', reject);
    });
    expect(body).toBe('ok');
  });

  it('rejects TLS 1.1, CBC-only clients and clients that do not trust the CA', async () => {
    await expect(handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).rejects.toThrow(
      /alert protocol version/i, // refused by the server, not by the client's own policy
    );
    await expect(handshake({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA' })).rejects.toThrow(
      /handshake failure|no shared cipher/i,
    );
    await expect(handshake({ ca: undefined })).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
  });
});

describe('loadUserCertificates', () => {
  it('loads a matching pair and rejects unreadable, mismatched or expired material', async () => {
    const dir = freshDir();
    const a = await ensureCertificates(join(dir, 'a'), { sans: [] });
    const b = await ensureCertificates(join(dir, 'b'), { sans: [] });
    const cert = join(dir, 'a', 'server.pem');
    const key = join(dir, 'a', 'server-key.pem');
    expect(await loadUserCertificates(cert, key)).toEqual({ certPem: a.certPem, keyPem: a.keyPem });
    await expect(loadUserCertificates(join(dir, 'nope.pem'), key)).rejects.toThrow(/cannot read --tls-cert file .*ENOENT/);
    await expect(loadUserCertificates(cert, join(dir, 'b', 'server-key.pem'))).rejects.toThrow(/is not the private key/);
    await expect(loadUserCertificates(key, key)).rejects.toThrow(/does not hold a PEM certificate/);
    await expect(loadUserCertificates(cert, cert)).rejects.toThrow(/does not hold an unencrypted PEM private key/);
    await expect(loadUserCertificates(cert, key, new Date(Date.now() + 900 * DAY))).rejects.toThrow(/expired/);
    expect(b.caPem).not.toBe(a.caPem);
  });
});
