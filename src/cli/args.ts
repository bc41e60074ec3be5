import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseBlobStoreUrl } from '../state/blobs/index.js';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import ipaddr from 'ipaddr.js';
import { parseSanName } from '../server/tls.js';
import { UsageError } from './usage-error.js';

export { UsageError };

/** One extra network boundary (`--listen`), e.g. a VPC-endpoint-like interface. */
export interface ListenOption {
  name: string;
  /** Without brackets, as node's `server.listen` wants it. */
  host: string;
  port: number;
  vpce?: string;
  plaintext: boolean;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServeOptions {
  /** Absolute, resolved against the working directory at parse time. */
  dataDir: string;
  host: string;
  port: number;
  tlsSans: string[];
  tlsCert?: string;
  tlsKey?: string;
  masterKeyFile?: string;
  database?: string;
  /** Where object bytes (always ciphertext) live: file:///dir or s3://bucket/prefix; default DIR/blobs. */
  blobStore?: string;
  blobStoreEndpoint?: string;
  blobStoreRegion: string;
  listeners: ListenOption[];
  allowInsecure: boolean;
  clockSkewSeconds: number;
  authBurst: number;
  logLevel: LogLevel;
  /** CreateModel may name `file://` model artifacts on this host (off: a caller could read any file Vigil can). */
  allowFileModels: boolean;
  /** CreateModel may launch `vigil/exec` model servers as host processes (off: it is code execution on the host). */
  allowExecModels: boolean;
  /** CreateModel may name `http(s)://` model servers (off: Vigil would call any address a caller names). */
  allowModelServerUrls: boolean;
  /** Who may read Prometheus metrics at /_vigil/metrics. */
  metricsAccess: MetricsAccess;
}

export const METRICS_ACCESS = ['off', 'loopback', 'public'] as const;
export type MetricsAccess = (typeof METRICS_ACCESS)[number];

const OPTIONS = {
  'data-dir': { type: 'string', default: './.vigil' },
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '8443' },
  'tls-san': { type: 'string', multiple: true, default: [] as string[] },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'master-key-file': { type: 'string' },
  database: { type: 'string' },
  'blob-store': { type: 'string' },
  'blob-store-endpoint': { type: 'string' },
  'blob-store-region': { type: 'string', default: 'us-east-1' },
  listen: { type: 'string', multiple: true, default: [] as string[] },
  'allow-insecure': { type: 'boolean', default: false },
  'clock-skew': { type: 'string', default: '300' },
  'auth-burst': { type: 'string', default: '20' },
  'log-level': { type: 'string', default: 'info' },
  'allow-file-models': { type: 'boolean', default: false },
  'allow-exec-models': { type: 'boolean', default: false },
  'allow-model-server-urls': { type: 'boolean', default: false },
  'metrics-access': { type: 'string', default: 'loopback' },
} satisfies ParseArgsConfig['options'];

/** Parses the arguments after `vigil serve`. */
export function parseServeArgs(argv: string[]): ServeOptions {
  const v = rawValues(argv);
  const opts: ServeOptions = {
    dataDir: resolve(nonEmpty(v['data-dir'], '--data-dir')),
    host: parseHost(v.host, '--host'),
    port: parseIntIn(v.port, '--port', 0, 65535),
    tlsSans: v['tls-san'].map(parseSan),
    tlsCert: optionalPath(v['tls-cert'], '--tls-cert'),
    tlsKey: optionalPath(v['tls-key'], '--tls-key'),
    masterKeyFile: optionalPath(v['master-key-file'], '--master-key-file'),
    database: v.database === undefined ? undefined : parseDatabaseUrl(v.database),
    blobStore: v['blob-store'] === undefined ? undefined : parseBlobStoreFlag(v['blob-store']),
    blobStoreEndpoint: v['blob-store-endpoint'],
    blobStoreRegion: v['blob-store-region'],
    listeners: v.listen.map(parseListen),
    allowInsecure: v['allow-insecure'],
    // Beyond an hour a captured signature stays replayable for too long; AWS itself allows 15 minutes.
    clockSkewSeconds: parseIntIn(v['clock-skew'], '--clock-skew', 1, 3600),
    authBurst: parseIntIn(v['auth-burst'], '--auth-burst', 1, 1_000_000),
    logLevel: parseLogLevel(v['log-level']),
    allowFileModels: v['allow-file-models'],
    allowExecModels: v['allow-exec-models'],
    allowModelServerUrls: v['allow-model-server-urls'],
    metricsAccess: parseOneOf(v['metrics-access'], '--metrics-access', METRICS_ACCESS),
  };
  checkCombinations(opts);
  return opts;
}

function rawValues(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    // parseArgs' messages already name the option ("Unknown option '--prot'").
    throw new UsageError((err as Error).message);
  }
}

function nonEmpty(value: string, flag: string): string {
  if (value.trim() === '') throw new UsageError(`${flag} must not be empty`);
  return value;
}

function optionalPath(value: string | undefined, flag: string): string | undefined {
  return value === undefined ? undefined : resolve(nonEmpty(value, flag));
}

function parseIntIn(value: string, flag: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got '${value}'`);
  }
  return n;
}

function parseOneOf<T extends string>(value: string, flag: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

function parseLogLevel(value: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${value}'`);
  }
  return value as LogLevel;
}

function parseSan(value: string): string {
  try {
    parseSanName(value);
  } catch (err) {
    throw new UsageError(`--tls-san: ${(err as Error).message}`);
  }
  return value;
}

// The URL may carry a password, so it is never echoed back.
function parseDatabaseUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['postgres:', 'postgresql:'].includes(url.protocol) || url.hostname === '') {
    throw new UsageError('--database must be a PostgreSQL URL such as postgres://user:password@host:5432/vigil');
  }
  return value;
}

const HOSTNAME = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/i;

/** An IP (IPv6 with or without brackets) or a host name; returned without brackets. */
function parseHost(value: string, flag: string): string {
  const host = value.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) || HOSTNAME.test(host)) return host;
  throw new UsageError(`${flag}: '${value}' is not an IP address or host name`);
}

function isLoopback(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  // process() folds IPv4-mapped IPv6 (::ffff:127.0.0.1) into IPv4 so both spellings are recognised.
  return isIP(host) !== 0 && ipaddr.process(host).range() === 'loopback';
}

const LISTEN_FORM = 'NAME=HOST:PORT[,vpce=vpce-ID][,plaintext]';

/** `--listen NAME=HOST:PORT[,vpce=vpce-ID][,plaintext]`; IPv6 hosts in brackets: `[::1]:8080`. */
export function parseListen(value: string): ListenOption {
  const eq = value.indexOf('=');
  const name = value.slice(0, eq);
  if (eq < 0 || !/^[a-z][a-z0-9_-]{0,31}$/i.test(name)) {
    throw new UsageError(`--listen '${value}': expected ${LISTEN_FORM}, NAME being letters, digits, '-' or '_'`);
  }
  const [address, ...flags] = value.slice(eq + 1).split(',');
  const out: ListenOption = { name, ...parseAddress(address, value), plaintext: false };
  for (const flag of flags) applyListenFlag(out, flag, value);
  return out;
}

function parseAddress(address: string, whole: string): { host: string; port: number } {
  const m = /^(\[[^\]]*\]|[^:[\]]*):(\d{1,5})$/.exec(address);
  if (!m) {
    const hint = (address.match(/:/g) ?? []).length > 1 ? ' (put IPv6 addresses in brackets: [::1]:8080)' : '';
    throw new UsageError(`--listen '${whole}': expected HOST:PORT after '=', got '${address}'${hint}`);
  }
  const host = parseHost(m[1], `--listen '${whole}'`);
  if (m[1].startsWith('[') && isIP(host) !== 6) throw new UsageError(`--listen '${whole}': only IPv6 addresses go in brackets`);
  return { host, port: parseIntIn(m[2], `--listen '${whole}' port`, 0, 65535) };
}

function applyListenFlag(out: ListenOption, flag: string, whole: string): void {
  if (flag === 'plaintext' && !out.plaintext) {
    out.plaintext = true;
  } else if (flag.startsWith('vpce=') && out.vpce === undefined) {
    out.vpce = flag.slice(5);
    if (!/^vpce-[0-9a-z]{1,32}$/.test(out.vpce)) {
      throw new UsageError(`--listen '${whole}': '${out.vpce}' is not a VPC endpoint id (vpce- then 1-32 of 0-9, a-z)`);
    }
  } else {
    throw new UsageError(`--listen '${whole}': unknown or repeated option '${flag}' (allowed: vpce=vpce-ID, plaintext)`);
  }
}

function checkCombinations(o: ServeOptions): void {
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) {
    throw new UsageError('--tls-cert and --tls-key must be given together');
  }
  if (o.tlsCert !== undefined && o.tlsSans.length > 0) {
    throw new UsageError('--tls-san only applies to the certificate Vigil generates; it cannot be combined with --tls-cert');
  }
  checkListeners(o);
}

function checkListeners(o: ServeOptions): void {
  const names = new Set<string>(['default']);
  const addresses = new Set<string>(o.port === 0 ? [] : [`${o.host}:${o.port}`]);
  for (const l of o.listeners) {
    if (names.has(l.name)) throw new UsageError(`--listen: listener name '${l.name}' is used twice (or is the reserved 'default')`);
    names.add(l.name);
    const addr = `${l.host}:${l.port}`;
    if (l.port !== 0 && addresses.has(addr)) throw new UsageError(`--listen '${l.name}': ${addr} is already used by another listener`);
    addresses.add(addr);
    if (l.plaintext && !isLoopback(l.host) && !o.allowInsecure) {
      throw new UsageError(
        `--listen '${l.name}': a plaintext listener on ${l.host} would send SigV4-signed requests, session tokens and ` +
          'model payloads unencrypted over the network, where they can be read and replayed. Bind it to a loopback ' +
          'address (127.0.0.1, ::1), drop ,plaintext, or pass --allow-insecure if a trusted proxy terminates TLS.',
      );
    }
  }
}

function parseBlobStoreFlag(value: string): string {
  try {
    parseBlobStoreUrl(value);
    return value;
  } catch (err) {
    throw new UsageError(`--blob-store: ${(err as Error).message}`);
  }
}
