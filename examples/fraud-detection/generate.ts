/**
 * Synthetic card transactions with a known fraud mechanism, for the fraud-detection demo.
 *
 * Determinism: every draw comes from one Prng (mulberry32) seeded by `seed`, in a fixed order per row, so a
 * (rows, seed) pair always produces byte-identical CSVs.
 *
 * How the label is made (the "ground truth" the model has to discover):
 *   risk = -7.4
 *        + 0.8 · min(amount_vs_avg_ratio, 8)        spending far above the customer's norm
 *        + 1.5 · [distance_from_home_km > 100]       far from home…
 *        + 0.004 · min(distance_from_home_km, 500)   …and the farther the worse
 *        − 1.8 · card_present                        card-not-present is where stolen numbers are used
 *        + 0.9 · (txn_count_1h − 1) + 0.1 · txn_count_24h   bursts of use
 *        + 1.2 · [hour ≤ 5]                          night-time
 *        + category risk (jewelry 1.2, electronics 1.0, online 0.8, travel 0.3, others 0)
 *        + N(0, 0.5)                                 unobserved factors
 *   is_fraud ~ Bernoulli(sigmoid(risk))              so labels are noisy, as chargebacks are
 * This yields roughly 2.5–3 % fraud. Gender and age group play no part in the rule (a fair world); a bias check
 * on the model's predictions should therefore find only what leaks through correlated features.
 *
 * CLI: npx tsx examples/fraud-detection/generate.ts [--rows 50000] [--seed 42] [--out examples/fraud-detection/out]
 *   writes train.csv (first 80 %) and validation.csv (last 20 %), each with a header, label first.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AGE_GROUPS, GENDERS, MERCHANT_CATEGORIES, type LabelledTransaction, type MerchantCategory, type Transaction } from './features.js';
import { Prng } from './prng.js';
import { toCsv } from './csv.js';
import { DEFAULT_OUT_DIR, isMain, numberFlag, runMain } from './cli.js';

const CATEGORY_WEIGHTS = [0.22, 0.18, 0.12, 0.16, 0.08, 0.06, 0.14, 0.04]; // order of MERCHANT_CATEGORIES
const AGE_WEIGHTS = [0.15, 0.25, 0.3, 0.2, 0.1];

/** Typical amount relative to the customer's own average, per category (electronics and travel run large). */
const CATEGORY_SPEND: Record<MerchantCategory, number> = {
  grocery: 0.8, restaurant: 0.6, gas: 0.7, retail: 1.0, electronics: 2.2, travel: 2.8, online: 1.1, jewelry: 3.0,
};
const CATEGORY_RISK: Record<MerchantCategory, number> = {
  grocery: 0, restaurant: 0, gas: 0, retail: 0, electronics: 1.0, travel: 0.3, online: 0.8, jewelry: 1.2,
};

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** The true log-odds of fraud, without the noise term (see the file comment). */
export function fraudRisk(t: Transaction): number {
  return (
    -7.4 +
    0.8 * Math.min(t.amount_vs_avg_ratio, 8) +
    1.5 * (t.distance_from_home_km > 100 ? 1 : 0) +
    0.004 * Math.min(t.distance_from_home_km, 500) -
    1.8 * t.card_present +
    0.9 * (t.txn_count_1h - 1) +
    0.1 * t.txn_count_24h +
    1.2 * (t.hour <= 5 ? 1 : 0) +
    CATEGORY_RISK[t.merchant_category]
  );
}

/** Draws the label for a transaction from the rule; exported so drifted traffic gets labels from the same world. */
export function drawLabel(t: Transaction, rng: Prng): 0 | 1 {
  const risk = fraudRisk(t) + rng.normal(0, 0.5);
  return rng.bernoulli(1 / (1 + Math.exp(-risk))) ? 1 : 0;
}

function drawHour(rng: Prng): number {
  // Mostly daytime shopping around mid-afternoon, plus a uniform background at any hour.
  if (rng.bernoulli(0.08)) return rng.int(0, 23);
  return (((Math.round(rng.normal(14, 4)) % 24) + 24) % 24);
}

function drawDistance(rng: Prng, category: MerchantCategory): number {
  if (category === 'travel') return rng.logNormal(300, 1.2);
  if (rng.bernoulli(0.05)) return rng.between(50, 1500);
  return rng.logNormal(4, 0.9);
}

function drawCardPresent(rng: Prng, category: MerchantCategory): 0 | 1 {
  const p = category === 'online' ? 0 : category === 'travel' ? 0.5 : 0.9;
  return rng.bernoulli(p) ? 1 : 0;
}

/** One unlabelled transaction. */
export function drawTransaction(rng: Prng): Transaction {
  const gender = rng.weighted(GENDERS, [0.5, 0.5]);
  const age_group = rng.weighted(AGE_GROUPS, AGE_WEIGHTS);
  const merchant_category = rng.weighted(MERCHANT_CATEGORIES, CATEGORY_WEIGHTS);
  const customerAverage = rng.logNormal(60, 0.5);
  const amount = Math.max(1, round(customerAverage * rng.logNormal(CATEGORY_SPEND[merchant_category], 0.6), 2));
  const hour = drawHour(rng);
  const distance_from_home_km = round(drawDistance(rng, merchant_category), 1);
  const card_present = drawCardPresent(rng, merchant_category);
  const txn_count_1h = 1 + rng.poisson(0.4);
  const txn_count_24h = txn_count_1h + rng.poisson(3);
  return {
    amount,
    merchant_category,
    hour,
    distance_from_home_km,
    card_present,
    txn_count_1h,
    txn_count_24h,
    amount_vs_avg_ratio: round(amount / customerAverage, 3),
    gender,
    age_group,
  };
}

export interface GenerateOptions {
  rows: number;
  seed: number;
}

export function generateTransactions({ rows, seed }: GenerateOptions): LabelledTransaction[] {
  const rng = new Prng(seed);
  const out: LabelledTransaction[] = [];
  for (let i = 0; i < rows; i++) {
    const t = drawTransaction(rng);
    out.push({ is_fraud: drawLabel(t, rng), ...t });
  }
  return out;
}

/** Rows are i.i.d., so a positional split is an unbiased hold-out. */
export function splitTrainValidation<T>(rows: T[], trainShare = 0.8): { train: T[]; validation: T[] } {
  const cut = Math.round(rows.length * trainShare);
  return { train: rows.slice(0, cut), validation: rows.slice(cut) };
}

export function writeDataset(outDir: string, options: GenerateOptions): { train: LabelledTransaction[]; validation: LabelledTransaction[] } {
  const split = splitTrainValidation(generateTransactions(options));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'train.csv'), toCsv(split.train));
  writeFileSync(join(outDir, 'validation.csv'), toCsv(split.validation));
  return split;
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const { values } = parseArgs({
      options: { rows: { type: 'string', default: '50000' }, seed: { type: 'string', default: '42' }, out: { type: 'string', default: DEFAULT_OUT_DIR } },
    });
    const { train, validation } = writeDataset(values.out, { rows: numberFlag('rows', values.rows), seed: numberFlag('seed', values.seed) });
    const rate = (rows: LabelledTransaction[]): string => ((100 * rows.filter((r) => r.is_fraud).length) / rows.length).toFixed(2);
    console.log(`wrote ${train.length} training and ${validation.length} validation rows to ${values.out} (fraud ${rate(train)} % / ${rate(validation)} %)`);
  });
}
