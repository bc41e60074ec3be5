import { createPrivateKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import type * as X509 from '@peculiar/x509';
import { readIfExists, writeFileAtomic } from '../util/files.js';

/** PEM material a TLS listener needs. `caPem` is optional so user-supplied certificates fit too. */
export interface TlsMaterial {
  certPem: string;
  keyPem: string;
  caPem?: string;
}

export interface GeneratedTls {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** What this call (re)created, so the caller can tell the operator to re-trust a new CA. */
  generated: { ca: boolean; server: boolean };
}

export interface SanName {
  type: 'dns' | 'ip';
  value: string;
}

const FILES = { ca: 'ca.pem', caKey: 'ca-key.pem', cert: 'server.pem', key: 'server-key.pem' } as const;
const DAY_MS = 86_400_000;
const CA_YEARS = 10;
// 825 days is the longest lifetime Apple platforms accept for a TLS server certificate.
const SERVER_DAYS = 825;
const RENEW_BEFORE_DAYS = 30;
// Backdated so a client whose clock runs a little behind ours still accepts a fresh certificate.
const BACKDATE_MS = 3_600_000;
const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' };
const EC_SIGN = { name: 'ECDSA', hash: 'SHA-256' };
const DEFAULT_SANS = ['localhost', '127.0.0.1', '::1'];

// --- SAN names ---------------------------------------------------------------------------------

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Classify a --tls-san value: an IP if it parses as one (brackets allowed for IPv6), else a DNS name. */
export function parseSanName(raw: string): SanName {
  const value = raw.trim().toLowerCase();
  const unbracketed = value.replace(/^\[(.*)\]$/, '$1');
  // Zone ids (fe80::1%eth0) are host-local and cannot appear in a certificate.
  if (isIP(unbracketed) && !unbracketed.includes('%')) return { type: 'ip', value: canonicalIp(unbracketed) };
  const labels = value.replace(/\.$/, '').split('.');
  const wildcardOk = labels[0] === '*' && labels.length > 2;
  const hostLabels = wildcardOk ? labels.slice(1) : labels;
  if (value.length > 253 || !hostLabels.every((l) => DNS_LABEL.test(l))) {
    throw new Error(`invalid TLS subject alternative name "${raw}": expected a DNS name or an IP address`);
  }
  return { type: 'dns', value: labels.join('.') };
}

// The URL parser gives the RFC 5952 form, so "0:0:0:0:0:0:0:1" and "::1" compare equal.
function canonicalIp(ip: string): string {
  const host = new URL(isIP(ip) === 6 ? `http://[${ip}]/` : `http://${ip}/`).hostname;
  return host.replace(/^\[(.*)\]$/, '$1');
}

function sanKey(n: SanName): string {
  return `${n.type}:${n.value}`;
}

function wantedSans(extra: string[]): SanName[] {
  const byKey = new Map<string, SanName>();
  for (const raw of [...DEFAULT_SANS, ...extra]) {
    const n = parseSanName(raw);
    byKey.set(sanKey(n), n);
  }
  return [...byKey.values()];
}

// Node renders SANs as "DNS:a, IP Address:b"; names we issue never contain ", " so a split is exact.
function certSans(cert: X509Certificate): Set<string> {
  const out = new Set<string>();
  for (const part of (cert.subjectAltName ?? '').split(', ')) {
    if (part.startsWith('DNS:')) out.add(`dns:${part.slice(4).toLowerCase()}`);
    else if (part.startsWith('IP Address:')) out.add(`ip:${canonicalIp(part.slice(11))}`);
  }
  return out;
}

function sameSans(cert: X509Certificate, wanted: SanName[]): boolean {
  const have = certSans(cert);
  return have.size === wanted.length && wanted.every((n) => have.has(sanKey(n)));
}

// --- @peculiar/x509 loading ----------------------------------------------------------------------

let x509Promise: Promise<typeof X509> | undefined;

/**
 * @peculiar/x509 pulls in tsyringe, which needs the Reflect metadata API at import time; the library is
 * imported lazily so start-ups that reuse existing certificates never load it.
 */
function loadX509(): Promise<typeof X509> {
  x509Promise ??= (async () => {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    // Peculiar's typings name DOM globals this project does not load (no "dom" lib), so they are loose.
    x509.cryptoProvider.set(webcrypto);
    return x509;
  })();
  return x509Promise;
}

// --- generation ----------------------------------------------------------------------------------

interface Pair {
  certPem: string;
  keyPem: string;
}

function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] & 0x7f) | 0x40; // positive and minimally encoded, as RFC 5280 requires
  return b.toString('hex');
}

async function newKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }) as string;
}

function pemOf(cert: X509.X509Certificate): string {
  return `${cert.toString('pem').trim()}\n`;
}

async function createCa(now: Date): Promise<Pair> {
  const x = await loadX509();
  const keys = await newKeyPair();
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_YEARS);
  const cert = await x.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    // A random suffix tells two installations' CAs apart in a trust store.
    name: `CN=Vigil Local CA ${randomBytes(4).toString('hex')}, O=Vigil`,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter,
    keys,
    signingAlgorithm: EC_SIGN,
    extensions: [
      new x.BasicConstraintsExtension(true, 0, true),
      new x.KeyUsagesExtension(x.KeyUsageFlags.keyCertSign | x.KeyUsageFlags.cRLSign, true),
      await x.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: pemOf(cert), keyPem: await pkcs8Pem(keys.privateKey) };
}

async function issueServer(ca: Pair, sans: SanName[], now: Date): Promise<Pair> {
  const x = await loadX509();
  const caCert = new x.X509Certificate(ca.certPem);
  const caDer = createPrivateKey(ca.keyPem).export({ type: 'pkcs8', format: 'der' });
  const caKey = await webcrypto.subtle.importKey('pkcs8', caDer, EC_KEY, false, ['sign']);
  const keys = await newKeyPair();
  // Never outlive the issuing CA: clients would reject the chain anyway.
  const notAfter = new Date(Math.min(now.getTime() + SERVER_DAYS * DAY_MS, caCert.notAfter.getTime()));
  const cert = await x.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: 'CN=localhost',
    issuer: caCert.subjectName,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter,
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: EC_SIGN,
    extensions: [
      new x.BasicConstraintsExtension(false, undefined, true),
      new x.KeyUsagesExtension(x.KeyUsageFlags.digitalSignature, true),
      new x.ExtendedKeyUsageExtension([x.ExtendedKeyUsage.serverAuth]),
      new x.SubjectAlternativeNameExtension(sans.map((n) => ({ type: n.type, value: n.value }))),
      await x.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certPem: pemOf(cert), keyPem: await pkcs8Pem(keys.privateKey) };
}

// --- files on disk -------------------------------------------------------------------------------


function parseCert(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function keyMatches(cert: X509Certificate, keyPem: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

function expiresSoon(cert: X509Certificate, now: Date): boolean {
  return new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS;
}

function caError(dir: string, problem: string): Error {
  return new Error(
    `TLS CA in ${dir}: ${problem}. Restore it, or delete ${FILES.ca} and ${FILES.caKey} to generate a new CA ` +
      `(clients must then trust the new ${FILES.ca}), or pass --tls-cert/--tls-key.`,
  );
}

/**
 * Clients may have installed ca.pem, so it is replaced without asking only when it was never written
 * (a first start that died midway) or is about to expire. The key may be absent (an operator can
 * remove it so nothing else gets signed); it is then only required when re-issuing.
 */
async function loadCa(dir: string, now: Date): Promise<{ certPem: string; keyPem?: string } | undefined> {
  const certPem = await readIfExists(join(dir, FILES.ca));
  if (certPem === undefined) return undefined;
  const cert = parseCert(certPem);
  if (!cert?.ca) throw caError(dir, `${FILES.ca} is not a CA certificate`);
  if (expiresSoon(cert, now)) return undefined;
  const keyPem = await readIfExists(join(dir, FILES.caKey));
  if (keyPem !== undefined && !keyMatches(cert, keyPem)) throw caError(dir, `${FILES.caKey} does not match ${FILES.ca}`);
  return { certPem, keyPem };
}

/** The server certificate is derived material: anything off about it just means "issue a new one". */
async function loadServer(dir: string, caPem: string, sans: SanName[], now: Date): Promise<Pair | undefined> {
  const certPem = await readIfExists(join(dir, FILES.cert));
  const keyPem = await readIfExists(join(dir, FILES.key));
  if (certPem === undefined || keyPem === undefined) return undefined;
  const cert = parseCert(certPem);
  if (!cert) return undefined;
  const ca = new X509Certificate(caPem);
  const usable =
    cert.checkIssued(ca) &&
    cert.verify(ca.publicKey) &&
    keyMatches(cert, keyPem) &&
    sameSans(cert, sans) &&
    new Date(cert.validFrom).getTime() <= now.getTime() &&
    !expiresSoon(cert, now);
  return usable ? { certPem, keyPem } : undefined;
}

// Key first: a crash in between leaves a cert/key mismatch, which the next start detects and repairs.
async function writePair(dir: string, certFile: string, keyFile: string, pair: Pair): Promise<void> {
  await writeFileAtomic(join(dir, keyFile), pair.keyPem, 0o600);
  await writeFileAtomic(join(dir, certFile), pair.certPem, 0o644);
}


// --- public API ----------------------------------------------------------------------------------

/**
 * Vigil's own CA and server certificate in `tlsDir`, created on first use and re-issued from the same
 * CA when the SAN list changes or the certificate is within 30 days of expiry.
 */
export async function ensureCertificates(
  tlsDir: string,
  opts: { sans: string[]; now?: Date },
): Promise<GeneratedTls> {
  const now = opts.now ?? new Date();
  const sans = wantedSans(opts.sans);
  await mkdir(tlsDir, { recursive: true, mode: 0o700 });
  const generated = { ca: false, server: false };
  let ca = await loadCa(tlsDir, now);
  if (!ca) {
    const fresh = await createCa(now);
    await writePair(tlsDir, FILES.ca, FILES.caKey, fresh);
    ca = fresh;
    generated.ca = true;
  }
  let server = generated.ca ? undefined : await loadServer(tlsDir, ca.certPem, sans, now);
  if (!server) {
    if (ca.keyPem === undefined) throw caError(tlsDir, `${FILES.caKey} is missing, so the server certificate cannot be re-issued`);
    server = await issueServer({ certPem: ca.certPem, keyPem: ca.keyPem }, sans, now);
    await writePair(tlsDir, FILES.cert, FILES.key, server);
    generated.server = true;
  }
  return { caPem: ca.certPem, certPem: server.certPem, keyPem: server.keyPem, generated };
}

// Mozilla "intermediate" minus DHE: forward secrecy and AEAD only (no CBC, no static-RSA key exchange).
// RSA-authenticated suites stay so a user-supplied RSA certificate (--tls-cert) still works.
const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const TLS12_SUITES = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];

/**
 * Options for https/tls servers. `caPem` is accepted so ensureCertificates' result can be passed as
 * is, but it is deliberately not sent: clients must already trust the root, so sending it is waste.
 */
export function tlsServerOptions(material: TlsMaterial): SecureContextOptions & { minVersion: 'TLSv1.2' } {
  return {
    cert: material.certPem,
    key: material.keyPem,
    minVersion: 'TLSv1.2',
    ciphers: [...TLS13_SUITES, ...TLS12_SUITES].join(':'),
    honorCipherOrder: true,
    ecdhCurve: 'X25519:P-256:P-384',
  };
}

async function readUserFile(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${flag} file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** Operator-supplied certificate (--tls-cert, optionally followed by its intermediates) and key. */
export async function loadUserCertificates(certPath: string, keyPath: string, now = new Date()): Promise<TlsMaterial> {
  const certPem = await readUserFile(certPath, '--tls-cert');
  const keyPem = await readUserFile(keyPath, '--tls-key');
  const cert = parseCert(certPem);
  if (!cert) throw new Error(`--tls-cert file ${certPath} does not hold a PEM certificate`);
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new Error(`--tls-key file ${keyPath} does not hold an unencrypted PEM private key`);
  }
  if (!cert.checkPrivateKey(key)) {
    throw new Error(`--tls-key file ${keyPath} is not the private key of the certificate in ${certPath}`);
  }
  if (new Date(cert.validTo).getTime() <= now.getTime()) {
    throw new Error(`--tls-cert certificate in ${certPath} expired on ${cert.validTo}`);
  }
  return { certPem, keyPem };
}
