import { randomBytes } from 'node:crypto';
import type { Kms } from './context.js';
import { kmsErrors } from './errors.js';
import { listAll, type GrantDoc } from './store.js';

/**
 * Grant ids are 64 hex digits, as AWS's. A grant token names its grant: version byte ‖ grant id (32 bytes) ‖
 * 16 random bytes (AWS returns a new token for every CreateGrant, even one answered with an existing grant),
 * base64url. Tokens confer nothing by themselves: the grant they name must still exist and name the caller.
 * Vigil's grants are effective at once, so a token is never needed for a new grant to work; tokens are
 * validated, and RetireGrant accepts them in place of KeyId + GrantId.
 */
const TOKEN_VERSION = 0x01;
const GRANT_ID_BYTES = 32;
const NONCE_BYTES = 16;

export const newGrantId = (): string => randomBytes(GRANT_ID_BYTES).toString('hex');

export function grantToken(grantId: string): string {
  return Buffer.concat([Buffer.of(TOKEN_VERSION), Buffer.from(grantId, 'hex'), randomBytes(NONCE_BYTES)]).toString('base64url');
}

/** The grant id a token names; InvalidGrantTokenException when it is not a token of ours. */
export function grantIdOfToken(token: string): string {
  const bytes = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url') : Buffer.alloc(0);
  if (bytes.length !== 1 + GRANT_ID_BYTES + NONCE_BYTES || bytes[0] !== TOKEN_VERSION) throw kmsErrors.invalidGrantToken();
  return bytes.toString('hex', 1, 1 + GRANT_ID_BYTES);
}

/** Every token in a request must be well-formed, as AWS checks GrantTokens on each operation that takes them. */
export function checkGrantTokens(tokens: string[] | undefined): void {
  for (const t of tokens ?? []) grantIdOfToken(t);
}

export async function grantsOfKey(k: Kms, account: string, keyId: string): Promise<GrantDoc[]> {
  return (await listAll<GrantDoc>(k.res, account, 'grant', { parentId: keyId })).map((r) => r.doc);
}
