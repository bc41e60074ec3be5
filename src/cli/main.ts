import { readFile } from 'node:fs/promises';
import { envLines } from './env.js';
import { UsageError } from './usage-error.js';

const HELP = `Usage: vigil <command> [options]

Commands:
  serve   Run the Vigil server (HTTPS, SigV4, IAM) on the embedded default or PostgreSQL
          --data-dir DIR (./.vigil)  --host H (127.0.0.1)  --port N (8443, 0 = any free port)
          --listen NAME=HOST:PORT[,vpce=vpce-ID][,plaintext]  (repeatable network boundaries)
          --allow-insecure  --tls-san NAME  --tls-cert FILE --tls-key FILE
          --master-key-file FILE (or VIGIL_MASTER_KEY)  --database postgres://…
          --clock-skew SECONDS (300)  --auth-burst N (20)  --log-level LEVEL (info)
          --allow-file-models  --allow-exec-models  --allow-model-server-urls  --metrics-access off|loopback|public (loopback)
  env     Print the export lines that point the AWS CLI, SDKs and boto3 at Vigil
          --data-dir DIR (./.vigil)
  master-key rotate
          Re-wrap all secrets under a new master key (running replicas keep serving)
          --data-dir DIR  --database URL  --master-key-file FILE  --new-master-key-file FILE
  baseline
          Profile a dataset; write statistics.json and suggested constraints.json (no server needed)
          --input FILE|DIR|s3://…  --output DIR|s3://…  --format csv|jsonl|capture (from the file name)
          --header | --no-header (detected)  --capture-output omit|start|end (omit)
          --preprocessor FILE.mjs  --categorical-drift-method LInfinity|ChiSquared
  analyze Check a dataset against a baseline; write statistics.json, constraint_violations.json, report.html
          --baseline DIR|s3://…  --input FILE|DIR|s3://…  --output DIR|s3://…  (input options as for baseline)
          exit 0: no violations, 3: violations, 2: usage error, 1: failure
  version Print the version
  help    Show this text
`;

/** Entry point of the `vigil` command; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // Commands load on demand: `vigil baseline` must not pay for loading the whole server (about half a second).
    switch (command) {
      case 'serve':
        return await (await import('./serve.js')).serveCommand(rest);
      case 'env':
        return envCommand(rest);
      case 'baseline':
        return await (await import('./baseline.js')).baselineCommand(rest);
      case 'analyze':
        return await (await import('./analyze.js')).analyzeCommand(rest);
      case 'master-key':
        return await (await import('./key-rotation.js')).masterKeyCommand(rest);
      case 'version':
      case '--version':
        process.stdout.write(`${await version()}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        return 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`vigil: ${err.message}\n\nRun 'vigil help' for usage.\n`);
      return 2;
    }
    throw err;
  }
}

function envCommand(argv: string[]): number {
  let dir = './.vigil';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--data-dir' && argv[i + 1]) dir = argv[++i];
    else if (argv[i].startsWith('--data-dir=')) dir = argv[i].slice('--data-dir='.length);
    else throw new UsageError(`unknown option '${argv[i]}' for 'vigil env'`);
  }
  process.stdout.write(`${envLines(dir).join('\n')}\n`);
  return 0;
}

async function version(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
