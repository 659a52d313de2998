import http from 'node:http';

/**
 * An OTLP/HTTP collector that drops what it gets (counts requests and bytes): the far end of traces for benchmarks,
 * in its own process so the load generator never shares its event loop. Prints its port, then answers `stats` on
 * stdin with a JSON line.
 */
let requests = 0;
let bytes = 0;
const server = http.createServer((req, res) => {
  req.on('data', (chunk: Buffer) => (bytes += chunk.length));
  req.on('end', () => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as { port: number }).port}\n`);
});
process.stdin.on('data', () => process.stdout.write(`${JSON.stringify({ requests, bytes })}\n`));
process.on('SIGTERM', () => process.exit(0));
