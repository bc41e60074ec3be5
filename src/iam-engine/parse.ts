import { compilePolicy } from './compile.js';
import { PolicyParseError, syntaxError } from './errors.js';
import { parsePolicyJson } from './json.js';
import {
  isPlainObject, parseActions, parseCondition, parsePrincipal, parseResources,
} from './parse-elements.js';
import type { ParsedPolicy, PolicyKind, Statement } from './types.js';

/**
 * The policy grammar (aws-semantics §1.2) with the rules that depend on where the policy is attached.
 * Size limits are the caller's job (they differ per attachment point).
 */

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_FIELDS = new Set([
  'Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition',
]);
const VERSIONS = new Set(['2008-10-17', '2012-10-17']);

/** Policies attached to an identity (or narrowing one) never name a principal: the principal is the holder. */
function isIdentityKind(kind: PolicyKind): boolean {
  return kind === 'identity' || kind === 'boundary' || kind === 'session';
}

export function parsePolicy(document: string | object, kind: PolicyKind, id: string): ParsedPolicy {
  const doc = typeof document === 'string' ? parsePolicyJson(document) : document;
  if (!isPlainObject(doc)) throw syntaxError();
  checkFields(doc, TOP_LEVEL);
  const version = doc.Version ?? '2008-10-17'; // AWS's default when Version is omitted
  if (typeof version !== 'string' || !VERSIONS.has(version)) throw syntaxError();
  if (doc.Id !== undefined) {
    if (typeof doc.Id !== 'string') throw syntaxError();
    // AWS: "ID is allowed in resource-based policies, but not in identity-based policies."
    if (isIdentityKind(kind)) throw new PolicyParseError('Policy document should not specify an Id.');
  }
  const rawStatements = Array.isArray(doc.Statement) ? doc.Statement : isPlainObject(doc.Statement) ? [doc.Statement] : [];
  if (!rawStatements.length) throw syntaxError();
  const statements = rawStatements.map((s) => parseStatement(s, kind));
  checkSids(statements, kind);
  const policy: ParsedPolicy = { id, kind, Version: version as ParsedPolicy['Version'], Statement: statements };
  if (typeof doc.Id === 'string') policy.Id = doc.Id;
  compilePolicy(policy); // warm the evaluation cache so the first request pays nothing extra
  return policy;
}

function checkFields(obj: Record<string, unknown>, allowed: ReadonlySet<string>): void {
  for (const key of Object.keys(obj)) if (!allowed.has(key)) throw new PolicyParseError(`Unknown field ${key}`);
}

function parseStatement(raw: unknown, kind: PolicyKind): Statement {
  if (!isPlainObject(raw)) throw syntaxError();
  checkFields(raw, STATEMENT_FIELDS);
  const s: Statement = { Effect: parseEffect(raw.Effect) };
  if (raw.Sid !== undefined) {
    if (typeof raw.Sid !== 'string') throw syntaxError();
    s.Sid = raw.Sid;
  }
  parsePrincipals(raw, kind, s);
  if (raw.Action !== undefined && raw.NotAction !== undefined) throw syntaxError();
  if (raw.Action !== undefined) s.Action = parseActions(raw.Action);
  else if (raw.NotAction !== undefined) s.NotAction = parseActions(raw.NotAction);
  else throw new PolicyParseError('Policy statement must contain actions.');
  parseResourceElements(raw, kind, s);
  if (raw.Condition !== undefined) s.Condition = parseCondition(raw.Condition);
  return s;
}

function parseEffect(v: unknown): 'Allow' | 'Deny' {
  if (v === undefined) throw new PolicyParseError('Missing required field Effect');
  if (v === 'Allow' || v === 'Deny') return v; // case-sensitive, as in AWS
  throw new PolicyParseError(`Invalid effect: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
}

function parsePrincipals(raw: Record<string, unknown>, kind: PolicyKind, s: Statement): void {
  const hasPrincipal = raw.Principal !== undefined;
  const hasNot = raw.NotPrincipal !== undefined;
  if (isIdentityKind(kind)) {
    if (hasPrincipal || hasNot) throw new PolicyParseError('Policy document should not specify a principal.');
    return;
  }
  if (hasPrincipal && hasNot) throw syntaxError();
  if (hasNot && kind === 'trust') throw new PolicyParseError('NotPrincipal is not supported in a role trust policy.');
  if (hasPrincipal) s.Principal = parsePrincipal(raw.Principal);
  else if (hasNot) s.NotPrincipal = parsePrincipal(raw.NotPrincipal);
  else throw new PolicyParseError('Missing required field Principal');
}

/** Trust policies govern the role itself: AWS forbids Resource there and requires it everywhere else. */
function parseResourceElements(raw: Record<string, unknown>, kind: PolicyKind, s: Statement): void {
  if (kind === 'trust') {
    if (raw.Resource !== undefined) throw new PolicyParseError('Has prohibited field Resource');
    if (raw.NotResource !== undefined) throw new PolicyParseError('Has prohibited field NotResource');
    return;
  }
  if (raw.Resource !== undefined && raw.NotResource !== undefined) throw syntaxError();
  if (raw.Resource !== undefined) s.Resource = parseResources(raw.Resource);
  else if (raw.NotResource !== undefined) s.NotResource = parseResources(raw.NotResource);
  else throw new PolicyParseError('Policy statement must contain resources.');
}

const ALPHANUMERIC = /^[0-9A-Za-z]*$/;

/** IAM-managed documents take alphanumeric Sids only (SNS, SQS, S3 allow more); all kinds need unique ones. */
function checkSids(statements: readonly Statement[], kind: PolicyKind): void {
  const seen = new Set<string>();
  for (const { Sid } of statements) {
    if (Sid === undefined) continue;
    if (isIdentityKind(kind) && !ALPHANUMERIC.test(Sid)) {
      throw new PolicyParseError(
        'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
      );
    }
    if (Sid && seen.has(Sid)) throw new PolicyParseError('Statement IDs (SID) in a single policy must be unique.');
    seen.add(Sid);
  }
}
