/**
 * Test-only: requests signed by the real client-side signer (@smithy/signature-v4, what @aws-sdk/*
 * uses), converted to what the gateway sees, plus a verify shorthand. Imported by tests only.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import type { HttpRequest as SdkHttpRequest } from '@smithy/types';
import type { HttpRequest } from '../protocol/types.js';
import { SigV4Error, type SigV4FailureKind } from './types.js';
import { parseSigV4, verifySigV4, type VerifyOptions } from './sigv4.js';
import { credential, toWire } from './sigv4-test-helpers.js';

export const NOW = new Date('2024-05-01T10:00:00Z');
export const AKID = 'AKIAIOSFODNN7EXAMPLE';
export const ASIA = 'ASIAIOSFODNN7EXAMPLE';
export const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
export const TOKEN = 'IQoJb3JpZ2luX2VjEPT//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+token/with+base64==';
export const HOST = 'runtime.sagemaker.us-east-1.amazonaws.com';

export interface SignerOpts {
  sessionToken?: string;
  uriEscapePath?: boolean;
  applyChecksum?: boolean;
  service?: string;
  secret?: string;
}

export function signer(o: SignerOpts = {}): SignatureV4 {
  return new SignatureV4({
    credentials: { accessKeyId: o.sessionToken ? ASIA : AKID, secretAccessKey: o.secret ?? SECRET, sessionToken: o.sessionToken },
    region: 'us-east-1',
    service: o.service ?? 'sagemaker',
    sha256: Sha256,
    uriEscapePath: o.uriEscapePath ?? true,
    // The SDK default (true) adds and signs x-amz-content-sha256; the AWS CLI does not send it.
    applyChecksum: o.applyChecksum ?? false,
  });
}

/** An InvokeEndpoint-shaped request (restJson, small JSON body), before signing. */
export function sdkRequest(over: Partial<SdkHttpRequest> = {}): SdkHttpRequest {
  return {
    method: 'POST',
    protocol: 'https:',
    hostname: HOST,
    path: '/endpoints/my-endpoint/invocations',
    query: {},
    headers: { host: HOST, 'content-type': 'application/json', accept: 'application/json' },
    body: '{"instances":[[1,2,3]]}',
    ...over,
  };
}

export async function signed(req: SdkHttpRequest, o: SignerOpts = {}, signingDate = NOW): Promise<HttpRequest> {
  return toWire((await signer(o).sign(req, { signingDate })) as SdkHttpRequest);
}

export async function presigned(req: SdkHttpRequest, o: SignerOpts = {}, expiresIn = 600, signingDate = NOW): Promise<HttpRequest> {
  return toWire(await signer(o).presign(req, { signingDate, expiresIn }));
}

/** parseSigV4 + verifySigV4 against the test credential (temporary when a token is given). */
export function verify(req: HttpRequest, opts: Partial<VerifyOptions> = {}, sessionToken?: string): void {
  const carrier = parseSigV4(req);
  if (!carrier) throw new Error('request carries no SigV4');
  const cred = credential({ accessKeyId: carrier.accessKeyId, secretAccessKey: SECRET, sessionToken });
  verifySigV4(req, carrier, cred, { now: NOW, skewSeconds: 300, ...opts });
}

/** The SigV4Error thrown by fn (its kind and message), or undefined when it passed. */
export function failure(fn: () => void): { kind: SigV4FailureKind; message: string } | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof SigV4Error) return { kind: e.kind, message: e.message };
    throw e;
  }
  return undefined;
}

export function failureKind(fn: () => void): SigV4FailureKind | undefined {
  return failure(fn)?.kind;
}
