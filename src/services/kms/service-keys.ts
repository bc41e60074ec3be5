import type { RequestContext } from '../../gateway/context.js';
import type { ServiceError } from '../../protocol/errors.js';
import type { ServiceDeps } from '../../server/deps.js';
import { insertAlias } from './aliases.js';
import { accountRootArn, keyRecordId, parseKeyRef } from './arns.js';
import { accountOf, kmsContext, type Kms } from './context.js';
import { insertKey } from './key-records.js';
import { findAlias, isDeleted } from './resolve.js';
import { DEFAULT_ROTATION_DAYS } from './rotation.js';
import { KMS, type KeyDoc } from './store.js';

/**
 * AWS managed keys (`alias/aws/<service>`): the default key a service encrypts with when the user names none.
 * Created on first use, with AWS's policy shape: anyone in the account may use the key through that service
 * (kms:ViaService), the account may read its metadata, and nobody may change, disable or delete it.
 */
export type ManagedKeyService = 's3' | 'sagemaker';

const SERVICES: Record<ManagedKeyService, string> = { s3: 'S3', sagemaker: 'SageMaker' };

export function managedKeyPolicy(account: string, region: string, service: ManagedKeyService): string {
  const label = SERVICES[service];
  return JSON.stringify({
    Version: '2012-10-17',
    Id: `auto-${service}-1`,
    Statement: [
      {
        Sid: `Allow access through ${label} for all principals in the account that are authorized to use ${label}`,
        Effect: 'Allow', Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
        // AWS writes the regional service name; internal calls may carry either spelling.
        Condition: { StringEquals: { 'kms:CallerAccount': account, 'kms:ViaService': [`${service}.${region}.amazonaws.com`, `${service}.amazonaws.com`] } },
      },
      {
        Sid: 'Allow direct access to key metadata to the account',
        Effect: 'Allow', Principal: { AWS: accountRootArn(account) },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'], Resource: '*',
      },
    ],
  });
}

async function existingManagedKey(k: Kms, account: string, region: string, name: string): Promise<KeyDoc | undefined> {
  const alias = await findAlias(k, account, region, name);
  if (!alias) return undefined;
  const rec = await k.res.get<KeyDoc>(account, KMS, 'key', keyRecordId(region, alias.TargetKeyId));
  return rec && !isDeleted(rec.doc, k.now()) ? rec.doc : undefined;
}

async function ensureManaged(k: Kms, account: string, region: string, service: ManagedKeyService): Promise<KeyDoc> {
  const name = `alias/aws/${service}`;
  for (let attempt = 0; ; attempt++) {
    const found = await existingManagedKey(k, account, region, name);
    if (found) return found;
    try {
      return await k.tx(async () => {
        const key = await insertKey(k, {
          account, region, description: `Default key that protects my ${SERVICES[service]} data when no other key is defined`,
          keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', keyManager: 'AWS', tags: [],
          policy: () => managedKeyPolicy(account, region, service), rotationPeriodInDays: DEFAULT_ROTATION_DAYS,
        });
        await insertAlias(k, key, name);
        return key;
      });
    } catch (err) {
      // Another request created the alias first: its key wins, ours was rolled back with the transaction.
      if ((err as ServiceError).code !== 'AlreadyExistsException' || attempt >= 2) throw err;
    }
  }
}

/** The key ARN of the account's AWS managed key for `service` in `region`, created on first use. */
export async function ensureServiceKey(deps: ServiceDeps, accountId: string, region: string, service: ManagedKeyService): Promise<string> {
  return (await ensureManaged(kmsContext(deps), accountId, region, service)).Arn;
}

/**
 * AWS: DescribeKey on a predefined AWS alias that has no key yet creates the AWS managed key. Vigil knows the
 * aliases of the services it implements.
 */
export async function ensureAwsManagedAlias(k: Kms, ctx: RequestContext, raw: string): Promise<void> {
  const ref = parseKeyRef(raw);
  if (ref.kind !== 'alias' || (ref.region && ref.region !== ctx.region)) return;
  const service = ref.aliasName.slice('alias/aws/'.length) as ManagedKeyService;
  if (!ref.aliasName.startsWith('alias/aws/') || !Object.hasOwn(SERVICES, service)) return;
  const account = ref.account ?? accountOf(ctx);
  if (account !== accountOf(ctx)) return;
  await ensureManaged(k, account, ctx.region, service);
}
