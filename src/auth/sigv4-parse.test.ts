import { describe, it, expect } from 'vitest';
import type { HttpRequest } from '../protocol/types.js';
import { SigV4Error } from './types.js';
import { parseSigV4 } from './sigv4.js';
import { formatIsoBasic, signingTime } from './sigv4-parse.js';

const SIG = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';
const CRED = 'AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request';
const DATE = '20150830T123600Z';

function req(headers: Record<string, string>, rawQuery = ''): HttpRequest {
  return { method: 'GET', path: '/', rawQuery, headers: { host: 'example.amazonaws.com', ...headers }, body: Buffer.alloc(0) };
}

function auth(value: string, extra: Record<string, string> = { 'x-amz-date': DATE }): HttpRequest {
  return req({ authorization: value, ...extra });
}

function parseError(r: HttpRequest): SigV4Error {
  try {
    parseSigV4(r);
  } catch (e) {
    if (e instanceof SigV4Error) return e;
    throw e;
  }
  throw new Error('parseSigV4 did not throw');
}

const query = (params: Record<string, string>) =>
  Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');

const PRESIGN = {
  'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
  'X-Amz-Credential': CRED,
  'X-Amz-Date': DATE,
  'X-Amz-Expires': '3600',
  'X-Amz-SignedHeaders': 'host',
  'X-Amz-Signature': SIG,
};

describe('parseSigV4: finding the carrier', () => {
  it('returns undefined for anonymous requests, including unrelated X-Amz-* query parameters', () => {
    expect(parseSigV4(req({}))).toBeUndefined();
    expect(parseSigV4(req({}, 'Action=ListUsers&Version=2010-05-08'))).toBeUndefined();
    expect(parseSigV4(req({}, 'X-Amz-Date=20150830T123600Z&X-Amz-Meta=1'))).toBeUndefined();
  });

  it('parses the header the SDK writes', () => {
    const c = parseSigV4(auth(`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host;x-amz-date, Signature=${SIG}`));
    expect(c).toEqual({
      presigned: false,
      accessKeyId: 'AKIDEXAMPLE',
      date: '20150830',
      region: 'us-east-1',
      service: 'iam',
      terminator: 'aws4_request',
      signedHeaders: ['host', 'x-amz-date'],
      signature: SIG,
      amzDate: DATE,
      securityToken: undefined,
    });
  });

  it('is tolerant of spacing and lower-cases and sorts SignedHeaders', () => {
    const c = parseSigV4(auth(`AWS4-HMAC-SHA256  \tCredential=${CRED},SignedHeaders=X-Amz-Date;Host ,  Signature=${SIG}`));
    expect(c?.signedHeaders).toEqual(['host', 'x-amz-date']);
    expect(c?.signature).toBe(SIG);
  });

  it('takes the session token from the header, and the date from `Date` when X-Amz-Date is absent', () => {
    const c = parseSigV4(
      auth(`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=date;host, Signature=${SIG}`, {
        date: 'Sun, 30 Aug 2015 12:36:00 GMT',
        'x-amz-security-token': 'tok',
      }),
    );
    expect(c?.amzDate).toBe('Sun, 30 Aug 2015 12:36:00 GMT');
    expect(c?.securityToken).toBe('tok');
  });

  it('parses presigned query parameters (decoded), with the token', () => {
    const c = parseSigV4(req({}, `a=1&${query({ ...PRESIGN, 'X-Amz-Security-Token': 'to/k+en=' })}`));
    expect(c).toMatchObject({ presigned: true, accessKeyId: 'AKIDEXAMPLE', service: 'iam', expiresSeconds: 3600, securityToken: 'to/k+en=' });
  });
});

describe('parseSigV4: malformed input → IncompleteSignature', () => {
  it('a parameter without an equal sign, with AWS text', () => {
    const header = `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders, Signature=${SIG}`;
    const e = parseError(auth(header));
    expect(e.kind).toBe('incomplete');
    expect(e.message).toBe(`'SignedHeaders' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`);
  });

  it('missing parameters are all reported, in AWS order, with the header echoed', () => {
    expect(parseError(auth('AWS4-HMAC-SHA256 ', {})).message).toBe(
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
        'Authorization=AWS4-HMAC-SHA256 ',
    );
    expect(parseError(auth(`AWS4-HMAC-SHA256 SignedHeaders=host, Signature=${SIG}`)).message).toMatch(
      /^Authorization header requires 'Credential' parameter\. Authorization=/,
    );
    expect(parseError(auth(`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host, Signature=`)).message).toMatch(
      /^Authorization header requires 'Signature' parameter\./,
    );
  });

  it('no date at all', () => {
    expect(parseError(auth(`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host, Signature=${SIG}`, {})).message).toMatch(
      /^Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header\./,
    );
  });

  it.each([
    ['too few parts', 'AKIDEXAMPLE/20150830/us-east-1/aws4_request'],
    ['too many parts', 'AKIDEXAMPLE/20150830/us-east-1/iam/x/aws4_request'],
    ['an empty part', 'AKIDEXAMPLE//us-east-1/iam/aws4_request'],
    ['no slashes', 'AKIDEXAMPLE'],
  ])('a credential with %s', (_, cred) => {
    const e = parseError(auth(`AWS4-HMAC-SHA256 Credential=${cred}, SignedHeaders=host, Signature=${SIG}`));
    expect(e.kind).toBe('incomplete');
    expect(e.message).toMatch(/^Credential is mal-formed/);
  });

  it.each([
    ['SigV2', 'AWS AKIDEXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg='],
    ['another algorithm', `AWS4-HMAC-SHA1 Credential=${CRED}, SignedHeaders=host, Signature=${SIG}`],
    ['SigV4a', `AWS4-ECDSA-P256-SHA256 Credential=${CRED}, SignedHeaders=host, Signature=${SIG}`],
    ['a bearer token', 'Bearer abc.def'],
    ['garbage', '%%%'],
    ['an empty header', ''],
  ])('an unsupported algorithm: %s', (_, header) => {
    const e = parseError(auth(header));
    expect(e.kind).toBe('incomplete');
    expect(e.message).toMatch(/^Unsupported AWS 'algorithm'/);
  });

  it('a duplicated parameter', () => {
    expect(parseError(auth(`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host, Signature=${SIG}, Signature=${SIG}`)).kind).toBe('incomplete');
  });

  it('an empty SignedHeaders list', () => {
    expect(parseError(auth(`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=;, Signature=${SIG}`)).kind).toBe('incomplete');
  });

  it('a date that is not ISO-8601 basic format', () => {
    const header = `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host, Signature=${SIG}`;
    for (const bad of ['2015-08-30T12:36:00Z', '20150830T123600', '20151330T123600Z', '20150230T123600Z', '20150830T243600Z', 'yesterday']) {
      expect(parseError(auth(header, { 'x-amz-date': bad })).message).toMatch(/^Date must be in ISO-8601 'basic format'/);
    }
  });

  it('header and query auth at once', () => {
    const r = req({ authorization: `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host, Signature=${SIG}`, 'x-amz-date': DATE }, query(PRESIGN));
    expect(parseError(r).message).toMatch(/^Only one auth mechanism allowed/);
  });

  it('presigned URLs missing a required parameter', () => {
    for (const key of Object.keys(PRESIGN).filter((k) => k !== 'X-Amz-Algorithm')) {
      const params: Record<string, string> = { ...PRESIGN };
      delete params[key];
      expect(parseError(req({}, query(params))).message).toMatch(/^Query-string authentication version 4 requires/);
    }
  });

  it('presigned URLs with a bad algorithm, non-numeric expiry, repeated signature or bad escapes', () => {
    expect(parseError(req({}, query({ ...PRESIGN, 'X-Amz-Algorithm': 'AWS4-HMAC-SHA1' }))).message).toMatch(/^X-Amz-Algorithm only supports/);
    expect(parseError(req({}, query({ ...PRESIGN, 'X-Amz-Expires': '-1' }))).message).toBe('X-Amz-Expires should be a number');
    expect(parseError(req({}, query({ ...PRESIGN, 'X-Amz-Expires': '1e3' }))).kind).toBe('incomplete');
    expect(parseError(req({}, `${query(PRESIGN)}&X-Amz-Signature=${SIG}`)).kind).toBe('incomplete');
    expect(parseError(req({}, `${query(PRESIGN)}&X-Amz-Security-Token=%E0%A4%A`)).kind).toBe('incomplete');
  });
});

describe('signing time', () => {
  it('reads ISO-8601 basic and HTTP dates, and prints basic format', () => {
    expect(signingTime(DATE)).toEqual({ iso: DATE, ms: Date.UTC(2015, 7, 30, 12, 36, 0) });
    expect(signingTime('Sun, 30 Aug 2015 12:36:00 GMT')).toEqual({ iso: DATE, ms: Date.UTC(2015, 7, 30, 12, 36, 0) });
    expect(signingTime('2015-08-30')).toBeUndefined();
    expect(formatIsoBasic(Date.UTC(2018, 8, 20, 17, 50, 4, 999))).toBe('20180920T175004Z');
  });
});
