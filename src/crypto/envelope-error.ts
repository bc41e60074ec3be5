/**
 * Every integrity failure of an envelope: a malformed, truncated, reordered, spliced or altered message, a header
 * that does not match the expected context or key, or a data key that does not open it. Messages name the part
 * that failed but never include key material or plaintext.
 *
 * Errors thrown by the DataKeyProvider (KMS: AccessDenied, DisabledException, InvalidCiphertextException, …) are
 * passed through unchanged, so the caller can answer with the same error AWS would.
 */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}
