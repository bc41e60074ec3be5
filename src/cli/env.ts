import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from './usage-error.js';
import { readIniSection } from './datadir.js';

/** Quotes for POSIX shells: inside single quotes only `'` itself needs care. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function shellWord(value: string): string {
  return /^[A-Za-z0-9._-]+$/.test(value) ? value : shellQuote(value);
}

function readDefaultConfig(dir: string): Record<string, string> | undefined {
  try {
    return readIniSection(readFileSync(join(dir, 'config'), 'utf8'), 'default') ?? {};
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * `export` lines (for `eval "$(vigil env)"`) that point the AWS CLI, boto3 and the AWS SDKs at the Vigil
 * whose data directory is `dir`. Values come from DIR/config when present, so they match what
 * `vigil serve` last wrote.
 */
export function envLines(dir: string, endpointUrl?: string): string[] {
  const abs = resolve(dir);
  const config = readDefaultConfig(abs);
  const endpoint = endpointUrl ?? config?.endpoint_url;
  if (!endpoint) {
    // Without an endpoint the clients would talk to real AWS with these credentials.
    throw new UsageError(`no endpoint recorded in ${join(abs, 'config')}; run 'vigil serve --data-dir ${abs}' first`);
  }
  // An explicit ca_bundle in config wins; a config without one means a publicly trusted certificate.
  const caBundle = config ? config.ca_bundle : join(abs, 'tls', 'ca.pem');
  const region = config?.region ?? 'us-east-1';
  return [
    // Environment credentials outrank the shared files; leftovers (e.g. real AWS keys) would be sent here.
    'unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN',
    `export AWS_SHARED_CREDENTIALS_FILE=${shellQuote(join(abs, 'credentials'))}`,
    `export AWS_CONFIG_FILE=${shellQuote(join(abs, 'config'))}`,
    ...(caBundle
      ? [`export AWS_CA_BUNDLE=${shellQuote(caBundle)}`, `export NODE_EXTRA_CA_CERTS=${shellQuote(caBundle)}`]
      : []),
    `export AWS_ENDPOINT_URL=${shellQuote(endpoint)}`,
    `export AWS_REGION=${shellWord(region)}`,
    // botocore (AWS CLI v1, boto3) reads AWS_DEFAULT_REGION, not AWS_REGION.
    `export AWS_DEFAULT_REGION=${shellWord(region)}`,
    'export AWS_PROFILE=default',
  ];
}
