/**
 * Condition operator names: `[ForAllValues:|ForAnyValue:]<Base>[IfExists]`. Names are case-sensitive, as in AWS.
 */

export type OperatorFamily =
  | 'string' | 'stringIgnoreCase' | 'stringLike' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';

/** How a numeric or date context value is compared with a policy value (context on the left). */
export type Comparison = 'eq' | 'lt' | 'lte' | 'gt' | 'gte';

export interface BaseOperator {
  family: OperatorFamily;
  /** Negated operators hold when the context value matches none of the policy values. */
  negated: boolean;
  cmp: Comparison;
}

export type SetOperator = 'none' | 'all' | 'any';

export interface ParsedOperator {
  base: BaseOperator;
  set: SetOperator;
  ifExists: boolean;
}

function op(family: OperatorFamily, negated = false, cmp: Comparison = 'eq'): BaseOperator {
  return { family, negated, cmp };
}

function orderedFamily(prefix: 'Numeric' | 'Date', family: OperatorFamily): Record<string, BaseOperator> {
  return {
    [`${prefix}Equals`]: op(family),
    [`${prefix}NotEquals`]: op(family, true),
    [`${prefix}LessThan`]: op(family, false, 'lt'),
    [`${prefix}LessThanEquals`]: op(family, false, 'lte'),
    [`${prefix}GreaterThan`]: op(family, false, 'gt'),
    [`${prefix}GreaterThanEquals`]: op(family, false, 'gte'),
  };
}

const BASE_OPERATORS: ReadonlyMap<string, BaseOperator> = new Map(Object.entries({
  StringEquals: op('string'),
  StringNotEquals: op('string', true),
  StringEqualsIgnoreCase: op('stringIgnoreCase'),
  StringNotEqualsIgnoreCase: op('stringIgnoreCase', true),
  StringLike: op('stringLike'),
  StringNotLike: op('stringLike', true),
  ...orderedFamily('Numeric', 'numeric'),
  ...orderedFamily('Date', 'date'),
  Bool: op('bool'),
  BinaryEquals: op('binary'),
  IpAddress: op('ip'),
  NotIpAddress: op('ip', true),
  // ArnEquals and ArnLike are the same test in AWS, both honour wildcards.
  ArnEquals: op('arn'),
  ArnLike: op('arn'),
  ArnNotEquals: op('arn', true),
  ArnNotLike: op('arn', true),
  Null: op('null'),
}));

const cache = new Map<string, ParsedOperator | null>();

/** Parses an operator name; undefined when AWS would not recognise it. */
export function parseOperator(name: string): ParsedOperator | undefined {
  let parsed = cache.get(name);
  if (parsed === undefined) {
    parsed = parseUncached(name);
    // Only names that reached a valid policy get here often; cap it anyway against hand-built garbage.
    if (cache.size < 1000) cache.set(name, parsed);
  }
  return parsed ?? undefined;
}

function parseUncached(name: string): ParsedOperator | null {
  let rest = name;
  let set: SetOperator = 'none';
  if (rest.startsWith('ForAllValues:')) {
    set = 'all';
    rest = rest.slice('ForAllValues:'.length);
  } else if (rest.startsWith('ForAnyValue:')) {
    set = 'any';
    rest = rest.slice('ForAnyValue:'.length);
  }
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const base = BASE_OPERATORS.get(rest);
  if (!base) return null;
  // Null tests existence itself, so neither a missing-key modifier nor a set modifier means anything with it.
  if (base.family === 'null' && (ifExists || set !== 'none')) return null;
  return { base, set, ifExists };
}
