import * as http from 'http';

/** What the service reports about itself on /health. */
export interface ServiceInfo {
  readonly name: string;
  readonly version: string;
}

/**
 * Creates the HTTP server. `/health` is the contract the image's test phase and the fleet's health gate rely on:
 * 200 with a small JSON body when the process is ready to serve.
 */
export function createServer(info: ServiceInfo): http.Server {
  const startedAt = Date.now();
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { error: 'method not allowed' }, { Allow: 'GET, HEAD' });
      return;
    }
    switch (url.pathname) {
      case '/health':
        send(res, 200, { status: 'ok', name: info.name, version: info.version, uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000) });
        return;
      case '/':
        send(res, 200, { message: `Hello from ${info.name} ${info.version}` });
        return;
      default:
        send(res, 404, { error: 'not found' });
    }
  });
}

function send(res: http.ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}
