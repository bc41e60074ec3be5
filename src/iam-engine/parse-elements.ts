import { PolicyParseError, syntaxError } from './errors.js';
import { parseOperator } from './operators.js';
import type { ConditionBlock, ConditionValues, PrincipalSpec } from './types.js';
import { parseDate } from './values.js';

/**
 * Validation and normalisation of the statement elements (Action, Resource, Principal, Condition). Messages are
 * AWS's MalformedPolicyDocument texts where known (as reproduced by moto's policy_validation.py).
 */

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string or an array of strings, normalised to an array. */
export function stringList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return [...v];
  throw syntaxError();
}

const VENDOR_MESSAGE = 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.';

export function parseActions(v: unknown): string[] {
  const actions = stringList(v);
  if (!actions.length) throw new PolicyParseError('Policy statement must contain actions.');
  for (const a of actions) validateAction(a);
  return actions;
}

function validateAction(action: string): void {
  if (action === '*') return;
  const parts = action.split(':');
  if (parts.length === 1 || parts[0] === '') throw new PolicyParseError(VENDOR_MESSAGE);
  if (parts.length > 2) throw new PolicyParseError('Actions/Condition can contain only one colon.');
  const vendor = parts[0];
  if (vendor !== '*' && /[^a-zA-Z0-9.-]/.test(vendor)) throw new PolicyParseError(`Vendor ${vendor} is not valid`);
}

export function parseResources(v: unknown): string[] {
  const resources = stringList(v);
  if (!resources.length) throw new PolicyParseError('Policy statement must contain resources.');
  for (const r of resources) validateResource(r);
  return resources;
}

/** Vigil runs one partition, so any other partition (including wildcards) can never match and is refused. */
function validateResource(resource: string): void {
  if (resource === '*') return;
  const parts = resource.split(':');
  if (parts.length < 2 || parts[0] !== 'arn') {
    throw new PolicyParseError(`Resource ${resource} must be in ARN format or "*".`);
  }
  if (parts[1] !== 'aws') throw new PolicyParseError(partitionMessage(parts));
  // IAM's legacy parser rejects a short ARN with an empty component and an empty service.
  if ((parts.length < 6 && resource.includes('::')) || parts.length < 3 || parts[2] === '') {
    throw new PolicyParseError('The policy failed legacy parsing');
  }
}

/** AWS shows the resource padded to six components with `*`. */
function partitionMessage(parts: string[]): string {
  const partition = parts[1];
  const rest = parts.length > 2 ? parts.slice(2) : [''];
  const service = rest[0] !== '' || rest.length > 1 ? rest[0] : '*';
  const region = rest[1] ?? '*';
  const account = rest[2] ?? '*';
  const path = rest.length > 3 ? rest.slice(3).join(':') : '*';
  return `Partition "${partition}" is not valid for resource "arn:${partition}:${service}:${region}:${account}:${path}".`;
}

// Wildcards are allowed in principals only as the bare "*".
const PRINCIPAL_VALUE: Record<string, RegExp> = {
  AWS: new RegExp(
    '^(?:\\*|\\d{12}|A[A-Z0-9]{15,127}' + // account id, or the unique id IAM leaves behind for deleted entities
      '|arn:aws:iam::\\d{12}:(?:root|user/[^\\s*?]+|role/[^\\s*?]+)' +
      '|arn:aws:sts::\\d{12}:(?:assumed-role/[^\\s*?/]+/[^\\s*?]+|federated-user/[^\\s*?]+))$',
  ),
  Service: /^[A-Za-z0-9][A-Za-z0-9.-]*$/,
  Federated: /^[^\s*?]+$/,
  CanonicalUser: /^[^\s*?]+$/,
};

export function parsePrincipal(v: unknown): PrincipalSpec {
  if (v === '*') return '*';
  if (!isPlainObject(v) || Object.keys(v).length === 0) {
    throw new PolicyParseError(`Invalid principal in policy: ${JSON.stringify(v)}`);
  }
  const spec: Record<string, string[]> = {};
  for (const [type, raw] of Object.entries(v)) {
    const values = stringList(raw);
    const pattern = PRINCIPAL_VALUE[type];
    if (!pattern || !Object.hasOwn(PRINCIPAL_VALUE, type)) {
      throw new PolicyParseError(`Invalid principal in policy: "${type}":${JSON.stringify(raw)}`);
    }
    if (!values.length) throw new PolicyParseError(`Invalid principal in policy: "${type}":[]`);
    for (const value of values) {
      if (!pattern.test(value)) throw new PolicyParseError(`Invalid principal in policy: "${type}":"${value}"`);
    }
    spec[type] = values;
  }
  return spec;
}

export function parseCondition(v: unknown): ConditionBlock {
  if (!isPlainObject(v)) throw syntaxError();
  const block: ConditionBlock = {};
  for (const [operator, keys] of Object.entries(v)) {
    const op = parseOperator(operator);
    if (!op) throw new PolicyParseError(`Invalid condition operator: ${operator}`);
    if (!isPlainObject(keys)) throw syntaxError();
    const parsed: ConditionValues = {};
    for (const [key, raw] of Object.entries(keys)) {
      if (key.indexOf(':') < 1) throw new PolicyParseError(VENDOR_MESSAGE);
      const values = conditionValues(raw);
      // IAM parses dates when the policy is stored; numbers and addresses are only compared at request time.
      if (op.base.family === 'date' && values.some((d) => parseDate(d) === undefined)) {
        throw new PolicyParseError('The policy failed legacy parsing');
      }
      parsed[key] = values;
    }
    block[operator] = parsed;
  }
  return block;
}

/** Condition values may be written as JSON strings, numbers or booleans (`"aws:SecureTransport": false`). */
function conditionValues(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((x) => {
    if (typeof x === 'string') return x;
    if (typeof x === 'number' || typeof x === 'boolean') return String(x);
    throw syntaxError();
  });
}
