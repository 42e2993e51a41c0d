/** Serves `GET /metrics` in Prometheus text format on the address asked for (loopback by default). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startMetricsServer(host: string, port: number, render: () => string): Promise<Server> {
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
    server.listen(port, host, resolve);
  });
  return server;
}

/** The port a server listens on (the one picked for port 0). */
export function boundPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}
