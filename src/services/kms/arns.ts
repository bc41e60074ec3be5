/** KMS identifiers: key ids (UUIDs), key ARNs, alias names and alias ARNs. KMS is regional. */
export const keyArn = (region: string, account: string, keyId: string): string => `arn:aws:kms:${region}:${account}:key/${keyId}`;
export const aliasArn = (region: string, account: string, aliasName: string): string => `arn:aws:kms:${region}:${account}:${aliasName}`;
export const accountRootArn = (account: string): string => `arn:aws:iam::${account}:root`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KMS_ARN = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/;

export const isKeyUuid = (s: string): boolean => UUID.test(s);

/** What a KeyId parameter names; `account`/`region` are absent when the caller's own are meant. */
export type KeyRef =
  | { kind: 'key'; keyId: string; account?: string; region?: string }
  | { kind: 'alias'; aliasName: string; account?: string; region?: string }
  | { kind: 'invalid'; raw: string };

export function parseKeyRef(raw: string): KeyRef {
  if (raw.startsWith('alias/')) return { kind: 'alias', aliasName: raw };
  const m = KMS_ARN.exec(raw);
  if (m) {
    const [, region, account, type, rest] = m;
    if (type === 'alias') return { kind: 'alias', aliasName: `alias/${rest}`, account, region };
    return isKeyUuid(rest) ? { kind: 'key', keyId: rest.toLowerCase(), account, region } : { kind: 'invalid', raw };
  }
  return isKeyUuid(raw) ? { kind: 'key', keyId: raw.toLowerCase() } : { kind: 'invalid', raw };
}

/** Store ids are region-qualified (keys and aliases are regional; key UUIDs alone are unique anyway). */
export const keyRecordId = (region: string, keyId: string): string => `${region}/${keyId}`;
export const aliasRecordId = (region: string, aliasName: string): string => `${region}/${aliasName}`;
export const grantRecordId = (region: string, grantId: string): string => `${region}/${grantId}`;
