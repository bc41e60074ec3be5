import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable, type Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { RequestContext, ListenerInfo } from '../gateway/context.js';
import { metricsAllowed, type MetricsAccess } from '../metrics/access.js';
import type { HttpRequest, HttpResponse } from '../protocol/types.js';

export interface ListenerSpec {
  name: string;
  host: string;
  port: number;
  vpce?: string;
  plaintext: boolean;
}

export interface RunningListener {
  spec: ListenerSpec;
  info: ListenerInfo;
  server: http.Server;
  url: string;
}

export type RequestRunner = (ctx: RequestContext) => Promise<HttpResponse>;

export interface ListenerOptions {
  tls?: https.ServerOptions;
  run: RequestRunner;
  now: () => Date;
  /** Who may scrape `GET /_vigil/metrics` (default loopback); `off`, or no renderMetrics, leaves the path to the pipeline. */
  metricsAccess?: MetricsAccess;
  /** Prometheus text exposition (EndpointMetrics.prometheus). */
  renderMetrics?: () => Promise<string>;
}

/** Starts one listener; resolves once it accepts connections. */
export async function startListener(spec: ListenerSpec, opts: ListenerOptions): Promise<RunningListener> {
  const info: ListenerInfo = { name: spec.name, secure: !spec.plaintext, vpce: spec.vpce };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void handle(req, res, info, opts);
  const server = spec.plaintext ? http.createServer(handler) : https.createServer(opts.tls ?? {}, handler);
  // Load balancers keep connections open for ~60 s; closing sooner causes spurious resets under keep-alive.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 120_000;
  server.on('clientError', answerUnparsableRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(spec.port, spec.host, () => { server.off('error', reject); resolve(); });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `${spec.plaintext ? 'http' : 'https'}://${host}:${addr.port}`;
  return { spec: { ...spec, port: addr.port }, info, server, url };
}

/** Load balancers probe this; it is not an AWS API, carries no data and needs no signature. */
const HEALTH_PATH = '/_vigil/health';
const HEALTHY = JSON.stringify({ status: 'ok' });

/** Prometheus scrapes this; unsigned like the health probe, so by default only local clients are served. */
const METRICS_PATH = '/_vigil/metrics';
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

async function handle(req: http.IncomingMessage, res: http.ServerResponse, listener: ListenerInfo, opts: ListenerOptions): Promise<void> {
  if (req.url === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(HEALTHY) });
    res.end(req.method === 'HEAD' ? undefined : HEALTHY);
    return;
  }
  if (opts.renderMetrics && (opts.metricsAccess ?? 'loopback') !== 'off' && isMetricsRequest(req)) {
    await serveMetrics(req, res, opts.metricsAccess ?? 'loopback', opts.renderMetrics);
    return;
  }
  const ctx = newContext(req, listener, opts.now());
  // The pipeline decides whether to buffer the body (bounded) or to hand the stream to a streaming operation.
  ctx.request.stream = req;
  let response: HttpResponse;
  try {
    response = await opts.run(ctx);
  } catch {
    // The client went away mid-body, or the pipeline failed in a way it could not encode.
    if (res.headersSent || res.destroyed) return;
    response = { status: 500, headers: { 'content-type': 'text/plain' }, body: 'InternalFailure' };
  }
  if (res.destroyed) return;
  // A body left unread (an error before a streaming upload was consumed, an oversized body) is not drained:
  // the connection closes after the response instead.
  if (!req.complete) {
    res.setHeader('connection', 'close');
    res.once('finish', () => req.destroy());
  }
  await send(req, res, response);
}

function isMetricsRequest(req: http.IncomingMessage): boolean {
  const url = req.url ?? '';
  return (req.method === 'GET' || req.method === 'HEAD') && (url === METRICS_PATH || url.startsWith(`${METRICS_PATH}?`));
}

async function serveMetrics(req: http.IncomingMessage, res: http.ServerResponse, access: MetricsAccess, render: () => Promise<string>): Promise<void> {
  let status = 200;
  let type = PROMETHEUS_TEXT;
  let body: string;
  if (!metricsAllowed(access, normaliseIp(req.socket.remoteAddress ?? ''))) {
    [status, type, body] = [403, 'text/plain', 'metrics are served to loopback clients only\n'];
  } else {
    try {
      body = await render();
    } catch {
      [status, type, body] = [500, 'text/plain', 'metrics are unavailable\n'];
    }
  }
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

async function send(req: http.IncomingMessage, res: http.ServerResponse, response: HttpResponse): Promise<void> {
  const body = response.body;
  if (body instanceof Readable) {
    // Read the first chunk before any header goes out: an integrity error in it (a damaged first frame) can
    // still be answered as an error instead of a cut connection.
    const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let first: IteratorResult<Buffer>;
    try {
      first = await iterator.next();
    } catch {
      body.destroy();
      sendBuffered(req, res, STREAM_FAILURE);
      return;
    }
    res.writeHead(response.status, response.headers);
    await stream(res, first, iterator, body);
    return;
  }
  sendBuffered(req, res, response);
}

/**
 * Writes the chunks straight to the response, waiting for 'drain' only when the socket asks for it (a stream
 * pipeline in between costs a third of GET throughput). A failure after the headers must not look like a
 * complete response: the connection is cut, so the client sees fewer bytes than Content-Length announced.
 */
async function stream(res: http.ServerResponse, first: IteratorResult<Buffer>, iterator: AsyncIterator<Buffer>, body: Readable): Promise<void> {
  try {
    for (let next = first; !next.done; next = await iterator.next()) {
      if (res.destroyed) throw new Error('client went away');
      if (!res.write(next.value)) await waitForDrain(res);
    }
    res.end();
  } catch {
    body.destroy();
    res.destroy();
  }
}

function waitForDrain(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => { res.off('drain', done); res.off('close', closed); resolve(); };
    const closed = () => { res.off('drain', done); res.off('close', closed); reject(new Error('client went away')); };
    res.on('drain', done);
    res.on('close', closed);
  });
}

/** Streams are S3's (GetObject); its error document is XML. */
const STREAM_FAILURE: HttpResponse = {
  status: 500,
  headers: { 'content-type': 'application/xml' },
  body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>',
};

/**
 * Content-Length is the body's, except where HTTP says it describes the representation rather than the body
 * (HEAD, 304): there the operation's own value (HeadObject's object size) stands. Never two of them.
 */
function sendBuffered(req: http.IncomingMessage, res: http.ServerResponse, response: HttpResponse): void {
  const body = response.body as Buffer | string;
  const headers = { ...response.headers };
  const declared = Object.keys(headers).find((h) => h.toLowerCase() === 'content-length');
  const bodiless = req.method === 'HEAD' || response.status === 304 || response.status === 204;
  if (!(declared !== undefined && bodiless && Buffer.byteLength(body) === 0)) {
    if (declared !== undefined) delete headers[declared];
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  res.writeHead(response.status, headers);
  res.end(body);
}

function newContext(req: http.IncomingMessage, listener: ListenerInfo, now: Date): RequestContext {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  // SigV4 joins repeated header values with ',' (Node's req.headers would join some with ', ', or drop them).
  const headers: Record<string, string> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (name === '__proto__') continue;
    // Own properties only: a header called `constructor` must not find Object's.
    const seen = Object.hasOwn(headers, name) ? headers[name] : undefined;
    headers[name] = seen === undefined ? raw[i + 1] : `${seen},${raw[i + 1]}`;
  }
  const request: HttpRequest = {
    method: req.method ?? 'GET',
    path: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? '' : url.slice(q + 1),
    headers,
    body: Buffer.alloc(0),
  };
  const socket = req.socket as TLSSocket;
  const ctx: RequestContext = {
    requestId: randomUUID(),
    receivedAt: now,
    startedAt: performance.now(),
    listener,
    sourceIp: normaliseIp(req.socket.remoteAddress ?? ''),
    userAgent: headers['user-agent'] ?? '',
    request,
    region: 'us-east-1',
  };
  if (listener.secure && typeof socket.getProtocol === 'function') {
    ctx.tlsDetails = {
      tlsVersion: socket.getProtocol() ?? 'unknown',
      cipherSuite: socket.getCipher()?.standardName ?? 'unknown',
      clientProvidedHostHeader: headers.host ?? '',
    };
  }
  return ctx;
}

/** Strips the IPv4-mapped prefix so policies written with IPv4 CIDRs match. */
function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/**
 * Bytes that are not HTTP/1.1 (a body without framing, oversized headers) never reach the pipeline; they still
 * get an AWS-shaped JSON error instead of Node's bare 400, and the connection is closed.
 */
function answerUnparsableRequest(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const code = tooLarge ? 'RequestHeaderSectionTooLarge' : 'BadRequest';
  const body = JSON.stringify({ __type: code, message: tooLarge ? 'Request headers are too large' : 'The request is not valid HTTP/1.1' });
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nX-Amzn-ErrorType: ${code}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * Graceful stop: refuse new connections, let in-flight requests finish (up to `graceMs`), then close the rest.
 */
export async function stopListener(l: RunningListener, graceMs = 10_000): Promise<void> {
  const closed = new Promise<void>((resolve) => l.server.close(() => resolve()));
  l.server.closeIdleConnections();
  const timer = setTimeout(() => l.server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
}
