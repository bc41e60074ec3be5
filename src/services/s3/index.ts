import type { ServiceDeps } from '../../server/deps.js';
import type { OperationImpl, ServiceDefinition } from '../types.js';
import { model } from './api.generated.js';
import { authzFor } from './authz.js';
import { bucketHandlers } from './buckets.js';
import { policyHandlers } from './bucket-policy.js';
import { completeHandlers } from './complete.js';
import { s3Context } from './context.js';
import { copyHandlers } from './copy.js';
import type { HandlerImpl } from './define.js';
import { encryptionHandlers } from './encryption-config.js';
import { getObjectHandlers } from './get-object.js';
import { listingHandlers } from './listing.js';
import { multipartHandlers } from './multipart.js';
import { objectHandlers } from './objects.js';
import { publicAccessBlockHandlers } from './public-access-block.js';
import { wrapS3StreamingBody } from './streaming-body.js';
import { taggingHandlers } from './tagging.js';
import { uploadListingHandlers } from './uploads.js';
import type { ObjectVault } from './vault-types.js';

export type { ObjectVault } from './vault-types.js';

/** Every implemented operation's handler; authorization comes from the one table in authz.ts. */
export function s3Handlers(deps: ServiceDeps, vault: ObjectVault): Record<string, HandlerImpl> {
  const k = s3Context(deps, vault);
  return {
    ...bucketHandlers(k),
    ...objectHandlers(k),
    ...getObjectHandlers(k),
    ...copyHandlers(k),
    ...listingHandlers(k),
    ...multipartHandlers(k),
    ...completeHandlers(k),
    ...uploadListingHandlers(k),
    ...taggingHandlers(k),
    ...encryptionHandlers(k),
    ...policyHandlers(k),
    ...publicAccessBlockHandlers(k),
  };
}

/** Object-level calls, which CloudTrail records as data events rather than management events. */
const OBJECT_LEVEL = new Set([
  'GetObject', 'HeadObject', 'PutObject', 'CopyObject', 'DeleteObject', 'DeleteObjects', 'CreateMultipartUpload',
  'UploadPart', 'UploadPartCopy', 'CompleteMultipartUpload', 'AbortMultipartUpload', 'ListParts',
]);

/**
 * S3 over restXml. Metadata lives in the state store, bytes in the vault (envelope-encrypted under KMS as the
 * caller). Operations of the model not listed answer NotImplemented by name.
 */
export function createS3Service(deps: ServiceDeps, vault: ObjectVault): ServiceDefinition {
  const k = s3Context(deps, vault);
  const operations: Record<string, OperationImpl> = {};
  for (const [name, impl] of Object.entries(s3Handlers(deps, vault))) {
    operations[name] = { ...impl, authz: authzFor(k, name), dataEvent: OBJECT_LEVEL.has(name) };
  }
  return {
    name: 's3',
    signingName: 's3',
    actionPrefix: 's3',
    eventSource: 's3.amazonaws.com',
    model,
    protocols: ['restXml'],
    operations,
    // S3 signs the URI path as sent (no second encoding), accepts UNSIGNED-PAYLOAD and allows 15 minutes of skew.
    signing: { s3Uri: true, allowUnsignedPayload: true, skewSeconds: 900 },
    // Public buckets: unsigned requests are evaluated as the anonymous principal against the bucket policy.
    allowAnonymous: true,
    // Upload bodies are checked (aws-chunked signatures, decoded length, trailing checksum) as they stream in.
    wrapStreamingBody: wrapS3StreamingBody,
  };
}
