/**
 * The IAM policy engine: plain data in, decision out (aws-semantics §1). No HTTP, no storage.
 */
export { PolicyParseError } from './errors.js';
export { parsePolicy } from './parse.js';
export { evaluate } from './evaluate.js';
export { accessDeniedMessage } from './message.js';
export { principalMatches } from './principal.js';
export { matchesAction, matchesResource } from './glob.js';
export type * from './types.js';
