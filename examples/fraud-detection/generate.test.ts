import { describe, expect, it } from 'vitest';
import { parseTransactionsCsv, toCsv } from './csv.js';
import { MODEL_FEATURES, encodeFeatures } from './features.js';
import { generateTransactions, splitTrainValidation } from './generate.js';

describe('generateTransactions', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = toCsv(generateTransactions({ rows: 500, seed: 1 }));
    expect(toCsv(generateTransactions({ rows: 500, seed: 1 }))).toBe(a);
    expect(toCsv(generateTransactions({ rows: 500, seed: 2 }))).not.toBe(a);
  });

  it('has a plausible fraud rate and in-range fields', () => {
    const rows = generateTransactions({ rows: 5000, seed: 42 });
    const rate = rows.filter((r) => r.is_fraud === 1).length / rows.length;
    expect(rate).toBeGreaterThan(0.01);
    expect(rate).toBeLessThan(0.06);
    for (const r of rows) {
      expect(r.hour).toBeGreaterThanOrEqual(0);
      expect(r.hour).toBeLessThanOrEqual(23);
      expect(r.amount).toBeGreaterThan(0);
      expect(r.txn_count_1h).toBeGreaterThanOrEqual(1);
      expect(r.txn_count_24h).toBeGreaterThanOrEqual(r.txn_count_1h);
      if (r.merchant_category === 'online') expect(r.card_present).toBe(0);
    }
    // Fraud concentrates where the rule says it should.
    const rateWhere = (pred: (r: (typeof rows)[number]) => boolean): number => {
      const sub = rows.filter(pred);
      return sub.filter((r) => r.is_fraud === 1).length / sub.length;
    };
    expect(rateWhere((r) => r.card_present === 0)).toBeGreaterThan(2 * rateWhere((r) => r.card_present === 1));
  });

  it('round-trips through CSV, label first with a header', () => {
    const rows = generateTransactions({ rows: 200, seed: 3 });
    const text = toCsv(rows);
    expect(text.split('\n')[0].startsWith('is_fraud,amount,merchant_category,')).toBe(true);
    expect(parseTransactionsCsv(text)).toEqual(rows);
  });

  it('rejects malformed CSV with the line number', () => {
    const text = toCsv(generateTransactions({ rows: 2, seed: 3 })).replace(/\n0,/, '\n7,');
    expect(() => parseTransactionsCsv(text)).toThrow(/line 2: is_fraud must be 0 or 1/);
  });

  it('encodes the 15 model features with a one-hot merchant category', () => {
    const [t] = generateTransactions({ rows: 1, seed: 9 });
    const x = encodeFeatures({ ...t, merchant_category: 'travel' });
    expect(x).toHaveLength(MODEL_FEATURES.length);
    expect(x.slice(7)).toEqual([0, 0, 0, 0, 0, 1, 0, 0]);
    expect(x[0]).toBe(t.amount);
  });

  it('splits 80/20 by position', () => {
    const { train, validation } = splitTrainValidation([...Array(10).keys()]);
    expect(train).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(validation).toEqual([8, 9]);
  });
});
