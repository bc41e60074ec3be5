import { checkFeatureCount } from '../profile-limits.js';
import { rowFactory, type RowFactory } from './row-factory.js';
import type { ReadStats, Row } from './types.js';

/**
 * Turns CSV records (arrays of cells) into rows with Spark's rules for `header` and PERMISSIVE mode:
 * - with a header, its cells name the columns; an empty name becomes `_c<i>`, a repeated name gets its column
 *   index appended (`a`,`a` → `a0`,`a1`), so no column is silently lost;
 * - without one, columns are `_c0`, `_c1`, … and the first record fixes how many there are;
 * - a shorter record reads its missing cells as null; a longer one drops the extra cells; both are counted;
 * - an empty cell is null (missing), as Spark reads it by default.
 */
export class CsvShape {
  names: string[] | undefined;
  private make: RowFactory = () => ({});

  constructor(
    private readonly header: boolean,
    readonly stats: ReadStats,
  ) {}

  /** The row for one record, or undefined when the record was the header. */
  accept(fields: string[]): Row | undefined {
    let names = this.names;
    if (names === undefined) {
      // The first record fixes the columns: refuse a too-wide file before building rows of it.
      checkFeatureCount(fields.length);
      names = this.names = this.header ? headerNames(fields) : fields.map((_, i) => `_c${i}`);
      this.make = rowFactory(names);
      if (this.header) return undefined;
    }
    const n = names.length;
    if (fields.length !== n) {
      if (fields.length < n) this.stats.shortRows++;
      else this.stats.longRows++;
    }
    this.stats.rows++;
    return this.make(fields);
  }
}

export function headerNames(cells: string[]): string[] {
  const named = cells.map((c, i) => (c === '' ? `_c${i}` : c));
  const seen = new Map<string, number>();
  for (const n of named) seen.set(n, (seen.get(n) ?? 0) + 1);
  return named.map((n, i) => ((seen.get(n) ?? 0) > 1 ? `${n}${i}` : n));
}
