import type { RequestContext } from '../../gateway/context.js';
import { aliasArn } from './arns.js';
import { accountOf, type Kms } from './context.js';
import { kmsErrors } from './errors.js';
import { findAlias } from './resolve.js';
import type { AliasDoc } from './store.js';

const ALIAS_PATTERN = /^alias\/[a-zA-Z0-9/_-]+$/;
export const RESERVED_PREFIX = 'alias/aws/';

/** Checks a name given to CreateAlias, UpdateAlias or DeleteAlias: well-formed and not reserved for AWS. */
export function aliasNameChecked(name: string, allowReserved = false): string {
  if (!name.startsWith('alias/')) {
    throw kmsErrors.validation('Alias must start with the prefix "alias/". ' +
      'Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
  }
  if (!ALIAS_PATTERN.test(name)) {
    throw kmsErrors.validation(`1 validation error detected: Value '${name}' at 'aliasName' failed to satisfy constraint: ` +
      `Member must satisfy regular expression pattern: ${ALIAS_PATTERN.source}`);
  }
  if (!allowReserved && name.startsWith(RESERVED_PREFIX)) throw kmsErrors.reservedAlias();
  return name;
}

/** An alias of the caller's account in the request's region, or NotFoundException with its ARN (AWS's wording). */
export async function existingAlias(k: Kms, ctx: RequestContext, name: string): Promise<AliasDoc> {
  aliasNameChecked(name);
  const account = accountOf(ctx);
  const alias = await findAlias(k, account, ctx.region, name);
  if (!alias) throw kmsErrors.aliasNotFound(aliasArn(ctx.region, account, name));
  return alias;
}
