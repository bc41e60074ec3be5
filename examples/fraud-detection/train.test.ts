import { describe, expect, it } from 'vitest';
import { generateTransactions, splitTrainValidation } from './generate.js';
import { fitLogistic, sigmoid } from './logistic.js';
import { auc } from './metrics.js';
import { Prng } from './prng.js';
import { trainFraudModel } from './train.js';

describe('logistic regression', () => {
  it('recovers the coefficients of a known logistic model (raw-space, scaling folded back)', () => {
    const rng = new Prng(11);
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const row = [rng.normal(50, 10), rng.normal(0, 0.1)];
      x.push(row);
      y.push(rng.bernoulli(sigmoid(-3.5 + 0.05 * row[0] - 8 * row[1])) ? 1 : 0);
    }
    const m = fitLogistic(x, y, { l2: 0 });
    expect(m.weights[0]).toBeCloseTo(0.05, 1);
    expect(m.weights[1]).toBeGreaterThan(-10);
    expect(m.weights[1]).toBeLessThan(-6);
    expect(m.bias).toBeGreaterThan(-4.5);
    expect(m.bias).toBeLessThan(-2.5);
    expect(m.iterations).toBeLessThan(20);
  });

  it('computes AUC with ties as one half', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(auc([0.5, 0.5], [0, 1])).toBe(0.5);
  });
});

describe('trainFraudModel', () => {
  const { train, validation } = splitTrainValidation(generateTransactions({ rows: 10000, seed: 42 }));

  it('separates fraud on the hold-out (AUC > 0.85) and is deterministic', () => {
    const model = trainFraudModel(train, validation);
    expect(model.metrics.validation.auc).toBeGreaterThan(0.85);
    expect(model.metrics.validation.accuracy).toBeGreaterThanOrEqual(1 - model.metrics.validation.positiveRate);
    expect(model.features).toHaveLength(15);
    expect(trainFraudModel(train, validation).weights).toEqual(model.weights);
    // The rule's directions: card present lowers risk, velocity raises it.
    expect(model.weights[model.features.indexOf('card_present')]).toBeLessThan(0);
    expect(model.weights[model.features.indexOf('txn_count_1h')]).toBeGreaterThan(0);
  });
});
