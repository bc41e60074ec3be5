import type { Principal } from '../auth/types.js';
import type { DataKeyCache } from '../crypto/data-key-cache.js';
import type { ContextValue, Decision } from '../iam-engine/types.js';
import type { ServiceError } from '../protocol/errors.js';
import type { HttpRequest, HttpResponse, Protocol } from '../protocol/types.js';
import type { OperationModel } from '../protocol/schema.js';
import type { ServiceDefinition } from '../services/types.js';

/** The network boundary a request arrived through (`--listen NAME=HOST:PORT[,vpce=…][,plaintext]`). */
export interface ListenerInfo {
  name: string;
  secure: boolean;
  vpce?: string;
}

/** Everything the pipeline learns about one request, stage by stage. */
export interface RequestContext {
  requestId: string;
  receivedAt: Date;
  /** performance.now() when the request arrived: latency metrics need sub-millisecond time the injected clock lacks. */
  startedAt?: number;
  listener: ListenerInfo;
  sourceIp: string;
  userAgent: string;
  tlsDetails?: { tlsVersion: string; cipherSuite: string; clientProvidedHostHeader: string };
  request: HttpRequest;

  // route
  service?: ServiceDefinition;
  protocol?: Protocol;
  operation?: OperationModel;
  queryCompatible?: boolean;
  // authenticate
  region: string;
  principal?: Principal;
  accessKeyId?: string;
  // decode + validate
  input?: Record<string, unknown>;
  // authorize
  action?: string;
  resources?: string[];
  decision?: Decision;
  /** Extra condition keys the service contributed for this call (service-specific and aws:Request/ResourceTag). */
  conditionKeys?: Record<string, ContextValue | undefined>;
  // invoke
  output?: Record<string, unknown>;
  error?: ServiceError;
  response?: HttpResponse;
  /** Set by internal calls (service → service through the gateway): the caller is already resolved. */
  internal?: boolean;
  /** Internal calls: the AWS service acting for the principal (`sagemaker.amazonaws.com`). */
  viaService?: string;
  /** Condition keys the caller of an internal call adds (aws:ViaAWSService, kms:ViaService…). */
  extraConditionKeys?: Record<string, ContextValue | undefined>;
  /** Internal calls only: data keys the caller lets S3 reuse for SSE-KMS writes (InternalCallOptions.dataKeyCache). */
  dataKeyCache?: DataKeyCache;
}
