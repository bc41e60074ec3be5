/**
 * Test-only helpers for the SigV4 tests: reading the aws-c-auth suite and turning requests into
 * the gateway's HttpRequest shape. No test-framework or dev-dependency imports, so it type-checks
 * and builds like any other module.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpRequest } from '../protocol/types.js';
import type { ResolvedCredential } from './types.js';

/** The suite folder: next to the repo (../../../shared from src/auth), else $VIGIL_SHARED_DIR/specs. */
export function suiteDir(): string {
  const relative = fileURLToPath(new URL('../../../shared/specs/sigv4-test-suite/', import.meta.url));
  if (existsSync(relative)) return relative;
  const shared = process.env.VIGIL_SHARED_DIR;
  if (shared && existsSync(join(shared, 'specs/sigv4-test-suite'))) return join(shared, 'specs/sigv4-test-suite');
  throw new Error(`SigV4 test suite not found at ${relative}; set VIGIL_SHARED_DIR`);
}

export function suiteCases(): string[] {
  const dir = suiteDir();
  return readdirSync(dir).filter((name) => statSync(join(dir, name)).isDirectory()).sort();
}

export interface SuiteContext {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  expiration_in_seconds: number;
  normalize: boolean;
  region: string;
  service: string;
  sign_body: boolean;
  timestamp: string;
  omit_session_token?: boolean;
}

/** A case file's exact text (no trimming: the expected files have no trailing newline on purpose). */
export function readCaseFile(name: string, file: string): string | undefined {
  const path = join(suiteDir(), name, file);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

export function readContext(name: string): SuiteContext {
  return JSON.parse(readCaseFile(name, 'context.json') ?? 'null') as SuiteContext;
}

/**
 * Parses a suite request file: request line, `Name:value` headers (lines starting with whitespace
 * continue the previous value), blank line, body. The path stays as written (the suite gives it
 * unencoded); repeated headers are joined with ',' as HttpRequest documents.
 */
export function parseRawRequest(text: string): HttpRequest {
  const split = text.indexOf('\n\n');
  const head = split < 0 ? text.replace(/\n$/, '') : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 2);
  const [requestLine, ...lines] = head.split('\n');
  const method = requestLine.slice(0, requestLine.indexOf(' '));
  const target = requestLine.slice(method.length + 1, requestLine.lastIndexOf(' '));
  const q = target.indexOf('?');
  const headers: Record<string, string> = {};
  let last = '';
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      headers[last] += '\n' + line;
      continue;
    }
    const colon = line.indexOf(':');
    last = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1);
    headers[last] = last in headers ? headers[last] + ',' + value : value;
  }
  return {
    method,
    path: q < 0 ? target : target.slice(0, q),
    rawQuery: q < 0 ? '' : target.slice(q + 1),
    headers,
    body: Buffer.from(body, 'utf8'),
  };
}

/** RFC 3986 component encoding as the AWS SDK writes query strings (escapeUri). */
export function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** The parts of a smithy HttpRequest the wire conversion needs (structural, to avoid the dev dependency). */
export interface SignedSdkRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** What the gateway would see for a request the SDK signed: lower-cased headers, wire query, raw path. */
export function toWire(signed: SignedSdkRequest): HttpRequest {
  const query: string[] = [];
  for (const [k, v] of Object.entries(signed.query ?? {})) {
    if (v === null) query.push(escapeUri(k));
    else for (const one of Array.isArray(v) ? v : [v]) query.push(escapeUri(k) + '=' + escapeUri(one));
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = v;
  const body = signed.body;
  return {
    method: signed.method,
    path: signed.path,
    rawQuery: query.join('&'),
    headers,
    // Anything else (a stream) is modelled as an empty body; tests set one explicitly if they need it.
    body: typeof body === 'string' || body instanceof Uint8Array ? Buffer.from(body) : Buffer.alloc(0),
  };
}

export function credential(over: Partial<ResolvedCredential> = {}): ResolvedCredential {
  return {
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    status: 'Active',
    principal: {
      type: 'User',
      arn: 'arn:aws:iam::123456789012:user/test',
      accountId: '123456789012',
      userId: 'AIDAEXAMPLE',
      tags: {},
      identityPolicies: [],
    },
    ...over,
  };
}
