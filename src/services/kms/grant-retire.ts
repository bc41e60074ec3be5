import type { Principal } from '../../auth/types.js';
import type { RequestContext } from '../../gateway/context.js';
import type { RetireGrantRequest } from './api.generated.js';
import { grantRecordId } from './arns.js';
import type { Kms } from './context.js';
import { kmsErrors } from './errors.js';
import { grantIdOfToken } from './grant-tokens.js';
import { resolveKey } from './resolve.js';
import { KMS, type GrantDoc } from './store.js';

/** The grant a RetireGrant request names: by its token (any account), or by key and grant id. */
export async function findGrantToRetire(k: Kms, ctx: RequestContext, i: RetireGrantRequest): Promise<GrantDoc> {
  if (i.GrantToken) {
    const grantId = grantIdOfToken(i.GrantToken);
    const rec = await k.res.findById<GrantDoc>(KMS, 'grant', grantRecordId(ctx.region, grantId));
    if (!rec) throw kmsErrors.notFound('Unable to find the grant named by the grant token');
    if (i.GrantId && i.GrantId !== grantId) throw kmsErrors.invalidGrantId();
    return rec.doc;
  }
  if (!i.KeyId || !i.GrantId) throw kmsErrors.validation('Grant token OR (grant ID, key ID) must be specified');
  return grantOfKey(k, ctx, i.KeyId, i.GrantId);
}

/** A grant of the key `keyIdParam` names; InvalidGrantIdException when the key has no such grant. */
export async function grantOfKey(k: Kms, ctx: RequestContext, keyIdParam: string, grantId: string): Promise<GrantDoc> {
  const { key } = await resolveKey(k, ctx, keyIdParam);
  const rec = await k.res.get<GrantDoc>(key.AccountId, KMS, 'grant', grantRecordId(key.Region, grantId));
  if (!rec || rec.doc.KeyId !== key.KeyId) throw kmsErrors.invalidGrantId();
  return rec.doc;
}

const names = (p: Principal, value: string | undefined): boolean => value !== undefined && (value === p.arn || value === p.roleArn);

/** AWS: the retiring principal may retire a grant, and so may its grantee when the grant includes RetireGrant. */
export function isRetirer(g: GrantDoc, p: Principal): boolean {
  return names(p, g.RetiringPrincipal) || (g.Operations.includes('RetireGrant') && names(p, g.GranteePrincipal));
}
