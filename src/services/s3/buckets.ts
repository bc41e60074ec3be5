import type { RequestContext } from '../../gateway/context.js';
import type { CreateBucketRequest } from './api.generated.js';
import { caller, ownerOf, type S3 } from './context.js';
import { handlers } from './define.js';
import { s3Errors } from './errors.js';
import { checkBucketName } from './names.js';
import { REGISTRY, S3_SERVICE, loadBucket, objectId, type BucketDoc } from './store.js';
import { listEvery } from '../../state/list-every.js';

const US_EAST_1 = 'us-east-1';

/** New buckets block public access, as AWS has done since April 2023. */
export const DEFAULT_PUBLIC_ACCESS_BLOCK = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

/**
 * The bucket's region from the endpoint's region and LocationConstraint, as S3 checks them: us-east-1 takes no
 * constraint (naming it is invalid), every other region needs its own name (EU is the legacy name of eu-west-1).
 */
function bucketRegion(requestRegion: string, constraint: string | undefined): string {
  if (constraint === US_EAST_1) throw s3Errors.invalidLocationConstraint();
  const region = constraint === 'EU' ? 'eu-west-1' : constraint;
  if (region === undefined) {
    if (requestRegion !== US_EAST_1) throw s3Errors.illegalLocationConstraint(undefined);
    return US_EAST_1;
  }
  if (region !== requestRegion) throw s3Errors.illegalLocationConstraint(constraint);
  return region;
}

async function createBucket(k: S3, ctx: RequestContext, i: CreateBucketRequest): Promise<{ Location: string }> {
  checkBucketName(i.Bucket);
  const constraint = i.CreateBucketConfiguration?.LocationConstraint;
  const region = bucketRegion(ctx.region, constraint);
  const account = caller(ctx).accountId;
  if (i.ObjectLockEnabledForBucket) throw s3Errors.notImplemented('S3 Object Lock');
  const doc: BucketDoc = {
    Name: i.Bucket, Owner: account, Region: region, CreationDate: k.now().toISOString(),
    PublicAccessBlock: { ...DEFAULT_PUBLIC_ACCESS_BLOCK }, ObjectOwnership: i.ObjectOwnership ?? 'BucketOwnerEnforced',
  };
  if (i.ACL) doc.Acl = i.ACL;
  if (!(await k.res.create(REGISTRY, S3_SERVICE, 'bucket', i.Bucket, doc, account))) {
    const existing = await loadBucket(k, i.Bucket);
    if (existing.Owner !== account) throw s3Errors.bucketAlreadyExists(i.Bucket);
    // S3's legacy us-east-1 behaviour: recreating your own us-east-1 bucket there is a no-op 200.
    if (!(existing.Region === US_EAST_1 && region === US_EAST_1)) throw s3Errors.bucketAlreadyOwnedByYou(i.Bucket);
  }
  return { Location: `/${i.Bucket}` };
}

/** An empty bucket is one with no objects and no multipart upload in progress. */
async function deleteBucket(k: S3, name: string): Promise<void> {
  await k.tx(async () => {
    const b = await loadBucket(k, name);
    const prefix = objectId(name, '');
    for (const kind of ['object', 'upload']) {
      if ((await k.res.list(b.Owner, S3_SERVICE, kind, { idPrefix: prefix, limit: 1 })).length) throw s3Errors.bucketNotEmpty(name);
    }
    await k.res.delete(REGISTRY, S3_SERVICE, 'bucket', name);
  });
}

async function listBuckets(k: S3, account: string): Promise<BucketDoc[]> {
  return (await listEvery<BucketDoc>(k.res, REGISTRY, S3_SERVICE, 'bucket', { parentId: account })).map((r) => r.doc);
}

export function bucketHandlers(k: S3) {
  return handlers()({
    CreateBucket: { handler: (i, ctx) => createBucket(k, ctx, i) },
    HeadBucket: {
      readOnly: true,
      handler: async (i) => {
        await loadBucket(k, i.Bucket);
      },
    },
    DeleteBucket: { handler: (i) => deleteBucket(k, i.Bucket) },
    ListBuckets: {
      readOnly: true,
      handler: async (_i, ctx) => {
        const account = caller(ctx).accountId;
        const buckets = await listBuckets(k, account);
        return { Buckets: buckets.map((b) => ({ Name: b.Name, CreationDate: new Date(b.CreationDate) })), Owner: ownerOf(account) };
      },
    },
    GetBucketLocation: {
      readOnly: true,
      handler: async (i) => {
        const b = await loadBucket(k, i.Bucket);
        // us-east-1 is reported as an empty LocationConstraint, as S3 does.
        return b.Region === US_EAST_1 ? {} : { LocationConstraint: b.Region as never };
      },
    },
  });
}
