import type { BucketDoc } from './store.js';

/**
 * When S3 considers a bucket policy public (Block Public Access, GetBucketPolicyStatus): an Allow statement whose
 * principal is everyone (`"*"`, `{"AWS": "*"}`, or any NotPrincipal) unless a condition pins one of the keys AWS
 * accepts as restricting to fixed values, with an operator that cannot widen them (no negation, no wildcards).
 */
const RESTRICTING_KEYS = new Set([
  'aws:principalaccount', 'aws:principalarn', 'aws:principalorgid', 'aws:sourceaccount', 'aws:sourcearn', 'aws:sourceip',
  'aws:sourceowner', 'aws:sourcevpc', 'aws:sourcevpce', 'aws:userid', 's3:dataaccesspointarn', 's3:dataaccesspointaccount',
]);
const FIXED_OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike', 'arnequals', 'arnlike', 'ipaddress']);

type Json = Record<string, unknown>;

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

function isEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  return asArray((principal as Json).AWS).includes('*');
}

/** An IP range narrower than /8 (IPv4) or /32 (IPv6) counts as fixed; 0.0.0.0/0 obviously does not. */
function isFixedIp(value: string): boolean {
  const [addr, bits] = value.split('/');
  if (bits === undefined) return true;
  return Number(bits) >= (addr.includes(':') ? 32 : 8);
}

function isFixedValue(key: string, value: unknown): boolean {
  if (typeof value !== 'string' || value === '' || /[*?]/.test(value)) return false;
  return key !== 'aws:sourceip' || isFixedIp(value);
}

function restricts(condition: unknown): boolean {
  if (typeof condition !== 'object' || condition === null) return false;
  for (const [operator, block] of Object.entries(condition as Json)) {
    if (!FIXED_OPERATORS.has(operator.toLowerCase().replace(/^forallvalues:|^foranyvalue:/, ''))) continue;
    if (typeof block !== 'object' || block === null) continue;
    for (const [key, values] of Object.entries(block as Json)) {
      const k = key.toLowerCase();
      const list = asArray(values);
      if (RESTRICTING_KEYS.has(k) && list.length > 0 && list.every((v) => isFixedValue(k, v))) return true;
    }
  }
  return false;
}

function statements(doc: string): Json[] {
  try {
    const parsed = JSON.parse(doc) as Json;
    return asArray(parsed.Statement).filter((s): s is Json => typeof s === 'object' && s !== null);
  } catch {
    return [];
  }
}

export function isPublicStatement(s: Json): boolean {
  if (s.Effect !== 'Allow') return false;
  const everyone = s.NotPrincipal !== undefined || isEveryone(s.Principal);
  return everyone && !restricts(s.Condition);
}

export function isPublicPolicy(doc: string): boolean {
  return statements(doc).some(isPublicStatement);
}

/**
 * The bucket policy the engine should evaluate for this caller. With RestrictPublicBuckets on and a public
 * policy, only principals of the owner's account (and AWS services) get in through it: for anyone else only its
 * Deny statements still apply.
 */
export function effectivePolicy(b: BucketDoc, callerAccount: string): string | undefined {
  if (!b.Policy) return undefined;
  if (!b.PublicAccessBlock?.RestrictPublicBuckets || callerAccount === b.Owner || !isPublicPolicy(b.Policy)) return b.Policy;
  const denies = statements(b.Policy).filter((s) => s.Effect === 'Deny');
  if (!denies.length) return undefined;
  const parsed = JSON.parse(b.Policy) as Json;
  return JSON.stringify({ ...parsed, Statement: denies });
}
