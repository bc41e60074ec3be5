import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDrift } from './drift.js';
import { runTraffic } from './traffic.js';

interface Seen {
  method: string;
  url: string;
  contentType: string;
  inferenceId: string | undefined;
  body: string;
}

/** Stands in for SageMaker Runtime's InvokeEndpoint (no signature check: this tests our request, not auth). */
describe('runTraffic', () => {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: String(req.headers['content-type']),
        inferenceId: req.headers['x-amzn-sagemaker-inference-id'] as string | undefined,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (seen.length === 3) {
        res.writeHead(424, { 'content-type': 'application/json', 'x-amzn-errortype': 'ModelError' });
        res.end(JSON.stringify({ message: 'boom' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end('0.25\n');
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-traffic-'));
  let client: SageMakerRuntimeClient;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new SageMakerRuntimeClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('invokes the endpoint with CSV feature rows and writes ground truth for successes', async () => {
    const errors = console.error;
    console.error = () => undefined;
    const groundTruthFile = join(dir, 'gt.jsonl');
    const stats = await runTraffic(client, {
      endpointName: 'fraud-detection',
      rate: 500,
      count: 6,
      batch: 1,
      concurrency: 1,
      seed: 7,
      drift: parseDrift(['amount=3']),
      driftAfterSeconds: 0,
      groundTruthFile,
      reportEverySeconds: 60,
      log: () => undefined,
    }).finally(() => (console.error = errors));

    expect(seen).toHaveLength(6);
    for (const s of seen) {
      expect(s.method).toBe('POST');
      expect(s.url).toBe('/endpoints/fraud-detection/invocations');
      expect(s.contentType).toBe('text/csv');
      expect(s.body.split(',')).toHaveLength(15);
      expect(s.inferenceId).toMatch(/^fraud-7-/);
    }
    expect(stats.ok).toBe(5);
    expect(stats.failed).toBe(1);
    expect([...stats.errors.keys()]).toEqual(['ModelError (424)']);
    expect(stats.meanScore()).toBeCloseTo(0.25, 6);

    const truth = readFileSync(groundTruthFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, { eventId?: string; encoding?: string }>);
    expect(truth).toHaveLength(5);
    expect(truth[0].groundTruthData.encoding).toBe('CSV');
    expect(truth.map((t) => t.eventMetadata.eventId)).not.toContain(seen[2].inferenceId);
  });

  it('refuses ground truth with batched requests', async () => {
    await expect(
      runTraffic(client, {
        endpointName: 'x', rate: 1, count: 1, batch: 2, concurrency: 1, seed: 1, drift: {}, driftAfterSeconds: 0,
        groundTruthFile: join(dir, 'never.jsonl'), reportEverySeconds: 5, log: () => undefined,
      }),
    ).rejects.toThrow(/--batch 1/);
  });
});
