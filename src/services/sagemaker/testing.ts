/**
 * Test harness for SageMaker (tests only). Drives operations the way the gateway does — validate, authz + engine
 * authorization, handler, awsJson 1.1 encoding — without HTTP or SigV4. IAM and STS run beside it; S3 is a small
 * in-memory double behind the internal caller; the runtime factory is a real (echo) one written here.
 */
import type { ContextValue } from '../../iam-engine/types.js';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { StoreCredentialResolver, createRootAccessKey } from '../../auth/credentials.js';
import type { Principal } from '../../auth/types.js';
import { MasterKey } from '../../crypto/masterkey.js';
import { authorize } from '../../gateway/authorize.js';
import type { RequestContext } from '../../gateway/context.js';
import { EndpointRegistry } from '../../inference/registry.js';
import type { ContainerSpec, LoadContext, ModelRuntime, RoleSessions, RuntimeFactory } from '../../inference/types.js';
import { CommonErrors } from '../../protocol/errors.js';
import { protocols } from '../../protocol/index.js';
import { validateInput } from '../../protocol/validate.js';
import type { InternalCaller, ServiceDeps } from '../../server/deps.js';
import type { StateBackend } from '../../state/types.js';
import { createIamService } from '../iam/index.js';
import { createStsService } from '../sts/index.js';
import type { ServiceDefinition } from '../types.js';
import { createSageMakerService, type SageMakerService, type Serving } from './index.js';
import { TestClock } from '../iam/testing.js';

export { TestClock };
export { allow, expectError } from '../kms/testing.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/sm-exec`;


// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read outputs field by field
export type Out = any;

/** Echoes `<variant label>|<artifact bytes>|<request body>`; counts loads and closes. */
export class EchoRuntimes implements RuntimeFactory {
  loads = 0;
  closes = 0;
  /** Images whose load throws (the message is the FailureReason). */
  failing = new Map<string, string>();
  #gate: Promise<void> | undefined;
  /** Holds every load until the returned function is called (to observe Creating / Updating). */
  hold(): () => void {
    let release!: () => void;
    this.#gate = new Promise((r) => { release = r; });
    return () => { this.#gate = undefined; release(); };
  }
  async load(containers: ContainerSpec[], ctx: LoadContext): Promise<ModelRuntime> {
    if (this.#gate) await this.#gate;
    const parts: string[] = [];
    for (const c of containers) {
      const failure = this.failing.get(c.Image);
      if (failure) throw new Error(failure);
      parts.push(c.ModelDataUrl ? (await ctx.artifacts.fetch(c.ModelDataUrl)).toString('utf8') : c.Image);
    }
    this.loads++;
    let closed = false;
    return {
      kind: 'echo',
      invoke: async (req) => ({ body: Buffer.from(`${ctx.label}|${parts.join('+')}|${req.body.toString('utf8')}`), contentType: 'text/plain' }),
      close: async () => {
        if (!closed) this.closes++;
        closed = true;
      },
    };
  }
}

/** Role sessions without STS: every role is a principal of its own, unless listed in `refused`. */
export class FakeRoles implements RoleSessions {
  refused = new Set<string>();
  async principalFor(roleArn: string, accountId: string): Promise<Principal> {
    if (this.refused.has(roleArn)) throw new Error(`Could not assume role ${roleArn}.`);
    return { type: 'AssumedRole', arn: `${roleArn}/SageMaker`, roleArn, accountId, userId: 'AROATEST:SageMaker', tags: {}, identityPolicies: [] };
  }
  invalidate(): void {}
}

/** S3 GetObject from memory; keys in `denied` answer AccessDenied as S3 would. */
export class FakeS3 {
  objects = new Map<string, string>();
  denied = new Set<string>();
  calls: { principal: string; bucket: string; key: string; viaService?: string }[] = [];
}

export interface CallOptions {
  authorize?: boolean;
  region?: string;
  /** Extra condition keys, as internal calls add them (aws:SourceAccount…). */
  conditionKeys?: Record<string, ContextValue | undefined>;
}

export function contextFor(principal: Principal, svc: ServiceDefinition, op: string, region = REGION): RequestContext {
  return {
    requestId: 'test-request', receivedAt: new Date(), listener: { name: 'test', secure: true }, sourceIp: '127.0.0.1', userAgent: 'vitest',
    request: { method: 'POST', path: '/', rawQuery: '', headers: {}, body: Buffer.alloc(0) },
    service: svc, protocol: protocols[svc.protocols[0]], operation: svc.model.operations[op], region, principal,
  };
}

export async function invoke(svc: ServiceDefinition, now: () => Date, op: string, input: Record<string, unknown>, principal: Principal,
  opts: CallOptions = {}): Promise<Out> {
  const impl = svc.operations[op];
  if (!impl) throw new Error(`${svc.name} has no operation ${op}`);
  const ctx = contextFor(principal, svc, op, opts.region);
  const family = svc.protocols[0] === 'awsQuery' ? 'query' : 'json';
  validateInput(svc.model, ctx.operation!, input, family);
  if (opts.authorize !== false && !impl.alwaysAllowed) {
    const req = await impl.authz(input, ctx);
    const keys = opts.conditionKeys ? { ...opts.conditionKeys, ...req.conditionKeys } : req.conditionKeys;
    authorize(ctx, principal, { ...req, conditionKeys: keys }, req.action ?? `${svc.actionPrefix}:${op}`, now());
  }
  const output = await impl.handler(input, ctx);
  protocols[svc.protocols[0]].encode(output, { requestId: ctx.requestId, model: svc.model, operation: ctx.operation! });
  return output;
}

export interface SmHarness {
  state: StateBackend;
  deps: ServiceDeps;
  clock: TestClock;
  root: Principal;
  registry: EndpointRegistry;
  runtimes: EchoRuntimes;
  roles: FakeRoles;
  s3: FakeS3;
  sm: SageMakerService;
  iam: ServiceDefinition;
  sts: ServiceDefinition;
  call(op: string, input: Record<string, unknown>, principal?: Principal, opts?: CallOptions): Promise<Out>;
  iamCall(op: string, input: Record<string, unknown>): Promise<Out>;
  /** A user with the given inline policy (if any). */
  user(name: string, policy?: object): Promise<Principal>;
  /** Another SageMaker service instance (a replica, or the process after a restart) over the same or another state. */
  replica(state?: StateBackend, serving?: Partial<Serving>): { sm: SageMakerService; registry: EndpointRegistry; runtimes: EchoRuntimes };
  /** Polls DescribeEndpoint until the status is one of `statuses` (deployments run in the background). */
  waitFor(name: string, statuses: string[], sm?: SageMakerService): Promise<Out>;
}

export async function smHarness(state: StateBackend, opts: { allowFileModels?: boolean } = {}): Promise<SmHarness> {
  const clock = new TestClock();
  const now = () => clock.now();
  const secrets = MasterKey.generate();
  const resolver = new StoreCredentialResolver({ state, secrets, clock });
  const log = pino({ level: 'silent' });
  const s3 = new FakeS3();
  const services: Record<string, ServiceDefinition> = {};
  const internal: InternalCaller = {
    async call(principal, service, operation, input, o) {
      if (service === 's3' && operation === 'GetObject') {
        const key = `${input.Bucket as string}/${input.Key as string}`;
        s3.calls.push({ principal: principal.arn, bucket: input.Bucket as string, key: input.Key as string, viaService: o?.viaService });
        if (s3.denied.has(key)) {
          throw CommonErrors.accessDenied(`User: ${principal.arn} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::${key}"`, 'rest-xml');
        }
        const body = s3.objects.get(key);
        if (body === undefined) throw new Error('The specified key does not exist.');
        return { Body: Readable.from([Buffer.from(body)]) };
      }
      return invoke(services[service], now, operation, input, principal, { region: o?.region, conditionKeys: o?.conditionKeys });
    },
  };
  const deps: ServiceDeps = { state, secrets, clock, credentials: resolver, log, internal };
  const rootKey = await createRootAccessKey(deps, ACCOUNT);
  const principalOf = async (akid: string): Promise<Principal> => (await resolver.resolve(akid))!.principal;
  const root = await principalOf(rootKey.accessKeyId);
  services.iam = createIamService(deps);
  services.sts = createStsService(deps);
  const make = (st: StateBackend, serving: Partial<Serving> = {}) => {
    const registry = serving.registry ?? new EndpointRegistry();
    const runtimes = (serving.runtimes as EchoRuntimes | undefined) ?? new EchoRuntimes();
    const d = st === state ? deps : { ...deps, state: st };
    const sm = createSageMakerService(d, { registry, runtimes, roles: serving.roles ?? roles, allowFileModels: serving.allowFileModels ?? opts.allowFileModels ?? false });
    return { sm, registry, runtimes };
  };
  const roles = new FakeRoles();
  const main = make(state);
  const call = (op: string, input: Record<string, unknown>, principal = root, o?: CallOptions) => invoke(main.sm, now, op, input, principal, o);
  const iamCall = (op: string, input: Record<string, unknown>) => invoke(services.iam, now, op, input, root, { authorize: false });
  return {
    state, deps, clock, root, registry: main.registry, runtimes: main.runtimes, roles, s3, sm: main.sm, iam: services.iam, sts: services.sts,
    call, iamCall,
    user: async (name, policy) => {
      await iamCall('CreateUser', { UserName: name });
      if (policy) await iamCall('PutUserPolicy', { UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) });
      return principalOf((await iamCall('CreateAccessKey', { UserName: name })).AccessKey.AccessKeyId);
    },
    replica: (st = state, serving) => make(st, serving),
    waitFor: async (name, statuses, sm = main.sm) => {
      for (let n = 0; n < 500; n++) {
        const out = await invoke(sm, now, 'DescribeEndpoint', { EndpointName: name }, root);
        if (statuses.includes(out.EndpointStatus)) return out;
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error(`endpoint ${name} never reached ${statuses.join('|')}`);
    },
  };
}


/** CreateModel + CreateEndpointConfig (one variant) + CreateEndpoint, as root. */
export async function deployEcho(h: SmHarness, name: string, opts: { image?: string; modelData?: string; capture?: object } = {}): Promise<void> {
  await h.call('CreateModel', {
    ModelName: `${name}-model`, ExecutionRoleArn: ROLE,
    PrimaryContainer: { Image: opts.image ?? 'vigil/echo', ...(opts.modelData ? { ModelDataUrl: opts.modelData } : {}) },
  });
  await h.call('CreateEndpointConfig', {
    EndpointConfigName: `${name}-config`,
    ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: `${name}-model`, InitialInstanceCount: 1, InstanceType: 'ml.m5.large' }],
    ...(opts.capture ? { DataCaptureConfig: opts.capture } : {}),
  });
  await h.call('CreateEndpoint', { EndpointName: name, EndpointConfigName: `${name}-config` });
}
