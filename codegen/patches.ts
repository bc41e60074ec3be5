/**
 * Which services we generate, and the metadata the pinned Debian botocore (1.29) predates. Fix the model here, then
 * regenerate; never edit an api.generated.ts by hand.
 */
import type { ServiceMetadata, Shape } from '../src/protocol/schema.js';

export interface ServiceSpec {
  /** botocore data directory name. */
  botocoreName: string;
  /** Folder under src/services/. */
  folder: string;
  overrides?: Partial<ServiceMetadata>;
  /** Per-shape fields merged over the trimmed shape (S3 response root element names botocore leaves out). */
  shapeOverrides?: Record<string, Partial<Shape>>;
}

/**
 * restXml response roots: botocore has no name for the element that wraps a non-payload output, but S3 sends one and
 * the Smithy model carries it as `@xmlName` (read from @aws-sdk/client-s3's schemas). Unlisted outputs have no
 * body members. Stored as the output shape's `locationName`, which is what botocore uses for input roots.
 */
const S3_OUTPUT_ROOTS: Record<string, string> = {
  CompleteMultipartUploadOutput: 'CompleteMultipartUploadResult',
  CreateMultipartUploadOutput: 'InitiateMultipartUploadResult',
  DeleteObjectsOutput: 'DeleteResult',
  GetBucketAccelerateConfigurationOutput: 'AccelerateConfiguration',
  GetBucketAclOutput: 'AccessControlPolicy',
  GetBucketCorsOutput: 'CORSConfiguration',
  GetBucketLifecycleConfigurationOutput: 'LifecycleConfiguration',
  GetBucketLifecycleOutput: 'LifecycleConfiguration',
  GetBucketLocationOutput: 'LocationConstraint',
  GetBucketLoggingOutput: 'BucketLoggingStatus',
  GetBucketRequestPaymentOutput: 'RequestPaymentConfiguration',
  GetBucketTaggingOutput: 'Tagging',
  GetBucketVersioningOutput: 'VersioningConfiguration',
  GetBucketWebsiteOutput: 'WebsiteConfiguration',
  GetObjectAclOutput: 'AccessControlPolicy',
  GetObjectAttributesOutput: 'GetObjectAttributesResponse',
  GetObjectTaggingOutput: 'Tagging',
  ListBucketAnalyticsConfigurationsOutput: 'ListBucketAnalyticsConfigurationResult',
  ListBucketInventoryConfigurationsOutput: 'ListInventoryConfigurationsResult',
  ListBucketMetricsConfigurationsOutput: 'ListMetricsConfigurationsResult',
  ListBucketsOutput: 'ListAllMyBucketsResult',
  ListMultipartUploadsOutput: 'ListMultipartUploadsResult',
  ListObjectVersionsOutput: 'ListVersionsResult',
  ListObjectsOutput: 'ListBucketResult',
  ListObjectsV2Output: 'ListBucketResult',
  ListPartsOutput: 'ListPartsResult',
};

/** HTTP status of S3's modelled errors: the pinned model has none (newer botocore carries these same values). */
const S3_ERROR_STATUS: Record<string, Partial<Shape>> = {
  BucketAlreadyExists: { error: { httpStatusCode: 409 } },
  BucketAlreadyOwnedByYou: { error: { httpStatusCode: 409 } },
  InvalidObjectState: { error: { httpStatusCode: 403 } },
  NoSuchBucket: { error: { httpStatusCode: 404 } },
  NoSuchKey: { error: { httpStatusCode: 404 } },
  NoSuchUpload: { error: { httpStatusCode: 404 } },
  ObjectAlreadyInActiveTierError: { error: { httpStatusCode: 403 } },
  ObjectNotInActiveTierError: { error: { httpStatusCode: 403 } },
};

export const SERVICES: readonly ServiceSpec[] = [
  { botocoreName: 'iam', folder: 'iam' },
  { botocoreName: 'sts', folder: 'sts' },
  { botocoreName: 'sagemaker', folder: 'sagemaker' },
  { botocoreName: 'sagemaker-runtime', folder: 'sagemaker-runtime' },
  { botocoreName: 'kms', folder: 'kms' },
  {
    botocoreName: 'cloudwatch',
    folder: 'cloudwatch',
    // CloudWatch moved to JSON 1.0 + CBOR in 2025 and kept Query for old clients (aws-semantics.md §0); current
    // botocore carries exactly these four fields.
    overrides: {
      protocols: ['smithy-rpc-v2-cbor', 'json', 'query'],
      jsonVersion: '1.0',
      targetPrefix: 'GraniteServiceVersion20100801',
      awsQueryCompatible: {},
    },
  },
  {
    botocoreName: 's3',
    folder: 's3',
    // The pinned model predates `signingName` (it says signatureVersion 's3'); SigV4 scopes S3 requests as `s3`.
    overrides: { signingName: 's3' },
    shapeOverrides: {
      ...Object.fromEntries(Object.entries(S3_OUTPUT_ROOTS).map(([shape, root]) => [shape, { locationName: root }])),
      ...S3_ERROR_STATUS,
      // 1.29 requires a leading '/', but every SDK and the CLI send `bucket/key` (S3 accepts both); newer models
      // dropped the pattern. The S3 service parses and validates the value itself.
      CopySource: { pattern: '.+' },
    },
  },
];
