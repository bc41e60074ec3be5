// Baseline for the gateway benchmark: a bare node:http server that answers every request with the exact
// bytes Vigil returned for the benchmarked call (status, content type, body), reading the body first as
// Vigil does. Usage: node bench/bare-server.mjs PORT RESPONSE_JSON
import http from 'node:http';
import { burn } from './burn.mjs';

const [port, responseJson] = process.argv.slice(2);
const response = JSON.parse(responseJson);
const body = Buffer.from(response.body, 'base64');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    burn();
    res.writeHead(response.status, { ...response.headers, 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
