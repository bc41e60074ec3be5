import type { Principal } from '../../auth/types.js';
import type { DataKeyMaterial } from '../../crypto/data-key-cache.js';
import type { DataKeyProvider } from '../../crypto/envelope-message.js';
import type { InternalCaller } from '../../server/deps.js';

/**
 * The envelope core's DataKeyProvider backed by Vigil's KMS, called through the gateway as `principal` with
 * `viaService` (e.g. S3 encrypting an object for its caller). Each call is therefore authorized (key policy,
 * grants, IAM, kms:ViaService / kms:EncryptionContext conditions) and audited with userIdentity.invokedBy, exactly
 * as AWS KMS sees S3's calls. KMS's ServiceErrors (AccessDeniedException, DisabledException, NotFoundException,
 * InvalidCiphertextException…) pass through unchanged so the calling service can map them to its own codes.
 */
export function kmsDataKeyProvider(
  internal: InternalCaller,
  principal: Principal,
  opts: { region: string; viaService: string },
): DataKeyProvider {
  const call = (operation: string, input: Record<string, unknown>) =>
    internal.call(principal, 'kms', operation, input, { region: opts.region, viaService: opts.viaService });
  return {
    async generateDataKey(keyId: string, context: Record<string, string>): Promise<DataKeyMaterial> {
      const out = await call('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256', ...contextMember(context) });
      return { keyArn: String(out.KeyId), plaintext: bytes(out.Plaintext, 'Plaintext'), encryptedKey: bytes(out.CiphertextBlob, 'CiphertextBlob') };
    },
    async decryptDataKey(encryptedKey: Buffer, keyArn: string, context: Record<string, string>): Promise<Buffer> {
      // KeyId pins the key: KMS answers IncorrectKeyException rather than decrypting under another key.
      const out = await call('Decrypt', { CiphertextBlob: encryptedKey, KeyId: keyArn, ...contextMember(context) });
      return bytes(out.Plaintext, 'Plaintext');
    },
  };
}

/** KMS treats an absent and an empty context alike; omitting it keeps the audit record free of an empty map. */
function contextMember(context: Record<string, string>): { EncryptionContext?: Record<string, string> } {
  return Object.keys(context).length > 0 ? { EncryptionContext: context } : {};
}

function bytes(value: unknown, member: string): Buffer {
  if (!(value instanceof Uint8Array)) throw new TypeError(`KMS response has no ${member}`);
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
