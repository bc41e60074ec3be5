// Baseline for the InvokeEndpoint benchmark: a bare node:http server running the same ONNX model in-process
// (onnxruntime-node, CPU): reads the CSV body, one row per line, runs one batch, answers one score per line.
// No auth, no capture, no metrics, no audit. Usage: node bench/bare-onnx-server.mjs PORT MODEL_PATH
import http from 'node:http';
import { burn } from './burn.mjs';
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';

const [port, modelPath] = process.argv.slice(2);
// The same session options as Vigil's vigil/onnx runtime (src/inference/runtimes/onnx-runtime.ts).
const session = await ort.InferenceSession.create(readFileSync(modelPath), {
  executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1,
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
});
const input = session.inputNames[0];
const output = session.outputNames[0];

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    burn();
    const rows = Buffer.concat(chunks).toString('utf8').trim().split('\n').map((l) => l.split(',').map(Number));
    const features = rows[0].length;
    const data = new Float32Array(rows.length * features);
    rows.forEach((r, i) => data.set(r, i * features));
    const out = await session.run({ [input]: new ort.Tensor('float32', data, [rows.length, features]) });
    const body = Array.from(out[output].data, (x) => String(x)).join('\n') + '\n';
    res.writeHead(200, { 'content-type': 'text/csv', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
