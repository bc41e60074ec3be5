import { describe, expect, it } from 'vitest';
import { applyDrift, parseDrift } from './drift.js';
import { drawTransaction } from './generate.js';
import { Prng } from './prng.js';

describe('drift', () => {
  it('parses the documented specs', () => {
    expect(parseDrift(['amount=3', 'distance=+50', 'hour=night', 'card_present=0.2', 'velocity=2', 'category=electronics:0.5'])).toEqual({
      amountFactor: 3,
      distanceShiftKm: 50,
      hour: { night: true },
      cardPresentRate: 0.2,
      velocityFactor: 2,
      category: { name: 'electronics', share: 0.5 },
    });
    expect(parseDrift(['hour=-3'])).toEqual({ hour: { shift: -3 } });
  });

  it('rejects unknown or malformed specs', () => {
    expect(() => parseDrift(['price=2'])).toThrow(/unknown drift 'price'/);
    expect(() => parseDrift(['amount'])).toThrow(/name=value/);
    expect(() => parseDrift(['amount=abc'])).toThrow(/not a number/);
    expect(() => parseDrift(['card_present=2'])).toThrow(/probability/);
    expect(() => parseDrift(['category=pets'])).toThrow(/category must be one of/);
  });

  it('moves the features it names and keeps the rest', () => {
    const t = drawTransaction(new Prng(5));
    const d = applyDrift(t, parseDrift(['amount=3', 'distance=100', 'hour=+30']), new Prng(6));
    expect(d.amount).toBeCloseTo(t.amount * 3, 2);
    expect(d.amount_vs_avg_ratio).toBeCloseTo(t.amount_vs_avg_ratio * 3, 3);
    expect(d.distance_from_home_km).toBeCloseTo(t.distance_from_home_km + 100, 1);
    expect(d.hour).toBe((t.hour + 30) % 24);
    expect({ ...d, amount: 0, amount_vs_avg_ratio: 0, distance_from_home_km: 0, hour: 0 }).toEqual({
      ...t,
      amount: 0,
      amount_vs_avg_ratio: 0,
      distance_from_home_km: 0,
      hour: 0,
    });
    const rng = new Prng(8);
    for (let i = 0; i < 100; i++) expect(applyDrift(t, { hour: { night: true } }, rng).hour).toBeLessThanOrEqual(5);
  });
});
