import type { ContextValue, EvaluationPrincipal } from './types.js';

/**
 * Case-insensitive view of the caller's request context. Condition key names are case-insensitive in AWS
 * (tag keys inside `aws:RequestTag/…` too), but policies nearly always spell keys the way the caller does, so
 * we try the exact spelling first and only build a lower-cased index when that misses.
 */
export class ContextView {
  private lowered: Map<string, ContextValue | undefined> | undefined;

  constructor(
    private readonly raw: Record<string, ContextValue | undefined>,
    private readonly principal: EvaluationPrincipal,
  ) {}

  /** `lowerKey` must be `key.toLowerCase()` (callers precompute it once per policy). */
  get(key: string, lowerKey: string): ContextValue | undefined {
    const raw = this.raw;
    if (Object.hasOwn(raw, key)) {
      const v = raw[key];
      if (v !== undefined) return v;
    }
    const v = this.index().get(lowerKey);
    return v !== undefined ? v : derivedKey(lowerKey, this.principal);
  }

  /** A single value (for policy variables): a one-element array counts, several values do not. */
  single(key: string, lowerKey: string): string | undefined {
    const v = this.get(key, lowerKey);
    if (typeof v === 'string') return v;
    return v !== undefined && v.length === 1 ? v[0] : undefined;
  }

  private index(): Map<string, ContextValue | undefined> {
    if (!this.lowered) {
      this.lowered = new Map();
      for (const k of Object.keys(this.raw)) {
        const v = this.raw[k];
        if (v !== undefined) this.lowered.set(k.toLowerCase(), v);
      }
    }
    return this.lowered;
  }
}

/**
 * Keys AWS always puts in the context that follow from the principal alone. The gateway normally supplies
 * them; deriving them here keeps direct callers (simulation, tests, internal calls) consistent with it.
 */
function derivedKey(lowerKey: string, p: EvaluationPrincipal): string | undefined {
  switch (lowerKey) {
    case 'aws:principalarn':
      if (p.type === 'Anonymous' || p.type === 'Service') return undefined;
      return p.type === 'AssumedRole' && p.roleArn ? p.roleArn : p.arn;
    case 'aws:principalaccount':
      return p.type === 'Anonymous' || p.type === 'Service' ? undefined : p.accountId;
    case 'aws:principaltype':
      return p.type === 'Root' ? 'Account' : p.type === 'Service' ? undefined : p.type;
    case 'aws:username':
      return p.type === 'User' ? p.arn.slice(p.arn.lastIndexOf('/') + 1) : undefined;
    case 'aws:principalservicename':
      return p.type === 'Service' ? p.servicePrincipal : undefined;
    default:
      return undefined;
  }
}
