import type { ServerSideEncryptionConfiguration } from './api.generated.js';
import type { S3 } from './context.js';
import { handlers } from './define.js';
import { s3Errors } from './errors.js';
import { changeBucket, loadBucket } from './store.js';

/** Every bucket has default encryption since January 2023: SSE-S3 unless configured otherwise. */
const SSE_S3_DEFAULT: ServerSideEncryptionConfiguration = {
  Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }],
};

/** S3 takes exactly one rule; a KMS key only with aws:kms. */
function checkConfiguration(c: ServerSideEncryptionConfiguration | undefined): ServerSideEncryptionConfiguration {
  const rules = c?.Rules ?? [];
  if (rules.length !== 1) throw s3Errors.malformedXml();
  const byDefault = rules[0].ApplyServerSideEncryptionByDefault;
  if (!byDefault?.SSEAlgorithm) throw s3Errors.malformedXml();
  if (byDefault.KMSMasterKeyID && byDefault.SSEAlgorithm !== 'aws:kms') {
    throw s3Errors.invalidArgument('a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms', 'ApplyServerSideEncryptionByDefault');
  }
  const rule = { ApplyServerSideEncryptionByDefault: { ...byDefault }, BucketKeyEnabled: rules[0].BucketKeyEnabled ?? false };
  return { Rules: [rule] };
}

/**
 * Default encryption applies to objects written without SSE headers (sse.ts). Deleting it returns the bucket to
 * SSE-S3, so GetBucketEncryption always answers, as it does in AWS today (the older
 * ServerSideEncryptionConfigurationNotFoundError no longer occurs there).
 */
export function encryptionHandlers(k: S3) {
  return handlers()({
    PutBucketEncryption: {
      handler: async (i) => {
        const config = checkConfiguration(i.ServerSideEncryptionConfiguration);
        await changeBucket(k, i.Bucket, (b) => {
          b.Encryption = config;
        });
      },
    },
    GetBucketEncryption: {
      readOnly: true,
      handler: async (i) => ({ ServerSideEncryptionConfiguration: (await loadBucket(k, i.Bucket)).Encryption ?? SSE_S3_DEFAULT }),
    },
    DeleteBucketEncryption: {
      handler: async (i) => {
        await changeBucket(k, i.Bucket, (b) => {
          delete b.Encryption;
        });
      },
    },
  });
}
