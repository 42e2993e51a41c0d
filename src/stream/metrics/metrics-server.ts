/** Serves `GET /metrics` in Prometheus text format on the loopback interface only. */
import { createServer, type Server } from 'node:http';

export async function startMetricsServer(port: number, render: () => string): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      response.end(render());
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found; try /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return server;
}
