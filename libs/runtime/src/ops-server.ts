import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OpsServerOptions {
  host: string;
  port: number;
  registry: { contentType: string; metrics(): Promise<string> };
  /** Ready = connected and caught up; a reason string when not. */
  ready: () => true | string;
}

/**
 * The operations endpoints every service has: `/healthz` (the process is alive and its
 * event loop turns), `/readyz` (it is connected and caught up), `/metrics` (Prometheus).
 */
export async function startOpsServer(options: OpsServerOptions): Promise<{
  port: number;
  close: () => Promise<void>;
}> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const ready = options.ready();
      res
        .writeHead(ready === true ? 200 : 503, { 'content-type': 'text/plain' })
        .end(ready === true ? 'ready\n' : `not ready: ${ready}\n`);
    } else if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
