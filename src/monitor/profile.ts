/**
 * Dataset profile: the mergeable, serializable state behind a SageMaker data-quality statistics.json.
 *
 * Pure data in, pure data out (DESIGN principle 9). Feed rows (`add`) or columns (`addColumns`), merge
 * partial profiles (e.g. one per capture file or worker; `empty()` is the identity), persist them
 * (`serialize`/`deserialize`), and render statistics.json with `profileToStatistics`.
 *
 * Features appear in first-seen order (CSV column order). A feature missing from some rows, or first seen
 * late, counts those rows as missing. At most MAX_DATASET_FEATURES features: one more throws TooManyFeaturesError
 * (adding, merging or deserializing).
 */
import { FeatureProfile, type Value } from './profile-feature.js';
import { checkFeatureCount } from './profile-limits.js';
import { deserializeProfile, serializeProfile } from './profile-serialize.js';

export type { Value } from './profile-feature.js';
export { FeatureProfile } from './profile-feature.js';
export { profileToStatistics } from './profile-statistics.js';
export { MAX_DATASET_FEATURES, TooManyFeaturesError } from './profile-limits.js';

export class DatasetProfile {
  private rows = 0;
  private readonly features: FeatureProfile[] = [];
  private readonly byName = new Map<string, FeatureProfile>();
  // Rows from one reader share their key order: remember the features of the previous row by position
  // so the hot path compares one key per cell instead of doing a Map lookup.
  private lastRow: FeatureProfile[] = [];

  static empty(): DatasetProfile {
    return new DatasetProfile();
  }

  /** Restore from parts (used by deserialize). */
  static fromParts(itemCount: number, features: FeatureProfile[]): DatasetProfile {
    const p = new DatasetProfile();
    p.rows = itemCount;
    for (const f of features) p.adopt(f);
    return p;
  }

  get itemCount(): number {
    return this.rows;
  }

  featureNames(): string[] {
    return this.features.map((f) => f.name);
  }

  feature(name: string): FeatureProfile | undefined {
    return this.byName.get(name);
  }

  allFeatures(): readonly FeatureProfile[] {
    return this.features;
  }

  /** Declare features up front (e.g. from a CSV header or a baseline) so they exist even if always missing. */
  declare(names: readonly string[]): void {
    for (const n of names) this.featureFor(n);
  }

  /** The features for these column names (created in order when new), for columnar callers. */
  featuresFor(names: readonly string[]): FeatureProfile[] {
    return names.map((n) => this.featureFor(n));
  }

  /** Count rows whose cells a columnar caller fed to the features directly. */
  addRowCount(n: number): void {
    this.rows += n;
  }

  add(row: Record<string, Value>): void {
    this.rows++;
    const last = this.lastRow;
    let i = 0;
    for (const key in row) {
      let f = last[i];
      if (f === undefined || f.name !== key) {
        f = this.featureFor(key);
        last[i] = f;
      }
      f.add(row[key]);
      i++;
    }
  }

  /**
   * Columnar fast path: every column must have the same length (the number of rows added).
   * Float64Array columns skip string classification entirely.
   */
  addColumns(columns: Record<string, ArrayLike<Value> | Float64Array>): void {
    let length = -1;
    for (const name in columns) {
      const col = columns[name];
      if (length === -1) length = col.length;
      else if (col.length !== length) throw new Error(`addColumns: column ${name} has ${col.length} values, expected ${length}`);
    }
    if (length <= 0) return;
    for (const name in columns) {
      const f = this.featureFor(name);
      const col = columns[name];
      if (col instanceof Float64Array) f.addNumbers(col);
      else for (let i = 0; i < col.length; i++) f.add((col as ArrayLike<Value>)[i]);
    }
    this.rows += length;
  }

  /** Associative merge; neither input is modified. Feature order: this profile's, then new ones of other. */
  merge(other: DatasetProfile): DatasetProfile {
    const out = new DatasetProfile();
    out.rows = this.rows + other.rows;
    for (const f of this.features) {
      const g = other.byName.get(f.name);
      out.adopt(g ? f.merge(g) : f.merge(new FeatureProfile(f.name)));
    }
    for (const g of other.features) {
      if (!this.byName.has(g.name)) out.adopt(new FeatureProfile(g.name).merge(g));
    }
    return out;
  }

  serialize(): Uint8Array {
    return serializeProfile(this.rows, this.features);
  }

  static deserialize(bytes: Uint8Array): DatasetProfile {
    const { itemCount, features } = deserializeProfile(bytes);
    return DatasetProfile.fromParts(itemCount, features);
  }

  private featureFor(name: string): FeatureProfile {
    let f = this.byName.get(name);
    if (f === undefined) {
      f = new FeatureProfile(name);
      this.adopt(f);
    }
    return f;
  }

  private adopt(f: FeatureProfile): void {
    if (this.byName.has(f.name)) throw new Error(`duplicate feature ${JSON.stringify(f.name)}`);
    checkFeatureCount(this.features.length + 1);
    this.features.push(f);
    this.byName.set(f.name, f);
  }
}
