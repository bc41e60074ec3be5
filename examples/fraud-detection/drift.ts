/**
 * Covariate drift for the traffic generator: transforms applied to freshly generated transactions so the live
 * feature distributions move away from the training baseline on demand. Each is spelled `name=value` on the
 * command line (`--drift amount=3 --drift hour=night`):
 *
 *   amount=F          multiply amount by F (and amount_vs_avg_ratio with it: customers' averages are unchanged)
 *   distance=+K       add K km to distance_from_home_km (negative allowed; clamped at 0)
 *   hour=night        draw the hour uniformly from 0–5 instead
 *   hour=+H           shift the hour by H (mod 24), e.g. a time-zone bug upstream
 *   card_present=P    card present with probability P (e.g. 0.2: a shift to card-not-present)
 *   velocity=F        multiply txn_count_1h / txn_count_24h by F (rounded, at least 1)
 *   category=C:S      a share S of transactions become merchant category C (e.g. electronics:0.5)
 */
import { MERCHANT_CATEGORIES, type MerchantCategory, type Transaction } from './features.js';
import type { Prng } from './prng.js';

export interface Drift {
  amountFactor?: number;
  distanceShiftKm?: number;
  hour?: { night: true } | { shift: number };
  cardPresentRate?: number;
  velocityFactor?: number;
  category?: { name: MerchantCategory; share: number };
}

function finite(value: string, spec: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new Error(`--drift ${spec}: '${value}' is not a number`);
  return n;
}

function probability(value: string, spec: string): number {
  const p = finite(value, spec);
  if (p < 0 || p > 1) throw new Error(`--drift ${spec}: ${p} is not a probability in [0, 1]`);
  return p;
}

/** Parses the `--drift` flags (see the file comment); later flags override earlier ones of the same name. */
export function parseDrift(specs: readonly string[]): Drift {
  const drift: Drift = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq < 0) throw new Error(`--drift ${spec}: expected name=value`);
    const name = spec.slice(0, eq).trim();
    const value = spec.slice(eq + 1).trim();
    switch (name) {
      case 'amount':
        drift.amountFactor = finite(value, spec);
        if (drift.amountFactor <= 0) throw new Error(`--drift ${spec}: the factor must be positive`);
        break;
      case 'distance':
        drift.distanceShiftKm = finite(value, spec);
        break;
      case 'hour':
        drift.hour = value === 'night' ? { night: true } : { shift: Math.round(finite(value, spec)) };
        break;
      case 'card_present':
        drift.cardPresentRate = probability(value, spec);
        break;
      case 'velocity':
        drift.velocityFactor = finite(value, spec);
        if (drift.velocityFactor <= 0) throw new Error(`--drift ${spec}: the factor must be positive`);
        break;
      case 'category': {
        const [category, share = '1'] = value.split(':');
        if (!(MERCHANT_CATEGORIES as readonly string[]).includes(category)) {
          throw new Error(`--drift ${spec}: category must be one of ${MERCHANT_CATEGORIES.join('|')}`);
        }
        drift.category = { name: category as MerchantCategory, share: probability(share, spec) };
        break;
      }
      default:
        throw new Error(`--drift ${spec}: unknown drift '${name}' (amount, distance, hour, card_present, velocity, category)`);
    }
  }
  return drift;
}

export const isNoDrift = (d: Drift): boolean => Object.keys(d).length === 0;

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** A drifted copy of `t`. Randomised drifts draw from `rng`, so a seeded run stays reproducible. */
export function applyDrift(t: Transaction, drift: Drift, rng: Prng): Transaction {
  const out = { ...t };
  if (drift.category && rng.bernoulli(drift.category.share)) out.merchant_category = drift.category.name;
  if (drift.amountFactor !== undefined) {
    out.amount = Math.max(0.01, round(out.amount * drift.amountFactor, 2));
    out.amount_vs_avg_ratio = round(out.amount_vs_avg_ratio * drift.amountFactor, 3);
  }
  if (drift.distanceShiftKm !== undefined) {
    out.distance_from_home_km = Math.max(0, round(out.distance_from_home_km + drift.distanceShiftKm, 1));
  }
  if (drift.hour) out.hour = 'night' in drift.hour ? rng.int(0, 5) : (((out.hour + drift.hour.shift) % 24) + 24) % 24;
  if (drift.cardPresentRate !== undefined) out.card_present = rng.bernoulli(drift.cardPresentRate) ? 1 : 0;
  if (drift.velocityFactor !== undefined) {
    out.txn_count_1h = Math.max(1, Math.round(out.txn_count_1h * drift.velocityFactor));
    out.txn_count_24h = Math.max(out.txn_count_1h, Math.round(out.txn_count_24h * drift.velocityFactor));
  }
  return out;
}
