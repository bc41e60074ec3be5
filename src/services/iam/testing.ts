/**
 * Test harness for the IAM and STS providers (tests only; excluded from the build). Drives operations the way the
 * gateway does — validate, authz + engine authorization, handler, awsQuery encoding — without HTTP or SigV4.
 */
import { pino } from 'pino';
import { StoreCredentialResolver, createRootAccessKey } from '../../auth/credentials.js';
import type { Principal } from '../../auth/types.js';
import { MasterKey } from '../../crypto/masterkey.js';
import { authorize } from '../../gateway/authorize.js';
import type { RequestContext } from '../../gateway/context.js';
import { protocols } from '../../protocol/index.js';
import { validateInput } from '../../protocol/validate.js';
import type { ServiceDeps } from '../../server/deps.js';
import type { StateBackend } from '../../state/types.js';
import { createStsService } from '../sts/index.js';
import type { ServiceDefinition } from '../types.js';
import { createIamService } from './index.js';

export const ACCOUNT = '123456789012';

export class TestClock {
  constructor(public current = new Date('2026-01-01T00:00:00Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

/** Outputs as tests read them: whatever the operation returned, inspected field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on output shapes dynamically
type Output = any;

export interface CallOptions {
  /** Run the operation's authz through the IAM engine first (as the gateway does). Default true. */
  authorize?: boolean;
  sourceIp?: string;
}

export interface Harness {
  state: StateBackend;
  deps: ServiceDeps;
  clock: TestClock;
  resolver: StoreCredentialResolver;
  iam: ServiceDefinition;
  sts: ServiceDefinition;
  root: Principal;
  rootKey: { accessKeyId: string; secretAccessKey: string };
  /** An IAM user `admin` with AdministratorAccess (root may not assume roles), created on first use. */
  admin(): Promise<Principal>;
  /** Calls IAM as `principal` (root by default). */
  iamCall(op: string, input: Record<string, unknown>, principal?: Principal, opts?: CallOptions): Promise<Output>;
  stsCall(op: string, input: Record<string, unknown>, principal: Principal, opts?: CallOptions): Promise<Output>;
  /** The principal the resolver builds for an access key id. */
  principalOf(accessKeyId: string): Promise<Principal>;
}

export function testContext(principal: Principal, service: ServiceDefinition, op: string, sourceIp = '127.0.0.1'): RequestContext {
  return {
    requestId: 'test-request', receivedAt: new Date(), listener: { name: 'test', secure: true }, sourceIp, userAgent: 'vitest',
    request: { method: 'POST', path: '/', rawQuery: '', headers: {}, body: Buffer.alloc(0) },
    service, protocol: protocols.awsQuery, operation: service.model.operations[op], region: 'us-east-1', principal,
    accessKeyId: principal.accessKeyId,
  };
}

async function invoke(h: { clock: TestClock }, svc: ServiceDefinition, op: string, input: Record<string, unknown>, principal: Principal, opts: CallOptions = {}): Promise<Output> {
  const impl = svc.operations[op];
  if (!impl) throw new Error(`${svc.name} has no operation ${op}`);
  const ctx = testContext(principal, svc, op, opts.sourceIp);
  ctx.input = input;
  validateInput(svc.model, ctx.operation!, input, 'query');
  if (opts.authorize !== false && !impl.alwaysAllowed) {
    const req = await impl.authz(input, ctx);
    authorize(ctx, principal, req, req.action ?? `${svc.actionPrefix}:${op}`, h.clock.now());
  }
  const output = await impl.handler(input, ctx);
  // Every output must survive the real awsQuery encoder (shapes, timestamps, lists).
  protocols.awsQuery.encode(output, { requestId: ctx.requestId, model: svc.model, operation: ctx.operation! });
  return output;
}

/** A fresh account on `state`: services, resolver and the root user's access key. */
export async function harness(state: StateBackend): Promise<Harness> {
  const clock = new TestClock();
  const secrets = MasterKey.generate();
  const resolver = new StoreCredentialResolver({ state, secrets, clock });
  const internal = { call: () => Promise.reject(new Error('internal calls are not wired in the IAM/STS test harness')) };
  const deps: ServiceDeps = { state, secrets, clock, credentials: resolver, log: pino({ level: 'silent' }), internal };
  const rootKey = await createRootAccessKey(deps, ACCOUNT);
  const root = (await resolver.resolve(rootKey.accessKeyId))!.principal;
  let admin: Promise<Principal> | undefined;
  const base = { state, deps, clock, resolver, iam: createIamService(deps), sts: createStsService(deps), root, rootKey };
  return {
    ...base,
    iamCall: (op, input, principal = root, opts) => invoke(base, base.iam, op, input, principal, opts),
    stsCall: (op, input, principal, opts) => invoke(base, base.sts, op, input, principal, opts),
    admin: async () => {
      admin ??= (async () => {
        await invoke(base, base.iam, 'CreateUser', { UserName: 'admin' }, root);
        await invoke(base, base.iam, 'AttachUserPolicy', { UserName: 'admin', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }, root);
        const key = await invoke(base, base.iam, 'CreateAccessKey', { UserName: 'admin' }, root);
        return (await resolver.resolve(key.AccessKey.AccessKeyId))!.principal;
      })();
      return admin;
    },
    principalOf: async (akid) => {
      const cred = await resolver.resolve(akid);
      if (!cred) throw new Error(`no credential for ${akid}`);
      return cred.principal;
    },
  };
}

/** Creates a user with an access key and returns the key id. */
export async function userWithKey(h: Harness, userName: string): Promise<string> {
  await h.iamCall('CreateUser', { UserName: userName });
  const out = await h.iamCall('CreateAccessKey', { UserName: userName });
  return out.AccessKey.AccessKeyId as string;
}

export const doc = (statement: object | object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statement });

/** Awaits a rejection and checks its AWS error code (and message). */
export async function expectError(p: Promise<unknown>, code: string, message?: string | RegExp): Promise<{ code: string; message: string; httpStatus: number }> {
  const err = await p.then(() => undefined, (e: unknown) => e as { code: string; message: string; httpStatus: number });
  if (!err) throw new Error(`expected ${code}, but the call succeeded`);
  if (err.code !== code) throw new Error(`expected ${code}, got ${err.code}: ${err.message}`);
  if (typeof message === 'string' && err.message !== message) throw new Error(`expected message "${message}", got "${err.message}"`);
  if (message instanceof RegExp && !message.test(err.message)) throw new Error(`expected message ${message}, got "${err.message}"`);
  return err;
}
