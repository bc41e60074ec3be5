import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startVigil, type VigilOptions, type VigilServer } from '../../src/server/app.js';
import type { ListenerSpec } from '../../src/server/http-listener.js';

export interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface TestVigil {
  server: VigilServer;
  url: string;
  dataDir: string;
  caPem: string;
  caPath: string;
  root: Creds;
  accountId: string;
  /** An SDK v3 client config for these credentials against the main (or a named) listener. */
  sdk(creds: Creds, listener?: string): {
    region: string; endpoint: string; credentials: Creds; requestHandler: NodeHttpHandler; maxAttempts: number;
  };
  listenerUrl(name: string): string;
  stop(): Promise<void>;
}

/** Starts a real Vigil on an ephemeral port with a fresh data dir (SQLite unless `database` is given). */
export async function startTestVigil(extra: Partial<VigilOptions> & { listeners?: ListenerSpec[] } = {}): Promise<TestVigil> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-test-'));
  const server = await startVigil({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    listeners: [],
    tlsSans: [],
    clockSkewSeconds: 300,
    authBurst: 1000,
    logLevel: 'warn',
    env: {},
    announce: () => undefined,
    ...extra,
  });
  const caPath = path.join(dataDir, 'tls', 'ca.pem');
  const caPem = await readFile(caPath, 'utf8');
  // A second replica of an existing account writes no credentials file (the root key was minted once).
  const credText = await readFile(path.join(dataDir, 'credentials'), 'utf8').catch(() => 'aws_access_key_id = -\naws_secret_access_key = -\n');
  const root: Creds = {
    accessKeyId: /aws_access_key_id\s*=\s*(\S+)/.exec(credText)![1],
    secretAccessKey: /aws_secret_access_key\s*=\s*(\S+)/.exec(credText)![1],
  };
  const agent = new https.Agent({ ca: caPem, keepAlive: true, minVersion: 'TLSv1.2' });
  const listenerUrl = (name: string) => {
    const l = server.listeners.find((x) => x.spec.name === name);
    if (!l) throw new Error(`no listener ${name}`);
    return l.url;
  };
  return {
    server, url: server.url, dataDir, caPem, caPath, root, accountId: server.accountId, listenerUrl,
    sdk: (credentials, listener) => ({
      region: 'us-east-1',
      endpoint: listener ? listenerUrl(listener) : server.url,
      credentials,
      requestHandler: new NodeHttpHandler({ httpsAgent: agent }),
      maxAttempts: 1,
    }),
    async stop() {
      agent.destroy();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
