/**
 * train.csv / validation.csv: a header line, then one transaction per line in CSV_COLUMNS order (label first).
 * Values are plain numbers or bare category words, so no quoting is ever needed on write; reading goes through
 * csv-parse so files edited by hand (quotes, CRLF) still load.
 */
import { parse } from 'csv-parse/sync';
import {
  AGE_GROUPS,
  CSV_COLUMNS,
  GENDERS,
  MERCHANT_CATEGORIES,
  MODEL_FEATURES,
  encodeFeatures,
  type LabelledTransaction,
  type Transaction,
} from './features.js';

export function toCsv(rows: LabelledTransaction[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push(CSV_COLUMNS.map((c) => r[c]).join(','));
  return lines.join('\n') + '\n';
}

/** Model features with a header and no label: the columns a data-quality baseline describes (see README). */
export function toFeatureCsv(rows: Transaction[]): string {
  return [MODEL_FEATURES.join(','), ...rows.map((r) => encodeFeatures(r).join(','))].join('\n') + '\n';
}

function oneOf<T extends string>(allowed: readonly T[], value: string, column: string, line: number): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`line ${line}: ${column} '${value}' is not one of ${allowed.join('|')}`);
  return value as T;
}

function num(value: string, column: string, line: number): number {
  const n = Number(value);
  if (value === '' || !Number.isFinite(n)) throw new Error(`line ${line}: ${column} '${value}' is not a number`);
  return n;
}

function bit(value: string, column: string, line: number): 0 | 1 {
  if (value !== '0' && value !== '1') throw new Error(`line ${line}: ${column} must be 0 or 1 (got '${value}')`);
  return value === '1' ? 1 : 0;
}

export function parseTransactionsCsv(text: string): LabelledTransaction[] {
  const records = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  return records.map((r, i) => {
    const line = i + 2; // 1-based, after the header
    for (const c of CSV_COLUMNS) if (r[c] === undefined) throw new Error(`line ${line}: missing column ${c}`);
    return {
      is_fraud: bit(r.is_fraud, 'is_fraud', line),
      amount: num(r.amount, 'amount', line),
      merchant_category: oneOf(MERCHANT_CATEGORIES, r.merchant_category, 'merchant_category', line),
      hour: num(r.hour, 'hour', line),
      distance_from_home_km: num(r.distance_from_home_km, 'distance_from_home_km', line),
      card_present: bit(r.card_present, 'card_present', line),
      txn_count_1h: num(r.txn_count_1h, 'txn_count_1h', line),
      txn_count_24h: num(r.txn_count_24h, 'txn_count_24h', line),
      amount_vs_avg_ratio: num(r.amount_vs_avg_ratio, 'amount_vs_avg_ratio', line),
      gender: oneOf(GENDERS, r.gender, 'gender', line),
      age_group: oneOf(AGE_GROUPS, r.age_group, 'age_group', line),
    };
  });
}
