import type { RequestContext } from '../gateway/context.js';
import type { ContextValue } from '../iam-engine/types.js';
import type { ProtocolName } from '../protocol/types.js';
import type { ServiceModel } from '../protocol/schema.js';

export type Input = Record<string, unknown>;
export type Output = Record<string, unknown> | undefined;

/** What an operation needs authorized: the IAM action, the resources, extra condition keys. */
export interface AuthzRequirement {
  /** Defaults to `<signing prefix>:<OperationName>`. */
  action?: string;
  /** Resource ARNs; `['*']` when the action takes none. Each is authorized separately. */
  resources: string[];
  conditionKeys?: Record<string, ContextValue | undefined>;
  /** The account that owns the resources (defaults to the resource policy's account, then the caller's). */
  resourceAccount?: string;
  /** A resource policy (bucket policy, key policy, trust policy) that applies, with its owner account. */
  resourcePolicy?: { document: string; kind: 'resource' | 'trust' | 'key'; id: string; accountId: string };
}

export type Handler = (input: Input, ctx: RequestContext) => Promise<Output>;
export type Authz = (input: Input, ctx: RequestContext) => AuthzRequirement | Promise<AuthzRequirement>;

export interface OperationImpl {
  handler: Handler;
  authz: Authz;
  /** Operations that need no authorization (sts:GetCallerIdentity is always allowed). */
  alwaysAllowed?: boolean;
  /** Management write events are audited durably before the response is sent. */
  readOnly?: boolean;
  /** CloudTrail data events (S3 object-level calls): eventCategory Data, group-committed like reads. */
  dataEvent?: boolean;
}

/** One AWS service as the gateway knows it. */
export interface ServiceDefinition {
  /** Name used in routing tables and logs, e.g. `iam`, `sagemaker-runtime`. */
  name: string;
  /** SigV4 signing name (credential scope service), e.g. `iam`, `sagemaker`, `monitoring`. */
  signingName: string;
  /** IAM action prefix, e.g. `iam`, `sagemaker`, `cloudwatch`. */
  actionPrefix: string;
  /** CloudTrail eventSource, e.g. `iam.amazonaws.com`. */
  eventSource: string;
  model: ServiceModel;
  protocols: ProtocolName[];
  /** Accepted X-Amz-Target prefixes for JSON protocols (CloudTrail has two spellings). */
  targetPrefixes?: string[];
  /** Path prefix that claims a request for this service (restJson services sharing a signing name). */
  pathPrefix?: string;
  /** Implemented operations; any other operation in the model answers NotImplemented by name. */
  operations: Record<string, OperationImpl>;
  /** Global services (IAM, STS) sign with us-east-1 and have no region in their ARNs. */
  global?: boolean;
  /** Unsigned requests proceed as the anonymous principal, for resource policies to allow (S3 public buckets). */
  allowAnonymous?: boolean;
  /** SigV4 variations (S3: single-encoded URI, UNSIGNED-PAYLOAD, 15-minute skew). */
  signing?: { s3Uri?: boolean; allowUnsignedPayload?: boolean; skewSeconds?: number };
  /**
   * Wraps a streaming body once the request is authenticated (S3: aws-chunked decoding with chunk-signature
   * checks, or a check of the stream against a signed x-amz-content-sha256).
   */
  wrapStreamingBody?: (ctx: RequestContext, auth: StreamingAuth) => void;
}

/** What a streaming-body wrapper needs from the request's signature. */
export interface StreamingAuth {
  payloadHash: string;
  seedSignature: string;
  signingKey: Buffer;
  amzDate: string;
  scope: string;
}
