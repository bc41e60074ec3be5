import { randomBytes } from 'node:crypto';

/** AWS key ids and unique ids use the RFC 4648 base32 alphabet (upper case letters and 2–7). */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  // 256 is a multiple of 32, so masking keeps the distribution uniform.
  for (const b of bytes) out += BASE32[b & 31];
  return out;
}

/** Unique ids: AIDA (user), AROA (role), AGPA (group), ANPA (managed policy), 21 characters like AWS's. */
export type UniqueIdPrefix = 'AIDA' | 'AROA' | 'AGPA' | 'ANPA';
export function newUniqueId(prefix: UniqueIdPrefix): string {
  return prefix + randomBase32(17);
}

/** Long-term keys start with AKIA, temporary (STS) keys with ASIA; 20 characters in all. */
export function newAccessKeyId(prefix: 'AKIA' | 'ASIA'): string {
  return prefix + randomBase32(16);
}

/** 30 random bytes are exactly 40 base64 characters, the length and alphabet of an AWS secret key. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

/** An opaque bearer token; long and random like AWS's (which carry ~2 KB of encrypted claims). */
export function newSessionToken(): string {
  return 'IQoJdmlnaWwQ' + randomBytes(192).toString('base64');
}
