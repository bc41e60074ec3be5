import type { PublicAccessBlockConfiguration } from './api.generated.js';
import type { S3 } from './context.js';
import { handlers } from './define.js';
import { s3Errors } from './errors.js';
import { changeBucket, loadBucket } from './store.js';

/** Settings left out of the configuration are off, as in S3. */
function normalize(c: PublicAccessBlockConfiguration | undefined): Required<PublicAccessBlockConfiguration> {
  return {
    BlockPublicAcls: c?.BlockPublicAcls === true, IgnorePublicAcls: c?.IgnorePublicAcls === true,
    BlockPublicPolicy: c?.BlockPublicPolicy === true, RestrictPublicBuckets: c?.RestrictPublicBuckets === true,
  };
}

/**
 * Bucket-level Block Public Access. BlockPublicPolicy makes PutBucketPolicy refuse public policies (an existing
 * public policy stays); RestrictPublicBuckets limits a public policy to the owner's account (authz.ts). ACL
 * settings are recorded: Vigil does not evaluate ACL grants.
 */
export function publicAccessBlockHandlers(k: S3) {
  return handlers()({
    PutPublicAccessBlock: {
      handler: async (i) => {
        if (!i.PublicAccessBlockConfiguration) throw s3Errors.malformedXml();
        const config = normalize(i.PublicAccessBlockConfiguration);
        await changeBucket(k, i.Bucket, (b) => {
          b.PublicAccessBlock = config;
        });
      },
    },
    GetPublicAccessBlock: {
      readOnly: true,
      handler: async (i) => {
        const b = await loadBucket(k, i.Bucket);
        if (!b.PublicAccessBlock) throw s3Errors.noSuchPublicAccessBlock(b.Name);
        return { PublicAccessBlockConfiguration: normalize(b.PublicAccessBlock) };
      },
    },
    DeletePublicAccessBlock: {
      handler: async (i) => {
        await changeBucket(k, i.Bucket, (b) => {
          delete b.PublicAccessBlock;
        });
      },
    },
  });
}
