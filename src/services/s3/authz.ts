import { authorize } from '../../gateway/authorize.js';
import type { RequestContext } from '../../gateway/context.js';
import type { ContextValue } from '../../iam-engine/types.js';
import type { Authz, AuthzRequirement, Input } from '../types.js';
import { caller, type S3 } from './context.js';
import { parseCopySource } from './copy-source.js';
import { s3Errors } from './errors.js';
import { bucketArn, objectArn, parseTaggingHeader } from './names.js';
import { effectivePolicy } from './public-policy.js';
import { findObject, loadBucket, loadUpload, type BucketDoc } from './store.js';

/**
 * THE authorization table of S3: for each operation, the IAM action (per the Service Authorization Reference,
 * which often differs from the operation name), the resource ARN (`arn:aws:s3:::bucket` or
 * `arn:aws:s3:::bucket/key`), S3's condition keys, and the bucket policy as the resource policy, so the engine
 * applies identity ∪ bucket policy within the owner's account and both across accounts. A bucket that does not
 * exist answers NoSuchBucket before any access check (bucket names are public), as in AWS.
 */

// The table spans every operation's input shape; each rule reads only the members its operation has.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type In = any;
type Keys = Record<string, ContextValue | undefined>;
type Rule = (k: S3, i: In, ctx: RequestContext) => Promise<AuthzRequirement & { action: string }>;

/** Keys S3 adds to every request. */
function requestKeys(ctx: RequestContext): Keys {
  const presigned = /(^|&)X-Amz-Signature=/i.test(ctx.request.rawQuery);
  return { 's3:authType': presigned ? 'REST-QUERY-STRING' : 'REST-HEADER', 's3:signatureversion': 'AWS4-HMAC-SHA256' };
}

/** ExpectedBucketOwner: a mismatch is AccessDenied, whatever the policies say. */
function checkExpectedOwner(b: BucketDoc, expected: string | undefined): void {
  if (expected !== undefined && expected !== b.Owner) throw s3Errors.accessDenied();
}

/**
 * The engine learns the resource's account only through `resourcePolicy.accountId`; without it a bucket with no
 * policy would look like the caller's own, and another account's IAM policy alone would open it. So a bucket
 * without a policy is evaluated with one that matches nothing: cross-account callers are then denied "because no
 * resource-based policy allows" the action, exactly as AWS words it, and same-account evaluation is unchanged.
 */
const noPolicy = (bucket: string): string => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'NoBucketPolicy', Effect: 'Deny', Principal: '*', Action: 's3:VigilNoBucketPolicy', Resource: bucketArn(bucket) }],
});

export function bucketRequirement(ctx: RequestContext, b: BucketDoc, action: string, resource: string, keys: Keys = {}): AuthzRequirement & { action: string } {
  const policy = effectivePolicy(b, caller(ctx).accountId) ?? noPolicy(b.Name);
  return {
    action, resources: [resource], conditionKeys: { ...requestKeys(ctx), ...keys },
    resourcePolicy: { document: policy, kind: 'resource', id: bucketArn(b.Name), accountId: b.Owner },
  };
}

/** A second authorization inside one operation (copy source, each key of DeleteObjects), through the same engine. */
export function authorizeAlso(k: S3, ctx: RequestContext, req: AuthzRequirement & { action: string }): void {
  const conditionKeys = ctx.extraConditionKeys ? { ...ctx.extraConditionKeys, ...req.conditionKeys } : req.conditionKeys;
  authorize(ctx, caller(ctx), { ...req, conditionKeys }, req.action, k.now());
}

function tagKeys(prefix: 's3:RequestObjectTag' | 's3:ExistingObjectTag', tags: { Key: string; Value: string }[] | undefined): Keys {
  const keys: Keys = {};
  for (const t of tags ?? []) keys[`${prefix}/${t.Key}`] = t.Value;
  if (prefix === 's3:RequestObjectTag' && tags?.length) keys['s3:RequestObjectTagKeys'] = tags.map((t) => t.Key);
  return keys;
}

/** The SSE condition keys come from the request headers only (a bucket default does not set them), as in AWS. */
function writeKeys(i: In): Keys {
  return {
    's3:x-amz-server-side-encryption': i.ServerSideEncryption,
    's3:x-amz-server-side-encryption-aws-kms-key-id': i.SSEKMSKeyId,
    's3:x-amz-acl': i.ACL,
    's3:x-amz-storage-class': i.StorageClass,
    ...tagKeys('s3:RequestObjectTag', parseTaggingHeader(i.Tagging)),
  };
}

const onBucket = (action: string, keys: (i: In) => Keys = () => ({})): Rule => async (k, i, ctx) => {
  const b = await loadBucket(k, i.Bucket);
  checkExpectedOwner(b, i.ExpectedBucketOwner);
  return bucketRequirement(ctx, b, action, bucketArn(b.Name), keys(i));
};

const onObject = (action: string, keys: (i: In) => Keys = () => ({})): Rule => async (k, i, ctx) => {
  const b = await loadBucket(k, i.Bucket);
  checkExpectedOwner(b, i.ExpectedBucketOwner);
  return bucketRequirement(ctx, b, action, objectArn(b.Name, i.Key), keys(i));
};

/** Reading an object: its tags are s3:ExistingObjectTag/<key>. */
const readObject: Rule = async (k, i, ctx) => {
  const b = await loadBucket(k, i.Bucket);
  checkExpectedOwner(b, i.ExpectedBucketOwner);
  const o = await findObject(k, b, i.Key);
  return bucketRequirement(ctx, b, 's3:GetObject', objectArn(b.Name, i.Key), tagKeys('s3:ExistingObjectTag', o?.Tags));
};

/**
 * Parts carry no SSE headers; S3 applies the upload's encryption to them. Vigil evaluates them with the SSE
 * the upload was created with, so an "encrypted uploads only" policy admits the parts of an encrypted upload.
 */
const uploadWrite: Rule = async (k, i, ctx) => {
  const b = await loadBucket(k, i.Bucket);
  checkExpectedOwner(b, i.ExpectedBucketOwner);
  const upload = await loadUpload(k, b, i.Key, i.UploadId);
  return bucketRequirement(ctx, b, 's3:PutObject', objectArn(b.Name, i.Key), {
    's3:x-amz-server-side-encryption': upload.RequestedSse?.ServerSideEncryption,
    's3:x-amz-server-side-encryption-aws-kms-key-id': upload.RequestedSse?.SSEKMSKeyId,
  });
};

/** CopyObject and UploadPartCopy: s3:GetObject on the source (checked here) and s3:PutObject on the destination. */
const copy = (keys: (i: In) => Keys): Rule => async (k, i, ctx) => {
  const src = parseCopySource(i.CopySource);
  const sb = await loadBucket(k, src.bucket);
  checkExpectedOwner(sb, i.ExpectedSourceBucketOwner);
  const so = await findObject(k, sb, src.key);
  authorizeAlso(k, ctx, bucketRequirement(ctx, sb, 's3:GetObject', objectArn(sb.Name, src.key), tagKeys('s3:ExistingObjectTag', so?.Tags)));
  const b = await loadBucket(k, i.Bucket);
  checkExpectedOwner(b, i.ExpectedBucketOwner);
  return bucketRequirement(ctx, b, 's3:PutObject', objectArn(b.Name, i.Key), { 's3:x-amz-copy-source': i.CopySource, ...keys(i) });
};

/** Recreating a bucket is answered by the handler (owned: 200 or 409; someone else's: 409). */
const createBucket: Rule = async (_k, i, ctx) => {
  const constraint = i.CreateBucketConfiguration?.LocationConstraint;
  return {
    action: 's3:CreateBucket', resources: [bucketArn(i.Bucket)],
    conditionKeys: { ...requestKeys(ctx), 's3:LocationConstraint': constraint, 's3:x-amz-acl': i.ACL, 's3:x-amz-object-ownership': i.ObjectOwnership },
  };
};

const listKeys = (i: In): Keys => ({
  's3:prefix': i.Prefix, 's3:delimiter': i.Delimiter, 's3:max-keys': i.MaxKeys === undefined ? undefined : String(i.MaxKeys),
});

/**
 * DeleteObjects needs s3:DeleteObject on each key, checked per key by the handler (denied keys are reported in
 * the result, as S3 does), so the gateway has no single resource to check: the bucket must exist, nothing more.
 */
const deleteObjects: Rule = async (k, i, ctx) => {
  const b = await loadBucket(k, i.Bucket);
  checkExpectedOwner(b, i.ExpectedBucketOwner);
  return { ...bucketRequirement(ctx, b, 's3:DeleteObject', bucketArn(b.Name)), resources: [] };
};

const RULES: Record<string, Rule> = {
  ListBuckets: async (_k, _i, ctx) => ({ action: 's3:ListAllMyBuckets', resources: ['*'], conditionKeys: requestKeys(ctx) }),
  CreateBucket: createBucket,
  HeadBucket: onBucket('s3:ListBucket'),
  DeleteBucket: onBucket('s3:DeleteBucket'),
  GetBucketLocation: onBucket('s3:GetBucketLocation'),
  ListObjects: onBucket('s3:ListBucket', listKeys),
  ListObjectsV2: onBucket('s3:ListBucket', listKeys),
  ListMultipartUploads: onBucket('s3:ListBucketMultipartUploads', listKeys),
  PutBucketTagging: onBucket('s3:PutBucketTagging'),
  GetBucketTagging: onBucket('s3:GetBucketTagging'),
  DeleteBucketTagging: onBucket('s3:PutBucketTagging'),
  PutBucketEncryption: onBucket('s3:PutEncryptionConfiguration'),
  GetBucketEncryption: onBucket('s3:GetEncryptionConfiguration'),
  DeleteBucketEncryption: onBucket('s3:PutEncryptionConfiguration'),
  PutBucketPolicy: onBucket('s3:PutBucketPolicy'),
  GetBucketPolicy: onBucket('s3:GetBucketPolicy'),
  DeleteBucketPolicy: onBucket('s3:DeleteBucketPolicy'),
  GetBucketPolicyStatus: onBucket('s3:GetBucketPolicyStatus'),
  PutPublicAccessBlock: onBucket('s3:PutBucketPublicAccessBlock'),
  GetPublicAccessBlock: onBucket('s3:GetBucketPublicAccessBlock'),
  DeletePublicAccessBlock: onBucket('s3:PutBucketPublicAccessBlock'),
  PutObject: onObject('s3:PutObject', writeKeys),
  CreateMultipartUpload: onObject('s3:PutObject', writeKeys),
  UploadPart: uploadWrite,
  CompleteMultipartUpload: uploadWrite,
  UploadPartCopy: copy(() => ({})),
  CopyObject: copy((i) => ({ ...writeKeys(i), 's3:x-amz-metadata-directive': i.MetadataDirective })),
  GetObject: readObject,
  HeadObject: readObject,
  DeleteObject: onObject('s3:DeleteObject'),
  DeleteObjects: deleteObjects,
  AbortMultipartUpload: onObject('s3:AbortMultipartUpload'),
  ListParts: onObject('s3:ListMultipartUploadParts'),
};

export const AUTHORIZED_OPERATIONS: readonly string[] = Object.keys(RULES);

/** The gateway-facing authz function of one operation. */
export function authzFor(k: S3, operation: string): Authz {
  const rule = RULES[operation];
  if (!rule) throw new Error(`S3 operation ${operation} has no authorization rule`);
  return (input: Input, ctx: RequestContext) => rule(k, input, ctx);
}
