import { createServer } from './server';

// The version is stamped into the bundle at build time (build.mjs), so /health tells which build runs.
declare const __APP_VERSION__: string;

const port = Number(process.env.PORT ?? 8080);
const server = createServer({ name: 'golden-ami-sample-app', version: typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev' });
server.listen(port, () => console.log(`listening on port ${port}`));

// systemd stops the service with SIGTERM: finish in-flight requests, then exit.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
