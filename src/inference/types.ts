import type { Logger } from 'pino';
import type { Principal } from '../auth/types.js';

/**
 * The serving layer's contracts. The SageMaker control plane deploys models into live endpoints (registry.ts),
 * runtimes (runtimes/) turn request bytes into response bytes, and the runtime service (InvokeEndpoint) routes,
 * measures and captures. None of it touches the database on the request path (DESIGN principle 10).
 */

/** One container of a model as CreateModel records it (PrimaryContainer or an entry of Containers). */
export interface ContainerSpec {
  /** `vigil/onnx` (the built-in ONNX runtime), or the base URL / launch command of a SageMaker-style server. */
  Image: string;
  ModelDataUrl?: string;
  Environment?: Record<string, string>;
  Mode?: 'SingleModel' | 'MultiModel';
}

/** Reads a model artifact: `s3://` through the gateway as the model's execution role, `file://` when allowed. */
export interface ArtifactFetcher {
  fetch(url: string): Promise<Buffer>;
}

export interface LoadContext {
  /** `endpoint/variant`, for logs and messages. */
  label: string;
  artifacts: ArtifactFetcher;
  log: Logger;
}

export interface InvokeRequest {
  body: Buffer;
  /** As sent (Content-Type); the runtime decides what it accepts. */
  contentType: string;
  accept?: string;
  customAttributes?: string;
  inferenceId?: string;
}

export interface InvokeResult {
  body: Buffer;
  contentType: string;
  customAttributes?: string;
}

/**
 * A loaded model, warm for the life of its deployment. invoke() throws ServiceErrors spelled as SageMaker Runtime
 * spells them: ModelError (424, extra OriginalStatusCode / OriginalMessage), ModelNotReadyException (429),
 * ServiceUnavailable (503), ValidationError (400).
 */
export interface ModelRuntime {
  /** `onnx`, `container` or `pipeline`. */
  readonly kind: string;
  invoke(req: InvokeRequest): Promise<InvokeResult>;
  /** Frees the session or stops a supervised process; called once in-flight requests have drained. */
  close(): Promise<void>;
}

export interface RuntimeFactory {
  /**
   * Loads a model's containers (more than one: an inference pipeline, run in order, each output the next input).
   * Throws an Error whose message is a user-facing FailureReason when the model cannot be served.
   */
  load(containers: ContainerSpec[], ctx: LoadContext): Promise<ModelRuntime>;
}

/** Temporary sessions of execution roles, assumed through STS as sagemaker.amazonaws.com and refreshed before expiry. */
export interface RoleSessions {
  principalFor(roleArn: string, accountId: string, region: string): Promise<Principal>;
  /** Drop a cached session (the role or its policies changed). */
  invalidate(roleArn?: string): void;
}

/** DataCaptureConfig of an endpoint config, resolved for the hot path. */
export interface CaptureSettings {
  enabled: boolean;
  /** 0..100 */
  samplingPercentage: number;
  /** `s3://bucket/prefix` as configured (no trailing slash). */
  destinationS3Uri: string;
  /**
   * KMS key id, ARN, alias name or alias ARN; undefined → S3's managed key of the account (alias/aws/s3), as AWS
   * documents for SageMaker's S3 outputs (S3 calls KMS as itself, which SageMaker's managed key would refuse).
   */
  kmsKeyId?: string;
  captureInput: boolean;
  captureOutput: boolean;
  csvContentTypes: string[];
  jsonContentTypes: string[];
}

/** One production variant as it serves. */
export interface LiveVariant {
  name: string;
  modelName: string;
  /** The model's ExecutionRoleArn: data capture writes to S3 and KMS as this role. */
  executionRoleArn: string;
  weight: number;
  instanceCount: number;
  runtime: ModelRuntime;
}

/** A deployed endpoint: an immutable snapshot of one endpoint config, swapped as a whole by UpdateEndpoint. */
export interface LiveEndpoint {
  accountId: string;
  region: string;
  name: string;
  arn: string;
  configName: string;
  variants: LiveVariant[];
  capture?: CaptureSettings;
}
