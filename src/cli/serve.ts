import { startVigil, type VigilServer } from '../server/app.js';
import { parseServeArgs } from './args.js';

/**
 * `vigil serve`: start, print exactly one line on stdout once requests are accepted, and shut down gracefully
 * on SIGTERM/SIGINT (stop accepting, finish in-flight requests, flush the audit log, exit 0).
 */
export async function serveCommand(argv: string[]): Promise<number> {
  const opts = parseServeArgs(argv);
  // Signals are handled from the first moment, so one that arrives during start-up stops the server cleanly
  // as soon as it is up instead of killing the process half-way through writing its files.
  let signalled: string | undefined;
  let onSignal: ((signal: string) => void) | undefined;
  const handler = (signal: string) => {
    if (signalled) {
      // A second signal means the operator will not wait for in-flight requests.
      process.stderr.write(`vigil: ${signal} received again, exiting without waiting\n`);
      process.exit(1);
    }
    signalled = signal;
    onSignal?.(signal);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  let server: VigilServer;
  try {
    server = await startVigil({
      dataDir: opts.dataDir,
      host: opts.host,
      port: opts.port,
      listeners: opts.listeners,
      tlsSans: opts.tlsSans,
      tlsCert: opts.tlsCert,
      tlsKey: opts.tlsKey,
      masterKeyFile: opts.masterKeyFile,
      database: opts.database,
      blobStore: opts.blobStore,
      blobStoreEndpoint: opts.blobStoreEndpoint,
      blobStoreRegion: opts.blobStoreRegion,
      clockSkewSeconds: opts.clockSkewSeconds,
      authBurst: opts.authBurst,
      logLevel: opts.logLevel,
      allowFileModels: opts.allowFileModels,
      allowExecModels: opts.allowExecModels,
      allowModelServerUrls: opts.allowModelServerUrls,
      metricsAccess: opts.metricsAccess,
    });
  } catch (err) {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
    throw err;
  }
  process.stdout.write(`vigil: listening on ${server.url}\n`);
  const stopped = new Promise<number>((resolve) => {
    onSignal = (signal) => {
      process.stderr.write(`vigil: ${signal} received, shutting down\n`);
      server.close().then(() => resolve(0), (err: unknown) => {
        process.stderr.write(`vigil: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
        resolve(1);
      });
    };
  });
  if (signalled) onSignal!(signalled);
  return stopped;
}
