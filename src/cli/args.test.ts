import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseListen, parseServeArgs, UsageError } from './args.js';

const bad = (argv: string[], message: RegExp) => {
  expect(() => parseServeArgs(argv)).toThrow(UsageError);
  expect(() => parseServeArgs(argv)).toThrow(message);
};

describe('parseServeArgs', () => {
  it('has secure, local defaults', () => {
    expect(parseServeArgs([])).toEqual({
      dataDir: resolve('.vigil'),
      host: '127.0.0.1',
      port: 8443,
      tlsSans: [],
      tlsCert: undefined,
      tlsKey: undefined,
      masterKeyFile: undefined,
      database: undefined,
      blobStore: undefined,
      blobStoreEndpoint: undefined,
      blobStoreRegion: 'us-east-1',
      listeners: [],
      allowInsecure: false,
      clockSkewSeconds: 300,
      authBurst: 20,
      logLevel: 'info',
      allowFileModels: false,
      allowExecModels: false,
      allowModelServerUrls: false,
      metricsAccess: 'loopback',
    });
  });

  it('takes the model-hosting switches and the metrics access mode', () => {
    expect(parseServeArgs(['--allow-file-models', '--allow-exec-models', '--allow-model-server-urls', '--metrics-access', 'public']))
      .toMatchObject({ allowFileModels: true, allowExecModels: true, allowModelServerUrls: true, metricsAccess: 'public' });
    expect(() => parseServeArgs(['--metrics-access', 'everyone'])).toThrow(/--metrics-access must be one of off, loopback, public, got 'everyone'/);
  });

  it('takes a blob store URL and refuses anything but file:// and s3://', () => {
    expect(parseServeArgs(['--blob-store', 's3://vigil-blobs/prod', '--blob-store-endpoint', 'https://minio:9000']).blobStore).toBe('s3://vigil-blobs/prod');
    expect(() => parseServeArgs(['--blob-store', 'ftp://x/y'])).toThrow(/--blob-store: unsupported blob store scheme/);
    expect(() => parseServeArgs(['--blob-store', 's3://Bad_Bucket/p'])).toThrow(/invalid bucket name/);
  });

  it('parses every option, in both --opt value and --opt=value forms', () => {
    const o = parseServeArgs([
      '--data-dir', '/srv/vigil', '--host=[::1]', '--port', '0', '--tls-san', 'vigil.lan', '--tls-san=10.0.0.7',
      '--master-key-file', 'keys/mk', '--database', 'postgres://v:secret@db:5432/vigil', '--listen', 'internal=[::1]:9000,plaintext',
      '--listen', 'vpc=10.0.0.7:8444,vpce=vpce-0abc123', '--allow-insecure', '--clock-skew', '900', '--auth-burst', '5',
      '--log-level', 'debug',
    ]);
    expect(o).toMatchObject({
      dataDir: '/srv/vigil', host: '::1', port: 0, tlsSans: ['vigil.lan', '10.0.0.7'], masterKeyFile: resolve('keys/mk'),
      database: 'postgres://v:secret@db:5432/vigil', allowInsecure: true, clockSkewSeconds: 900, authBurst: 5, logLevel: 'debug',
    });
    expect(o.listeners).toEqual([
      { name: 'internal', host: '::1', port: 9000, plaintext: true },
      { name: 'vpc', host: '10.0.0.7', port: 8444, vpce: 'vpce-0abc123', plaintext: false },
    ]);
  });

  it('accepts --tls-cert with --tls-key, resolved to absolute paths', () => {
    const o = parseServeArgs(['--tls-cert', 'c.pem', '--tls-key', 'k.pem']);
    expect([o.tlsCert, o.tlsKey]).toEqual([resolve('c.pem'), resolve('k.pem')]);
  });

  it('rejects unknown options, stray arguments and missing values', () => {
    bad(['--prot', '1'], /Unknown option '--prot'/);
    bad(['serve'], /Unexpected argument 'serve'/);
    bad(['--port'], /argument missing/);
    bad(['--allow-insecure=yes'], /does not take an argument/);
  });

  it('validates numbers and ranges', () => {
    bad(['--port', '65536'], /--port must be a whole number from 0 to 65535, got '65536'/);
    bad(['--port=-1'], /--port must be a whole number/);
    bad(['--port', '80.5'], /--port/);
    bad(['--clock-skew', '0'], /--clock-skew must be a whole number from 1 to 3600/);
    bad(['--clock-skew', '7200'], /--clock-skew/);
    bad(['--auth-burst', '0'], /--auth-burst must be a whole number from 1/);
    bad(['--log-level', 'verbose'], /--log-level must be one of fatal, error, warn, info, debug, trace, silent/);
  });

  it('validates hosts, SANs and the database URL without echoing its password', () => {
    bad(['--host', 'not a host'], /--host: 'not a host' is not an IP address or host name/);
    bad(['--data-dir', ''], /--data-dir must not be empty/);
    bad(['--tls-san', 'bad name'], /--tls-san: invalid TLS subject alternative name "bad name"/);
    bad(['--database', 'mysql://u:hunter2@db/x'], /--database must be a PostgreSQL URL/);
    expect(() => parseServeArgs(['--database', 'mysql://u:hunter2@db/x'])).not.toThrow(/hunter2/);
  });

  it('requires --tls-cert and --tls-key together, and no --tls-san with them', () => {
    bad(['--tls-cert', 'c.pem'], /--tls-cert and --tls-key must be given together/);
    bad(['--tls-key', 'k.pem'], /must be given together/);
    bad(['--tls-cert', 'c', '--tls-key', 'k', '--tls-san', 'x.lan'], /--tls-san only applies to the certificate Vigil generates/);
  });

  it('refuses plaintext on a non-loopback address unless --allow-insecure', () => {
    bad(['--listen', 'lan=0.0.0.0:8080,plaintext'], /plaintext listener on 0\.0\.0\.0 would send SigV4-signed requests.*--allow-insecure/);
    bad(['--listen', 'lan=[::]:8080,plaintext'], /plaintext listener on ::/);
    bad(['--listen', 'lan=vigil.example.com:80,plaintext'], /plaintext listener/);
    expect(parseServeArgs(['--listen', 'lan=0.0.0.0:8080,plaintext', '--allow-insecure']).listeners[0].plaintext).toBe(true);
    for (const loop of ['127.0.0.1', '127.9.9.9', '[::1]', 'localhost', '[::ffff:127.0.0.1]']) {
      expect(parseServeArgs(['--listen', `l=${loop}:8080,plaintext`]).listeners[0].plaintext, loop).toBe(true);
    }
    // TLS listeners may bind anywhere.
    expect(parseServeArgs(['--listen', 'lan=0.0.0.0:8444']).listeners[0].host).toBe('0.0.0.0');
  });

  it('rejects duplicate listener names and addresses', () => {
    bad(['--listen', 'a=127.0.0.1:9000', '--listen', 'a=127.0.0.1:9001'], /listener name 'a' is used twice/);
    bad(['--listen', 'default=127.0.0.1:9000'], /reserved 'default'/);
    bad(['--listen', 'a=127.0.0.1:8443'], /127\.0\.0\.1:8443 is already used/);
    expect(parseServeArgs(['--port', '0', '--listen', 'a=127.0.0.1:0', '--listen', 'b=127.0.0.1:0']).listeners).toHaveLength(2);
  });
});

describe('parseListen', () => {
  it('parses NAME=HOST:PORT with options', () => {
    expect(parseListen('edge=localhost:0')).toEqual({ name: 'edge', host: 'localhost', port: 0, plaintext: false });
    expect(parseListen('v=[2001:db8::5]:443,vpce=vpce-1a2b,plaintext')).toEqual({
      name: 'v', host: '2001:db8::5', port: 443, vpce: 'vpce-1a2b', plaintext: true,
    });
  });

  it('explains malformed values', () => {
    const cases: [string, RegExp][] = [
      ['127.0.0.1:80', /expected NAME=HOST:PORT/],
      ['1x=127.0.0.1:80', /expected NAME=HOST:PORT/],
      ['a=127.0.0.1', /expected HOST:PORT after '='/],
      ['a=::1:8080', /put IPv6 addresses in brackets/],
      ['a=[127.0.0.1]:80', /only IPv6 addresses go in brackets/],
      ['a=[::1]:70000', /port must be a whole number from 0 to 65535/],
      ['a=127.0.0.1:80,vpce=vpce-ABC', /not a VPC endpoint id/],
      ['a=127.0.0.1:80,vpce=endpoint-1', /not a VPC endpoint id/],
      [`a=127.0.0.1:80,vpce=vpce-${'a'.repeat(33)}`, /not a VPC endpoint id/],
      ['a=127.0.0.1:80,tls', /unknown or repeated option 'tls'/],
      ['a=127.0.0.1:80,plaintext,plaintext', /unknown or repeated option 'plaintext'/],
      ['a=bad_host!:80', /is not an IP address or host name/],
    ];
    for (const [value, message] of cases) {
      expect(() => parseListen(value), value).toThrow(UsageError);
      expect(() => parseListen(value), value).toThrow(message);
    }
  });
});
