import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Creds, TestVigil } from './vigil.js';

/** An identity policy allowing `action` on `resource`. */
export function allowPolicy(action: string | string[], resource: string | string[] = '*'): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });
}

/** Awaits a call that must fail and returns its error (an Error with the SDK's `name` and `$metadata`). */
export async function failure(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  const err = await p.then(() => undefined, (e: unknown) => e as Error);
  if (!err) throw new Error('expected the call to fail, but it succeeded');
  return err;
}

/** Makes an IAM user (with an inline policy, if given) and an access key for it; returns its ARN and keys. */
export async function makeUser(v: TestVigil, name: string, policy?: string): Promise<{ arn: string; creds: Creds }> {
  const iam = new IAMClient(v.sdk(v.root));
  const user = await iam.send(new CreateUserCommand({ UserName: name }));
  if (policy) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));
  const k = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { arn: user.User!.Arn!, creds: { accessKeyId: k.AccessKey!.AccessKeyId!, secretAccessKey: k.AccessKey!.SecretAccessKey! } };
}

/**
 * Makes a role with an inline identity policy whose trust policy names one new user, and assumes it as that
 * user through STS. Returns the role ARN, the session's credentials and its assumed-role ARN.
 */
export async function assumedRole(v: TestVigil, roleName: string, sessionName: string, policy: string):
Promise<{ roleArn: string; sessionArn: string; creds: Creds }> {
  const assumer = await makeUser(v, `${roleName}-assumer`);
  const iam = new IAMClient(v.sdk(v.root));
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: assumer.arn }, Action: 'sts:AssumeRole' }] };
  const role = await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'p', PolicyDocument: policy }));
  const out = await new STSClient(v.sdk(assumer.creds)).send(new AssumeRoleCommand({ RoleArn: role.Role!.Arn!, RoleSessionName: sessionName }));
  return {
    roleArn: role.Role!.Arn!,
    sessionArn: out.AssumedRoleUser!.Arn!,
    creds: {
      accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken!,
    },
  };
}

/** AWS's AccessDeniedException text for an action on a KMS key. */
export function deniedMessage(principalArn: string, action: string, keyArn: string, because: 'identity-based' | 'resource-based'): string {
  return `User: ${principalArn} is not authorized to perform: ${action} on resource: ${keyArn} because no ${because} policy allows the ${action} action`;
}

/**
 * The byte strings under which a secret could be stored: itself, its hex, and its base64 at each of the three
 * alignments it could have inside a longer base64 text (only the characters that depend on the secret alone).
 */
export function encodingsOf(secret: Buffer): { encoding: string; bytes: Buffer }[] {
  const out = [
    { encoding: 'raw', bytes: secret },
    { encoding: 'hex', bytes: Buffer.from(secret.toString('hex')) },
    { encoding: 'HEX', bytes: Buffer.from(secret.toString('hex').toUpperCase()) },
  ];
  for (const shift of [0, 1, 2]) {
    const tail = secret.subarray((3 - shift) % 3);
    const whole = tail.subarray(0, tail.length - (tail.length % 3));
    for (const [encoding, text] of [['base64', whole.toString('base64')], ['base64url', whole.toString('base64url')]] as const) {
      out.push({ encoding: `${encoding}@${shift}`, bytes: Buffer.from(text) });
    }
  }
  return out;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** Reads every file under `dir` and reports each (file, encoding) in which one of the secrets occurs. */
export async function findSecrets(dir: string, secrets: Buffer[]): Promise<{ files: string[]; hits: string[] }> {
  const files = await filesUnder(dir);
  const hits: string[] = [];
  for (const file of files) {
    const bytes = await readFile(file);
    secrets.forEach((secret, i) => {
      for (const e of encodingsOf(secret)) {
        if (bytes.includes(e.bytes)) hits.push(`secret #${i} as ${e.encoding} in ${path.relative(dir, file)}`);
      }
    });
  }
  return { files: files.map((f) => path.relative(dir, f)), hits };
}
