import type { DatasetProfile, FeatureProfile } from '../profile.js';
import { safeTerminator } from '../type-inference.js';
import { REPLACEMENT } from './lines.js';
import type { ReadStats } from './types.js';

/**
 * Columnar CSV profiling: cells go from the chunk text straight into their feature's profile, in row-major
 * order (so every sketch sees exactly the sequence the row reader would give it), without row objects or
 * cell strings. Numeric cells are classified and parsed in place; only new histogram keys become strings.
 *
 * Same rules as the row reader's fast path (csv.ts + CsvShape): records end at `\n` or `\r\n`, empty lines
 * are skipped, an empty cell is missing, short rows read their tail as missing and long rows drop the extra
 * cells (both counted). Unquoted text only: `addText` refuses text with a double quote, and the caller then
 * hands the whole input to the row reader, which owns quoting.
 */
export class CsvColumnProfiler {
  private features: FeatureProfile[] | undefined;
  /** Cells are classified in place unless the delimiter could read as part of a number (e.g. a space). */
  private readonly inPlace: boolean;

  constructor(
    private readonly profile: DatasetProfile,
    private readonly names: readonly string[],
    private readonly delimiter: string,
    private readonly stats: ReadStats,
  ) {
    this.inPlace = safeTerminator(delimiter);
  }

  /** Profiles complete lines (the text ends at a line boundary or at end of input). False, having done
   *  nothing, when the text contains a double quote. */
  addText(text: string): boolean {
    if (text.indexOf('"') >= 0) return false;
    const bad = text.indexOf(REPLACEMENT) >= 0;
    const delim = this.delimiter.charCodeAt(0);
    const inPlace = this.inPlace;
    const len = text.length;
    let rows = 0;
    let short = 0;
    let long = 0;
    let invalid = 0;
    let pos = 0;
    while (pos < len) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = len;
      let end = nl;
      if (end > pos && text.charCodeAt(end - 1) === 13) end--;
      if (end > pos) {
        // Features appear with the first data row, as with the row reader (a header-only file adds none).
        const features = this.features ?? (this.features = this.profile.featuresFor(this.names));
        const ncols = features.length;
        let col = 0;
        let s = pos;
        for (;;) {
          // A loop beats indexOf's call overhead on cells a few characters long.
          let e = s;
          while (e < end && text.charCodeAt(e) !== delim) e++;
          if (e > s && col < ncols) {
            if (inPlace) features[col].addCell(text, s, e);
            else features[col].add(text.slice(s, e));
          }
          col++;
          if (e === end) break;
          s = e + 1;
        }
        if (col < ncols) short++;
        else if (col > ncols) long++;
        if (bad) {
          const r = text.indexOf(REPLACEMENT, pos);
          if (r >= 0 && r < end) invalid++;
        }
        rows++;
      }
      pos = nl + 1;
    }
    this.profile.addRowCount(rows);
    const st = this.stats;
    st.rows += rows;
    st.shortRows += short;
    st.longRows += long;
    st.invalidUtf8Lines += invalid;
    return true;
  }
}
