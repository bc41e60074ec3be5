/**
 * A policy document that the grammar rejects. `message` is the text AWS returns with MalformedPolicyDocument
 * (or MalformedPolicy for resource policies), so callers can pass it through unchanged.
 */
export class PolicyParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyParseError';
  }
}

/** AWS's catch-all wording for structural problems (bad JSON, wrong types, duplicate keys…). */
export const SYNTAX_ERROR = 'Syntax errors in policy.';

export function syntaxError(): PolicyParseError {
  return new PolicyParseError(SYNTAX_ERROR);
}
