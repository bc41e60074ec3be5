/** IAM ARNs (global: no region). Paths start and end with `/`, so `user${path}${name}` is the resource part. */
export const iamArn = (account: string, resource: string): string => `arn:aws:iam::${account}:${resource}`;
export const rootArn = (account: string): string => iamArn(account, 'root');
export const userArn = (account: string, path: string, name: string): string => iamArn(account, `user${path}${name}`);
export const groupArn = (account: string, path: string, name: string): string => iamArn(account, `group${path}${name}`);
export const roleArn = (account: string, path: string, name: string): string => iamArn(account, `role${path}${name}`);
export const policyArn = (account: string, path: string, name: string): string => iamArn(account, `policy${path}${name}`);

export interface ParsedIamArn {
  account: string;
  /** `user`, `role`, `group`, `policy`, `root`… */
  type: string;
  path: string;
  name: string;
}

/** Splits `arn:aws:iam::ACCT:type/path/name`; undefined when it is not an IAM ARN. */
export function parseIamArn(arn: string): ParsedIamArn | undefined {
  const m = /^arn:aws:iam::([^:]*):([^/]+)(\/.*)?$/.exec(arn);
  if (!m) return undefined;
  const rest = m[3] ?? '';
  const cut = rest.lastIndexOf('/');
  return { account: m[1], type: m[2], path: rest.slice(0, cut + 1) || '/', name: rest.slice(cut + 1) };
}
