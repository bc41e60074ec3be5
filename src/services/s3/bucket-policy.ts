import type { RequestContext } from '../../gateway/context.js';
import { PolicyParseError, parsePolicy } from '../../iam-engine/index.js';
import { caller, type S3 } from './context.js';
import { handlers } from './define.js';
import { s3Errors } from './errors.js';
import { bucketArn } from './names.js';
import { isPublicPolicy } from './public-policy.js';
import { changeBucket, loadBucket } from './store.js';

/** AWS: a bucket policy is at most 20 KB. */
export const MAX_BUCKET_POLICY_BYTES = 20 * 1024;

const NOT_JSON = "Policies must be valid JSON and the first byte must be '{'";

function resourceInBucket(resource: string, arn: string): boolean {
  return resource === arn || resource.startsWith(`${arn}/`) || (resource.startsWith(arn) && /^[*?]/.test(resource.slice(arn.length)));
}

/** `*`, or an action whose vendor (which may be a wildcard pattern) matches `s3`. */
function actionIsS3(action: string): boolean {
  if (action === '*') return true;
  const vendor = action.split(':')[0].toLowerCase();
  const pattern = new RegExp(`^${vendor.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return pattern.test('s3');
}

/**
 * S3's checks of a bucket policy, in AWS's wording: JSON whose first byte is `{`, the IAM grammar for resource
 * policies (Principal required), S3 actions only, and resources inside this bucket.
 */
export function validateBucketPolicy(document: string, bucket: string): void {
  if (Buffer.byteLength(document, 'utf8') > MAX_BUCKET_POLICY_BYTES) throw s3Errors.malformedPolicy('Policy exceeds the maximum allowed document size.');
  if (!document.trimStart().startsWith('{')) throw s3Errors.malformedPolicy(NOT_JSON);
  try {
    JSON.parse(document);
  } catch {
    throw s3Errors.malformedPolicy(NOT_JSON);
  }
  const arn = bucketArn(bucket);
  let statements;
  try {
    statements = parsePolicy(document, 'resource', arn).Statement;
  } catch (err) {
    if (err instanceof PolicyParseError) throw s3Errors.malformedPolicy(err.message);
    throw err;
  }
  for (const s of statements) {
    if ([...(s.Action ?? []), ...(s.NotAction ?? [])].some((a) => !actionIsS3(a))) throw s3Errors.malformedPolicy('Policy has invalid action');
    if ([...(s.Resource ?? []), ...(s.NotResource ?? [])].some((r) => !resourceInBucket(r, arn))) throw s3Errors.malformedPolicy('Policy has invalid resource');
  }
}

/** With BlockPublicPolicy on, S3 refuses a public policy with AccessDenied (not MalformedPolicy), in these words. */
function blockedMessage(ctx: RequestContext, bucket: string): string {
  return `User: ${caller(ctx).arn} is not authorized to perform: s3:PutBucketPolicy on resource: "${bucketArn(bucket)}" because public policies are blocked by the BlockPublicPolicy block public access setting.`;
}

export function policyHandlers(k: S3) {
  return handlers()({
    PutBucketPolicy: {
      handler: async (i, ctx) => {
        validateBucketPolicy(i.Policy, i.Bucket);
        await changeBucket(k, i.Bucket, (b) => {
          if (b.PublicAccessBlock?.BlockPublicPolicy && isPublicPolicy(i.Policy)) throw s3Errors.accessDenied(blockedMessage(ctx, b.Name));
          b.Policy = i.Policy;
        });
      },
    },
    GetBucketPolicy: {
      readOnly: true,
      handler: async (i) => {
        const b = await loadBucket(k, i.Bucket);
        if (!b.Policy) throw s3Errors.noSuchBucketPolicy(b.Name);
        return { Policy: b.Policy };
      },
    },
    DeleteBucketPolicy: {
      handler: async (i) => {
        await changeBucket(k, i.Bucket, (b) => {
          delete b.Policy;
        });
      },
    },
    GetBucketPolicyStatus: {
      readOnly: true,
      handler: async (i) => {
        const b = await loadBucket(k, i.Bucket);
        if (!b.Policy) throw s3Errors.noSuchBucketPolicy(b.Name);
        return { PolicyStatus: { IsPublic: isPublicPolicy(b.Policy) } };
      },
    },
  });
}
