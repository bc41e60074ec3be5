/**
 * Test harness for KMS (tests only; excluded from the build). Drives operations the way the gateway does —
 * validate, authz + engine authorization, handler, awsJson 1.1 encoding — without HTTP or SigV4, as the IAM
 * tests do. IAM and STS run beside it so tests can make users, roles and role sessions.
 */
import { pino } from 'pino';
import { StoreCredentialResolver, createRootAccessKey } from '../../auth/credentials.js';
import type { Principal } from '../../auth/types.js';
import { MasterKey } from '../../crypto/masterkey.js';
import { authorize } from '../../gateway/authorize.js';
import type { RequestContext } from '../../gateway/context.js';
import { protocols } from '../../protocol/index.js';
import { validateInput } from '../../protocol/validate.js';
import { JobRunner } from '../../scheduler/runner.js';
import type { ServiceDeps } from '../../server/deps.js';
import type { StateBackend } from '../../state/types.js';
import { createIamService } from '../iam/index.js';
import { createStsService } from '../sts/index.js';
import type { ServiceDefinition } from '../types.js';
import { createKmsService, registerKmsJobs } from './index.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export class TestClock {
  constructor(public current = new Date('2026-01-01T00:00:00Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advanceDays(days: number): void {
    this.current = new Date(this.current.getTime() + days * 24 * 3600 * 1000);
  }
}

/** Outputs are read field by field in tests, as a client would read the JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Out = any;

export interface CallOptions {
  /** Run the operation's authz through the IAM engine first (as the gateway does). Default true. */
  authorize?: boolean;
  region?: string;
  /** Internal calls: the AWS service acting for the caller (adds kms:ViaService as the internal client does). */
  viaService?: string;
}

export interface KmsHarness {
  state: StateBackend;
  deps: ServiceDeps;
  clock: TestClock;
  kms: ServiceDefinition;
  runner: JobRunner;
  root: Principal;
  rootKey: { accessKeyId: string; secretAccessKey: string };
  /** Calls KMS as `principal` (root by default). */
  kmsCall(op: string, input: Record<string, unknown>, principal?: Principal, opts?: CallOptions): Promise<Out>;
  /** Calls IAM or STS as root without authorization (test setup). */
  iamCall(op: string, input: Record<string, unknown>): Promise<Out>;
  /** A user with the given inline policy (if any), as the resolver builds its principal. */
  user(name: string, policy?: object): Promise<Principal>;
  /** A session of a new role with the given inline policy (if any). */
  roleSession(name: string, policy?: object): Promise<Principal>;
}

export function kmsContextFor(principal: Principal, svc: ServiceDefinition, op: string, opts: CallOptions = {}): RequestContext {
  const via = opts.viaService;
  return {
    requestId: 'test-request', receivedAt: new Date(), listener: { name: 'test', secure: true }, sourceIp: '127.0.0.1', userAgent: 'vitest',
    request: { method: 'POST', path: '/', rawQuery: '', headers: {}, body: Buffer.alloc(0) },
    service: svc, protocol: protocols.awsJson1_1, operation: svc.model.operations[op], region: opts.region ?? REGION, principal,
    viaService: via, extraConditionKeys: via ? { 'aws:ViaAWSService': 'true', 'kms:ViaService': via } : undefined,
  };
}

async function invoke(svc: ServiceDefinition, clock: TestClock, op: string, input: Record<string, unknown>, principal: Principal, opts: CallOptions = {}): Promise<Out> {
  const impl = svc.operations[op];
  if (!impl) throw new Error(`${svc.name} has no operation ${op}`);
  const ctx = kmsContextFor(principal, svc, op, opts);
  const family = svc.protocols[0] === 'awsQuery' ? 'query' : 'json';
  validateInput(svc.model, ctx.operation!, input, family);
  if (opts.authorize !== false && !impl.alwaysAllowed) {
    const req = await impl.authz(input, ctx);
    const conditionKeys = ctx.extraConditionKeys ? { ...ctx.extraConditionKeys, ...req.conditionKeys } : req.conditionKeys;
    authorize(ctx, principal, { ...req, conditionKeys }, req.action ?? `${svc.actionPrefix}:${op}`, clock.now());
  }
  const output = await impl.handler(input, ctx);
  // Every output must survive the real encoder of the service's protocol.
  protocols[svc.protocols[0]].encode(output, { requestId: ctx.requestId, model: svc.model, operation: ctx.operation! });
  return output;
}

export async function kmsHarness(state: StateBackend): Promise<KmsHarness> {
  const clock = new TestClock();
  const secrets = MasterKey.generate();
  const resolver = new StoreCredentialResolver({ state, secrets, clock });
  const log = pino({ level: 'silent' });
  const internal = { call: async () => { throw new Error('no internal calls in KMS unit tests'); } };
  const deps: ServiceDeps = { state, secrets, clock, credentials: resolver, log, internal };
  const rootKey = await createRootAccessKey(deps, ACCOUNT);
  const principalOf = async (akid: string): Promise<Principal> => (await resolver.resolve(akid))!.principal;
  const root = await principalOf(rootKey.accessKeyId);
  const iam = createIamService(deps);
  const sts = createStsService(deps);
  const kms = createKmsService(deps);
  const runner = new JobRunner(clock, log);
  registerKmsJobs(runner, deps);
  const iamCall = (op: string, input: Record<string, unknown>) => invoke(iam, clock, op, input, root, { authorize: false });
  const user = async (name: string, policy?: object): Promise<Principal> => {
    await iamCall('CreateUser', { UserName: name });
    if (policy) await iamCall('PutUserPolicy', { UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) });
    return principalOf((await iamCall('CreateAccessKey', { UserName: name })).AccessKey.AccessKeyId);
  };
  return {
    state, deps, clock, kms, runner, root, rootKey, iamCall, user,
    kmsCall: (op, input, principal = root, opts) => invoke(kms, clock, op, input, principal, opts),
    roleSession: async (name, policy) => {
      const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] };
      const role = (await iamCall('CreateRole', { RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) })).Role;
      if (policy) await iamCall('PutRolePolicy', { RoleName: name, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) });
      const assumer = await user(`${name}-assumer`, allow('sts:AssumeRole', role.Arn));
      const out = await invoke(sts, clock, 'AssumeRole', { RoleArn: role.Arn, RoleSessionName: 'test' }, assumer);
      return principalOf(out.Credentials.AccessKeyId);
    },
  };
}

/** An identity policy allowing `action` on `resource`. */
export function allow(action: string | string[], resource: string | string[] = '*'): object {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] };
}

/** Awaits a rejection and checks its AWS error code (and message). */
export async function expectError(p: Promise<unknown>, code: string, message?: string | RegExp): Promise<{ code: string; message: string }> {
  const err = await p.then(() => undefined, (e: unknown) => e as { code: string; message: string });
  if (!err) throw new Error(`expected ${code}, but the call succeeded`);
  if (err.code !== code) throw new Error(`expected ${code}, got ${err.code}: ${err.message}`);
  if (typeof message === 'string' && err.message !== message) throw new Error(`expected message "${message}", got "${err.message}"`);
  if (message instanceof RegExp && !message.test(err.message)) throw new Error(`expected message ${message}, got "${err.message}"`);
  return err;
}
