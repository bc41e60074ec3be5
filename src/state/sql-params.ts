/**
 * Parameter handling shared by both engines, so the same call binds the same value everywhere:
 * booleans become 1/0 (columns are INTEGER in both), Dates epoch milliseconds (our timestamp convention),
 * undefined becomes NULL. Objects are refused: store JSON by calling JSON.stringify explicitly.
 */
export function bindable(params: unknown[]): unknown[] {
  return params.map(bindOne);
}

function bindOne(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || Buffer.isBuffer(v)) return v;
  throw new TypeError(`cannot bind a ${typeof v} as an SQL parameter; JSON.stringify it first`);
}

const rewritten = new Map<string, string>();
const REWRITE_CACHE_MAX = 1000;

/**
 * Rewrites `?` placeholders to PostgreSQL's `$1..$n`. Quoted text and comments are skipped, but a `?` inside
 * a string literal, and `$` anywhere outside one (positional parameters, dollar quoting, the jsonb `?`
 * family is also out), are refused rather than guessed at: pass such values as parameters instead.
 */
export function toPostgresPlaceholders(sql: string): string {
  let out = rewritten.get(sql);
  if (out !== undefined) return out;
  out = rewrite(sql);
  if (rewritten.size >= REWRITE_CACHE_MAX) rewritten.clear();
  rewritten.set(sql, out);
  return out;
}

function rewrite(sql: string): string {
  let out = '';
  let n = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const end = closingQuote(sql, i, c);
      const quoted = sql.slice(i, end + 1);
      if (c === "'" && quoted.includes('?')) throw new Error(`'?' inside a string literal is not supported: ${sql}`);
      out += quoted;
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      out += '\n';
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new Error(`unterminated comment in SQL: ${sql}`);
      i = end + 1;
      out += ' ';
    } else if (c === '$') {
      throw new Error(`'$' is not supported in portable SQL (use ? placeholders): ${sql}`);
    } else {
      out += c === '?' ? `$${++n}` : c;
    }
  }
  return out;
}

/** Index of the quote closing the one at `start`; a doubled quote is an escaped quote. */
function closingQuote(sql: string, start: number, quote: string): number {
  // E'…' strings treat backslash as an escape; plain strings (standard_conforming_strings) do not.
  const backslashEscapes = quote === "'" && /[eE]/.test(sql[start - 1] ?? '') && !/\w/.test(sql[start - 2] ?? '');
  for (let i = start + 1; i < sql.length; i++) {
    if (backslashEscapes && sql[i] === '\\') i++;
    else if (sql[i] === quote) {
      if (sql[i + 1] !== quote) return i;
      i++;
    }
  }
  throw new Error(`unterminated quote in SQL: ${sql}`);
}

/** Only plain lower-case identifiers: the name goes into a start-up option and DDL unquoted. */
export function assertSchemaName(schema: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name '${schema}': use lower-case letters, digits and _`);
  }
}
