import { MasterKey } from './masterkey.js';

/**
 * Two-level keys: every secret in the state store is sealed under a random *state key*; only the state key is
 * sealed under the operator's master key (meta row `state-key`). Rotating the master key therefore re-wraps one
 * value, atomically, while running replicas (which hold the unwrapped state key) keep serving.
 */
export const STATE_KEY_META = 'state-key';
export const MASTER_FINGERPRINT_META = 'master-key-fingerprint';
const WRAP_CONTEXT = 'vigil:state-key';

export class MasterKeyMismatchError extends Error {}

/** Minimal view of the meta store this needs (so the core stays free of state-layer imports). */
export interface MetaAccess {
  get(key: string): Promise<string | undefined>;
  setIfAbsent(key: string, value: string): Promise<string>;
}

/**
 * Unwraps the state key with `master`, creating it on first start (first writer wins across replicas).
 * Throws MasterKeyMismatchError when the data was created under another master key.
 */
export async function loadStateKey(meta: MetaAccess, master: MasterKey, where: string): Promise<MasterKey> {
  const fingerprint = await meta.setIfAbsent(MASTER_FINGERPRINT_META, master.fingerprint());
  if (fingerprint !== master.fingerprint()) throw mismatch(where);
  const wrapped = await meta.setIfAbsent(STATE_KEY_META, master.seal(MasterKey.generate().toBase64(), WRAP_CONTEXT));
  try {
    return MasterKey.fromBase64(master.open(wrapped, WRAP_CONTEXT).toString('utf8'));
  } catch {
    throw mismatch(where);
  }
}

/** The new meta values that re-wrap the state key under `next` (the caller writes both in one transaction). */
export function rewrapStateKey(wrapped: string, current: MasterKey, next: MasterKey): Record<string, string> {
  const stateKey = current.open(wrapped, WRAP_CONTEXT);
  return { [STATE_KEY_META]: next.seal(stateKey, WRAP_CONTEXT), [MASTER_FINGERPRINT_META]: next.fingerprint() };
}

function mismatch(where: string): MasterKeyMismatchError {
  return new MasterKeyMismatchError(`the master key does not match the data in ${where}: start with the key this data was ` +
    'created with (VIGIL_MASTER_KEY, --master-key-file, or DIR/master.key)');
}
