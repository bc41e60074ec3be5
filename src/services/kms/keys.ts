import type { RequestContext } from '../../gateway/context.js';
import type { CreateKeyRequest, KeyMetadata, KeySpec, KeyUsageType } from './api.generated.js';
import { accountOf, type Kms } from './context.js';
import { handlers } from './define.js';
import { kmsErrors } from './errors.js';
import { checkGrantTokens } from './grant-tokens.js';
import { insertKey, saveKey, scheduleRotationAt } from './key-records.js';
import { keyPage, pageFields } from './paging.js';
import type { Operations } from './model.js';
import { acceptedPolicy, defaultKeyPolicy } from './policy.js';
import { requireNotPendingDeletion, resolveKey } from './resolve.js';
import { removeDue } from './schedule-index.js';
import type { KeyDoc } from './store.js';
import { checkTags } from './tags.js';

/** Key specs Vigil implements, with the one usage each allows. Asymmetric specs answer NotImplemented. */
const USAGE_OF_SPEC: Partial<Record<KeySpec, KeyUsageType>> = {
  SYMMETRIC_DEFAULT: 'ENCRYPT_DECRYPT', HMAC_224: 'GENERATE_VERIFY_MAC', HMAC_256: 'GENERATE_VERIFY_MAC',
  HMAC_384: 'GENERATE_VERIFY_MAC', HMAC_512: 'GENERATE_VERIFY_MAC',
};

export function keyMetadata(key: KeyDoc): KeyMetadata {
  const meta: KeyMetadata = {
    AWSAccountId: key.AccountId, KeyId: key.KeyId, Arn: key.Arn, CreationDate: new Date(key.CreationDate),
    Enabled: key.KeyState === 'Enabled', Description: key.Description, KeyUsage: key.KeyUsage, KeyState: key.KeyState,
    Origin: 'AWS_KMS', KeyManager: key.KeyManager, CustomerMasterKeySpec: key.KeySpec, KeySpec: key.KeySpec, MultiRegion: false,
  };
  if (key.KeyUsage === 'ENCRYPT_DECRYPT') meta.EncryptionAlgorithms = ['SYMMETRIC_DEFAULT'];
  else meta.MacAlgorithms = [`HMAC_SHA_${key.KeySpec.slice('HMAC_'.length)}` as NonNullable<KeyMetadata['MacAlgorithms']>[number]];
  if (key.DeletionDate) {
    meta.DeletionDate = new Date(key.DeletionDate);
    meta.PendingDeletionWindowInDays = key.PendingDeletionWindowInDays;
  }
  return meta;
}

/** KeySpec/KeyUsage as CreateKey accepts them (AWS's rules and wording). */
function specAndUsage(i: CreateKeyRequest): { spec: KeySpec; usage: KeyUsageType } {
  if (i.KeySpec && i.CustomerMasterKeySpec) {
    throw kmsErrors.validation('You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.');
  }
  const spec = i.KeySpec ?? i.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
  const allowed = USAGE_OF_SPEC[spec];
  if (!allowed) throw kmsErrors.notImplemented(`KeySpec ${spec}`);
  if (!i.KeyUsage && spec !== 'SYMMETRIC_DEFAULT') {
    throw kmsErrors.validation('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
  }
  const usage = i.KeyUsage ?? allowed;
  if (usage !== allowed) throw kmsErrors.validation(`KeyUsage ${usage} is not compatible with KeySpec ${spec}`);
  return { spec, usage };
}

function unsupportedCreateOptions(i: CreateKeyRequest): void {
  if (i.Origin && i.Origin !== 'AWS_KMS') throw kmsErrors.notImplemented(`Origin ${i.Origin}`);
  if (i.CustomKeyStoreId || i.XksKeyId) throw kmsErrors.notImplemented('Custom key stores');
  if (i.MultiRegion) throw kmsErrors.notImplemented('Multi-Region keys');
}

async function createKey(k: Kms, ctx: RequestContext, i: CreateKeyRequest): Promise<KeyDoc> {
  unsupportedCreateOptions(i);
  const { spec, usage } = specAndUsage(i);
  const account = accountOf(ctx);
  const tags = checkTags(i.Tags);
  return insertKey(k, {
    account, region: ctx.region, description: i.Description ?? '', keySpec: spec, keyUsage: usage, keyManager: 'CUSTOMER', tags,
    policy: (arn) => (i.Policy === undefined ? defaultKeyPolicy(account) : acceptedPolicy(k, ctx, i.Policy, arn, account, i.BypassPolicyLockoutSafetyCheck)),
  });
}

/** Enable/Disable/UpdateKeyDescription share this: load, check state, change, save, in one transaction. */
async function changeKey(k: Kms, ctx: RequestContext, keyId: string, change: (key: KeyDoc) => Promise<void> | void): Promise<void> {
  await k.tx(async () => {
    const { key } = await resolveKey(k, ctx, keyId);
    requireNotPendingDeletion(key);
    await change(key);
    await saveKey(k, key);
  });
}

/** Re-enabling a key resumes its automatic rotation; a rotation missed while disabled happens at the next sweep. */
async function enable(k: Kms, key: KeyDoc): Promise<void> {
  if (key.KeyState === 'Enabled') return;
  key.KeyState = 'Enabled';
  if (key.Rotation && !key.RotationDue) {
    const next = Math.max(Date.parse(key.Rotation.NextRotationDate), k.now().getTime());
    await scheduleRotationAt(k, key, key.Rotation.PeriodInDays, new Date(next));
  }
}

async function disable(k: Kms, key: KeyDoc): Promise<void> {
  key.KeyState = 'Disabled';
  await removeDue(k, key.RotationDue);
  key.RotationDue = undefined;
}

export function keyHandlers(k: Kms) {
  return handlers<Operations>()({
    CreateKey: {
      handler: async (i, ctx) => ({ KeyMetadata: keyMetadata(await createKey(k, ctx, i)) }),
    },
    DescribeKey: {
      readOnly: true,
      handler: async (i, ctx) => {
        checkGrantTokens(i.GrantTokens);
        return { KeyMetadata: keyMetadata((await resolveKey(k, ctx, i.KeyId)).key) };
      },
    },
    ListKeys: {
      readOnly: true,
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        const page = await keyPage(k, account, ctx.region, i.Limit, i.Marker);
        return { Keys: page.items.map((key) => ({ KeyId: key.KeyId, KeyArn: key.Arn })), ...pageFields(page) };
      },
    },
    UpdateKeyDescription: {
      handler: (i, ctx) => changeKey(k, ctx, i.KeyId, (key) => {
        key.Description = i.Description;
      }),
    },
    EnableKey: { handler: (i, ctx) => changeKey(k, ctx, i.KeyId, (key) => enable(k, key)) },
    DisableKey: { handler: (i, ctx) => changeKey(k, ctx, i.KeyId, (key) => disable(k, key)) },
  });
}
