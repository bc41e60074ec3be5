/**
 * Where each statement of a policy document sits in its text, for SimulatePolicy's MatchedStatements
 * (StartPosition at the statement's `{`, EndPosition just past its `}`, lines and columns counted from 1 as AWS
 * reports them). A small scanner over already-validated JSON: it only tracks positions, it builds no values.
 */
export interface TextPosition {
  Line: number;
  Column: number;
}

export interface StatementSpan {
  start: TextPosition;
  end: TextPosition;
}

class Scanner {
  private i = 0;
  private line = 1;
  private col = 1;

  constructor(private readonly s: string) {}

  pos(): TextPosition {
    return { Line: this.line, Column: this.col };
  }

  peek(): string {
    return this.s[this.i];
  }

  done(): boolean {
    return this.i >= this.s.length;
  }

  next(): string {
    const c = this.s[this.i++];
    if (c === '\n') {
      this.line++;
      this.col = 1;
    } else {
      this.col++;
    }
    return c;
  }

  skipWs(): void {
    while (!this.done() && /\s/.test(this.peek())) this.next();
  }

  string(): string {
    let out = '';
    this.next(); // opening quote
    while (!this.done()) {
      const c = this.next();
      if (c === '"') return out;
      if (c === '\\') out += '\\' + this.next();
      else out += c;
    }
    return out;
  }

  /** Skips any JSON value, nested or not. */
  value(): void {
    this.skipWs();
    const c = this.peek();
    if (c === '"') {
      this.string();
    } else if (c === '{' || c === '[') {
      this.container(c === '{' ? '}' : ']');
    } else {
      while (!this.done() && !/[\s,\]}]/.test(this.peek())) this.next();
    }
  }

  private container(close: string): void {
    this.next();
    for (;;) {
      this.skipWs();
      if (this.done() || this.peek() === close) {
        this.next();
        return;
      }
      if (this.peek() === ',' || this.peek() === ':') this.next();
      else this.value();
    }
  }
}

function spanOfValue(sc: Scanner): StatementSpan {
  sc.skipWs();
  const start = sc.pos();
  sc.value();
  return { start, end: sc.pos() };
}

function statementSpans(sc: Scanner): StatementSpan[] {
  sc.skipWs();
  if (sc.peek() !== '[') return [spanOfValue(sc)];
  const spans: StatementSpan[] = [];
  sc.next();
  for (;;) {
    sc.skipWs();
    if (sc.done() || sc.peek() === ']') return spans;
    if (sc.peek() === ',') {
      sc.next();
      continue;
    }
    spans.push(spanOfValue(sc));
  }
}

/** Spans of the top-level `Statement` value's elements (one span when it is a single object). */
export function statementPositions(document: string): StatementSpan[] {
  const sc = new Scanner(document);
  sc.skipWs();
  if (sc.peek() !== '{') return [];
  sc.next();
  while (!sc.done()) {
    sc.skipWs();
    const c = sc.peek();
    if (c === '}') return [];
    if (c === ',') {
      sc.next();
      continue;
    }
    if (c !== '"') return [];
    const key = sc.string();
    sc.skipWs();
    if (sc.peek() === ':') sc.next();
    if (key === 'Statement') return statementSpans(sc);
    sc.value();
  }
  return [];
}
