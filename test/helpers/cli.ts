import { execFile } from 'node:child_process';
import type { Creds } from './vigil.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Environment for the Debian AWS CLI v2 and boto3: only what we give them, nothing from the host. */
export function clientEnv(creds: Creds, caPath: string): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    ...(creds.sessionToken ? { AWS_SESSION_TOKEN: creds.sessionToken } : {}),
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CA_BUNDLE: caPath,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_RETRY_MODE: 'standard',
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
  };
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? Number((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Runs Debian's AWS CLI v2 (`/usr/bin/aws`, never a pyenv shim) against Vigil. */
export function aws(url: string, creds: Creds, caPath: string, args: string[]): Promise<RunResult> {
  return run('/usr/bin/aws', ['--endpoint-url', url, '--output', 'json', ...args], clientEnv(creds, caPath));
}

/** Runs a boto3 script with Debian's Python; the script reads ENDPOINT from the environment. */
export function boto3(url: string, creds: Creds, caPath: string, script: string): Promise<RunResult> {
  return run('/usr/bin/python3', ['-c', script], { ...clientEnv(creds, caPath), ENDPOINT: url });
}
