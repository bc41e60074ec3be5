/**
 * Seals secrets (access-key secrets, session secrets, key material) under the master key.
 * `context` is bound as additional authenticated data, so a sealed value moved to another row fails to open.
 */
export interface SecretBox {
  seal(plaintext: Buffer | string, context: string): string;
  /** Throws if the value was tampered with, sealed under another key or for another context. */
  open(sealed: string, context: string): Buffer;
}
