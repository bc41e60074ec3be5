/**
 * Test harness for S3 (tests only; excluded from the build). Drives operations the way the gateway does —
 * validate, authz + engine authorization, handler — without HTTP or SigV4, with IAM beside it for users and
 * policies, and an in-memory ObjectVault (the real vault is tested by its owner).
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { StoreCredentialResolver, createRootAccessKey } from '../../auth/credentials.js';
import type { Principal } from '../../auth/types.js';
import { MasterKey } from '../../crypto/masterkey.js';
import { authorize } from '../../gateway/authorize.js';
import type { RequestContext } from '../../gateway/context.js';
import { ServiceError } from '../../protocol/errors.js';
import { protocols } from '../../protocol/index.js';
import { validateInput } from '../../protocol/validate.js';
import type { ServiceDeps } from '../../server/deps.js';
import type { StateBackend } from '../../state/types.js';
import { createIamService } from '../iam/index.js';
import type { ServiceDefinition } from '../types.js';
import { createS3Service } from './index.js';
import { createChecksum } from './vault-checksum.js';
import type { ObjectVault, VaultReadOptions, VaultWriteOptions, VaultWriteResult } from './vault-types.js';

export const ACCOUNT = '123456789012';
export const OTHER_ACCOUNT = '210987654321';
export const REGION = 'us-east-1';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Out = any;

interface StoredBlob {
  data: Buffer;
  keyArn: string;
  context: Record<string, string>;
}

/**
 * Plaintext in a Map, with just enough KMS behaviour for S3's semantics: key ARNs resolved from the id or alias,
 * the encryption context checked on read (as the envelope header would), and hooks to refuse a principal or a key.
 */
export class MemoryVault implements ObjectVault {
  readonly blobs = new Map<string, StoredBlob>();
  /** Keys that do not exist (KMS NotFoundException), by the id or alias the request names. */
  readonly missingKeys = new Set<string>();
  /** Principals (ARNs) that lack kms:Decrypt. */
  readonly noDecrypt = new Set<string>();

  keyArnOf(kmsKeyId: string | undefined, region: string, account: string): string {
    const id = kmsKeyId ?? 'alias/aws/s3';
    if (id.startsWith('arn:')) return id;
    return `arn:aws:kms:${region}:${account}:key/${id.replace(/\//g, '-')}`;
  }

  async write(source: AsyncIterable<Buffer>, opts: VaultWriteOptions): Promise<VaultWriteResult> {
    if (opts.kmsKeyId && this.missingKeys.has(opts.kmsKeyId)) {
      throw new ServiceError('NotFoundException', `Key '${opts.kmsKeyId}' does not exist`, { httpStatus: 400 });
    }
    const chunks: Buffer[] = [];
    const checksum = opts.checksumAlgorithm ? createChecksum(opts.checksumAlgorithm) : undefined;
    for await (const c of source) {
      chunks.push(c);
      checksum?.update(c);
    }
    const data = Buffer.concat(chunks);
    if (opts.expectedSize !== undefined && data.length !== opts.expectedSize) {
      throw Object.assign(new Error('length mismatch'), { name: 'ContentLengthMismatchError' });
    }
    const blobId = randomUUID();
    const keyArn = this.keyArnOf(opts.kmsKeyId, opts.region, opts.principal.accountId);
    this.blobs.set(blobId, { data, keyArn, context: { ...opts.context } });
    return { blobId, size: data.length, md5: createHash('md5').update(data).digest(), checksum: checksum?.digest(), keyArn };
  }

  async read(blobId: string, opts: VaultReadOptions): Promise<Readable> {
    const blob = this.blobs.get(blobId);
    if (!blob) throw new Error(`no blob ${blobId}`);
    if (JSON.stringify(sorted(blob.context)) !== JSON.stringify(sorted(opts.context))) {
      throw new ServiceError('InvalidCiphertextException', '', { httpStatus: 400 });
    }
    if (!blob.keyArn.endsWith('alias-aws-s3') && this.noDecrypt.has(opts.principal.arn)) {
      throw new ServiceError('AccessDeniedException', `User: ${opts.principal.arn} is not authorized to perform: kms:Decrypt on resource: ${blob.keyArn}`, { httpStatus: 400 });
    }
    const r = opts.range;
    return Readable.from([r ? blob.data.subarray(r.start, r.end + 1) : blob.data], { objectMode: false });
  }

  async delete(blobId: string): Promise<void> {
    this.blobs.delete(blobId);
  }
}

const sorted = (o: Record<string, string>): [string, string][] => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1));

export interface CallOptions {
  /** Run the operation's authz through the IAM engine first (as the gateway does). Default true. */
  authorize?: boolean;
  /** The listener the request came through (aws:SecureTransport). Default true. */
  secure?: boolean;
  region?: string;
}

export function s3ContextFor(principal: Principal, svc: ServiceDefinition, op: string, opts: CallOptions = {}): RequestContext {
  return {
    requestId: 'test-request', receivedAt: new Date(), listener: { name: 'test', secure: opts.secure ?? true }, sourceIp: '127.0.0.1',
    userAgent: 'vitest', request: { method: 'GET', path: '/', rawQuery: '', headers: { host: 'localhost' }, body: Buffer.alloc(0) },
    service: svc, protocol: protocols.restXml, operation: svc.model.operations[op], region: opts.region ?? REGION, principal,
  };
}

export interface S3Harness {
  state: StateBackend;
  deps: ServiceDeps;
  vault: MemoryVault;
  s3: ServiceDefinition;
  root: Principal;
  call(op: string, input: Record<string, unknown>, principal?: Principal, opts?: CallOptions): Promise<Out>;
  /** A user of this account with the given inline policy (if any). */
  user(name: string, policy?: object): Promise<Principal>;
  /** A principal of another account (its root, or a user with `policy`). */
  foreign(name?: string, policy?: object): Promise<Principal>;
}

export async function s3Harness(state: StateBackend): Promise<S3Harness> {
  const clock = { now: () => new Date() };
  const secrets = MasterKey.generate();
  const resolver = new StoreCredentialResolver({ state, secrets, clock });
  const log = pino({ level: 'silent' });
  const internal = { call: async () => { throw new Error('no internal calls in S3 unit tests'); } };
  const deps: ServiceDeps = { state, secrets, clock, credentials: resolver, log, internal };
  const principalOf = async (akid: string): Promise<Principal> => (await resolver.resolve(akid))!.principal;
  const rootOf = async (account: string) => principalOf((await createRootAccessKey(deps, account)).accessKeyId);
  const root = await rootOf(ACCOUNT);
  const iam = createIamService(deps);
  const vault = new MemoryVault();
  const s3 = createS3Service(deps, vault);
  const makeUser = async (owner: Principal, name: string, policy?: object): Promise<Principal> => {
    const iamCall = (op: string, input: Record<string, unknown>) => invoke(iam, op, input, owner, { authorize: false });
    await iamCall('CreateUser', { UserName: name });
    if (policy) await iamCall('PutUserPolicy', { UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) });
    return principalOf((await iamCall('CreateAccessKey', { UserName: name })).AccessKey.AccessKeyId);
  };
  let other: Principal | undefined;
  return {
    state, deps, vault, s3, root,
    call: (op, input, principal = root, opts) => invoke(s3, op, input, principal, opts),
    user: (name, policy) => makeUser(root, name, policy),
    foreign: async (name, policy) => {
      other ??= await rootOf(OTHER_ACCOUNT);
      return name ? makeUser(other, name, policy) : other;
    },
  };
}

async function invoke(svc: ServiceDefinition, op: string, input: Record<string, unknown>, principal: Principal, opts: CallOptions = {}): Promise<Out> {
  const impl = svc.operations[op];
  if (!impl) throw new Error(`${svc.name} has no operation ${op}`);
  const ctx = s3ContextFor(principal, svc, op, opts);
  const family = ctx.protocol!.errorFamily;
  // Streaming bodies are not model values; everything else is validated as the gateway validates it.
  const { Body: _body, ...checked } = input;
  validateInput(svc.model, ctx.operation!, checked, family);
  if (opts.authorize !== false && !impl.alwaysAllowed) {
    const req = await impl.authz(input, ctx);
    authorize(ctx, principal, req, req.action ?? `${svc.actionPrefix}:${op}`, new Date());
  }
  return impl.handler(input, ctx);
}

/** A request body as the gateway hands it over: an async iterable of chunks. */
export function body(data: string | Buffer, chunk = 7): AsyncIterable<Buffer> {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return (async function* chunks() {
    for (let i = 0; i < buf.length; i += chunk) yield buf.subarray(i, i + chunk);
  })();
}

export async function readAll(stream: AsyncIterable<Buffer | Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

export const md5Base64 = (data: string | Buffer): string => createHash('md5').update(data).digest('base64');
export const md5Hex = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');

/** Awaits a rejection and checks its S3 error code (and message). */
export async function expectError(p: Promise<unknown>, code: string, message?: string | RegExp): Promise<ServiceError> {
  const err = await p.then(() => undefined, (e: unknown) => e as ServiceError);
  if (!err) throw new Error(`expected ${code}, but the call succeeded`);
  if (err.code !== code) throw new Error(`expected ${code}, got ${err.code}: ${err.message}`);
  if (typeof message === 'string' && err.message !== message) throw new Error(`expected message "${message}", got "${err.message}"`);
  if (message instanceof RegExp && !message.test(err.message)) throw new Error(`expected message ${message}, got "${err.message}"`);
  return err;
}
