import { startVigil } from '../server/app.js';
import { parseServeArgs } from './args.js';

/**
 * `vigil serve`: start, print exactly one line on stdout once requests are accepted, and shut down gracefully
 * on SIGTERM/SIGINT (stop accepting, finish in-flight requests, flush the audit log, exit 0).
 */
export async function serveCommand(argv: string[]): Promise<number> {
  const opts = parseServeArgs(argv);
  const server = await startVigil({
    dataDir: opts.dataDir,
    host: opts.host,
    port: opts.port,
    listeners: opts.listeners,
    tlsSans: opts.tlsSans,
    tlsCert: opts.tlsCert,
    tlsKey: opts.tlsKey,
    masterKeyFile: opts.masterKeyFile,
    database: opts.database,
    clockSkewSeconds: opts.clockSkewSeconds,
    authBurst: opts.authBurst,
    logLevel: opts.logLevel,
  });
  process.stdout.write(`vigil: listening on ${server.url}\n`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`vigil: ${signal} received, shutting down\n`);
      server.close().then(() => resolve(0), (err: unknown) => {
        process.stderr.write(`vigil: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
        resolve(1);
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
