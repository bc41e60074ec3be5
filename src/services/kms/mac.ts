import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MacAlgorithmSpec } from './api.generated.js';
import type { Kms } from './context.js';
import { handlers } from './define.js';
import { kmsErrors } from './errors.js';
import { checkGrantTokens } from './grant-tokens.js';
import { backingKey } from './material.js';
import type { Operations } from './model.js';
import { requireEnabled, requireUsage, resolveKey } from './resolve.js';
import type { KeyDoc } from './store.js';

/** HMAC keys: HMAC_SHA_<n> with a key of spec HMAC_<n> only, as AWS requires. */
const HASH_OF: Record<MacAlgorithmSpec, string> = {
  HMAC_SHA_224: 'sha224', HMAC_SHA_256: 'sha256', HMAC_SHA_384: 'sha384', HMAC_SHA_512: 'sha512',
};

async function mac(k: Kms, key: KeyDoc, alg: MacAlgorithmSpec, message: Uint8Array, operation: string): Promise<Buffer> {
  requireEnabled(key);
  requireUsage(key, 'GENERATE_VERIFY_MAC', operation);
  if (`HMAC_${alg.slice('HMAC_SHA_'.length)}` !== key.KeySpec) {
    throw kmsErrors.invalidKeyUsageMessage(`Algorithm ${alg} is incompatible with key spec ${key.KeySpec}.`);
  }
  const material = await backingKey(k, key, key.CurrentVersion);
  if (!material) throw new Error(`backing key of ${key.Arn} is missing`);
  return createHmac(HASH_OF[alg], material).update(message).digest();
}

export function macHandlers(k: Kms) {
  return handlers<Operations>()({
    GenerateMac: {
      readOnly: true,
      handler: async (i, ctx) => {
        checkGrantTokens(i.GrantTokens);
        const { key } = await resolveKey(k, ctx, i.KeyId);
        return { Mac: await mac(k, key, i.MacAlgorithm, i.Message, 'GenerateMac'), MacAlgorithm: i.MacAlgorithm, KeyId: key.Arn };
      },
    },
    VerifyMac: {
      readOnly: true,
      handler: async (i, ctx) => {
        checkGrantTokens(i.GrantTokens);
        const { key } = await resolveKey(k, ctx, i.KeyId);
        const expected = await mac(k, key, i.MacAlgorithm, i.Message, 'VerifyMac');
        const given = Buffer.from(i.Mac.buffer, i.Mac.byteOffset, i.Mac.byteLength);
        // A MAC that does not verify is an error in KMS, not MacValid: false.
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw kmsErrors.invalidMac();
        return { KeyId: key.Arn, MacValid: true, MacAlgorithm: i.MacAlgorithm };
      },
    },
  });
}
