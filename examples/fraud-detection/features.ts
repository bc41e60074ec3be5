/**
 * The transaction schema and the model's feature vector. This file is the one place that fixes the column order
 * the exported ONNX model expects, so the trainer, the exporter, the traffic generator and the README agree.
 */

export const MERCHANT_CATEGORIES = [
  'grocery',
  'restaurant',
  'gas',
  'retail',
  'electronics',
  'travel',
  'online',
  'jewelry',
] as const;
export type MerchantCategory = (typeof MERCHANT_CATEGORIES)[number];

/** Customer attributes kept for bias analysis only: they are never model inputs. */
export const GENDERS = ['F', 'M'] as const;
export const AGE_GROUPS = ['18-25', '26-35', '36-50', '51-65', '65+'] as const;
export type Gender = (typeof GENDERS)[number];
export type AgeGroup = (typeof AGE_GROUPS)[number];

export interface Transaction {
  /** Purchase amount in dollars (cents precision). */
  amount: number;
  merchant_category: MerchantCategory;
  /** Local hour of day, 0–23. */
  hour: number;
  distance_from_home_km: number;
  card_present: 0 | 1;
  /** Velocity: this card's transactions in the last hour / 24 hours, this one included. */
  txn_count_1h: number;
  txn_count_24h: number;
  /** amount ÷ this customer's average transaction amount. */
  amount_vs_avg_ratio: number;
  gender: Gender;
  age_group: AgeGroup;
}

export interface LabelledTransaction extends Transaction {
  is_fraud: 0 | 1;
}

/** Columns of train.csv / validation.csv: label first (SageMaker's convention), then the raw fields. */
export const CSV_COLUMNS = [
  'is_fraud',
  'amount',
  'merchant_category',
  'hour',
  'distance_from_home_km',
  'card_present',
  'txn_count_1h',
  'txn_count_24h',
  'amount_vs_avg_ratio',
  'gender',
  'age_group',
] as const;

export const NUMERIC_FEATURES = [
  'amount',
  'hour',
  'distance_from_home_km',
  'card_present',
  'txn_count_1h',
  'txn_count_24h',
  'amount_vs_avg_ratio',
] as const;

/**
 * The model input X, one float per column in exactly this order: the 7 numeric fields, then a one-hot of
 * merchant_category (8 columns). gender and age_group are deliberately absent.
 */
export const MODEL_FEATURES: readonly string[] = [
  ...NUMERIC_FEATURES,
  ...MERCHANT_CATEGORIES.map((c) => `merchant_${c}`),
];

/** The model's feature vector for one transaction, in MODEL_FEATURES order. */
export function encodeFeatures(t: Transaction): number[] {
  const x = NUMERIC_FEATURES.map((f) => t[f]);
  for (const c of MERCHANT_CATEGORIES) x.push(t.merchant_category === c ? 1 : 0);
  return x;
}

/** One CSV line of model features, as sent to the endpoint (no header, no label). */
export function featureCsvLine(t: Transaction): string {
  return encodeFeatures(t).join(',');
}
