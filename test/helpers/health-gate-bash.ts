import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * Runs a Linux health gate for real: a local HTTP server on 127.0.0.1 plays the application, and stub `cfn-signal` and
 * `dnf` commands first on PATH record how the script calls them.
 */

/** How the stand-in application answers its health path. */
export type AppBehaviour =
  | { readonly kind: 'healthy' }
  /** 503 until `healthyAfterMs` after the first request, then 200. */
  | { readonly kind: 'slow'; readonly healthyAfterMs: number }
  | { readonly kind: 'never' }
  | { readonly kind: 'redirect' }
  | { readonly kind: 'hang' };

export interface AppServer {
  readonly port: number;
  /** Paths of the requests received, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startApp(behaviour: AppBehaviour): Promise<AppServer> {
  const requests: string[] = [];
  let firstRequestAt: number | undefined;
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    firstRequestAt ??= Date.now();
    switch (behaviour.kind) {
      case 'healthy':
        res.writeHead(200).end('ok');
        return;
      case 'slow':
        res.writeHead(Date.now() - firstRequestAt >= behaviour.healthyAfterMs ? 200 : 503).end();
        return;
      case 'never':
        res.writeHead(503).end();
        return;
      case 'redirect':
        res.writeHead(302, { Location: '/elsewhere' }).end();
        return;
      case 'hang':
        return; // accepts the request and never answers
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Arguments of one cfn-signal call, read with the options cfn-signal documents; any other option fails the parse. */
export interface SignalCall {
  readonly exitCode: string;
  readonly stack: string;
  readonly resource: string;
  readonly region: string;
}

export interface StubOptions {
  /** Where the gate can find cfn-signal: first on PATH, only after `dnf install`, or nowhere (dnf fails). */
  readonly cfnSignal: 'on-path' | 'installed-by-dnf' | 'missing';
  /** Exit code of the stub cfn-signal (CloudFormation refusing a signal makes the real one exit non-zero). @default 0 */
  readonly cfnSignalExitCode?: number;
  /**
   * What a stub `aws elbv2 describe-target-health` answers, one state per call (the last one repeats), and the
   * instance metadata stand-in the gate asks for its instance id.
   * @default - no load balancer: no aws stub, no metadata stand-in
   */
  readonly targetHealth?: { readonly states: readonly string[]; readonly imdsEndpoint: string };
}

export interface GateRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
  readonly signals: SignalCall[];
  /** Argument lists of the dnf calls. */
  readonly dnfCalls: string[][];
  /** Argument lists of the aws calls. */
  readonly awsCalls: string[][];
}

/** A stand-in for IMDSv2: a token for PUT /latest/api/token, the instance id for a GET that presents it. */
export async function startInstanceMetadata(instanceId: string): Promise<{ readonly endpoint: string; close(): Promise<void> }> {
  const token = 'imds-token-for-the-test';
  const server: Server = createServer((req, res) => {
    if (req.method === 'PUT' && req.url === '/latest/api/token' && req.headers['x-aws-ec2-metadata-token-ttl-seconds']) return void res.writeHead(200).end(token);
    if (req.method === 'GET' && req.url === '/latest/meta-data/instance-id' && req.headers['x-aws-ec2-metadata-token'] === token) return void res.writeHead(200).end(instanceId);
    res.writeHead(401).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** True when this machine has a real cfn-signal the PATH lookup would find, so "missing" cannot be staged. */
export function realCfnSignalPresent(): boolean {
  return existsSync('/opt/aws/bin/cfn-signal') || spawnSync('bash', ['-c', 'command -v cfn-signal'], { encoding: 'utf8' }).status === 0;
}

export function curlPresent(): boolean {
  return spawnSync('bash', ['-c', 'command -v curl'], { encoding: 'utf8' }).status === 0;
}

const FIELD_SEPARATOR = '\x1f';

/** Runs `script` (a whole user data script) with bash and the stubs; kills it after `killAfterMs`. */
export async function runLinuxGate(script: string, stubs: StubOptions, killAfterMs: number): Promise<GateRun> {
  const dir = mkdtempSync(join(tmpdir(), 'health-gate-'));
  try {
    const bin = join(dir, 'bin');
    const signalLog = join(dir, 'cfn-signal.calls');
    const dnfLog = join(dir, 'dnf.calls');
    const awsLog = join(dir, 'aws.calls');
    writeFileSync(signalLog, '');
    writeFileSync(dnfLog, '');
    writeFileSync(awsLog, '');
    mkdirSync(bin);
    if (stubs.targetHealth) {
      const states = join(dir, 'target-states');
      writeFileSync(states, `${stubs.targetHealth.states.join('\n')}\n`);
      const awsStub = [
        '#!/bin/bash',
        `( IFS=$'\x1f'; printf '%s\n' "$*" ) >> '${awsLog}'`,
        // The next state; the last one stays.
        `state=$(head -n 1 '${states}'); [ "$(wc -l < '${states}')" -gt 1 ] && sed -i 1d '${states}'`,
        'echo "$state"',
        '',
      ].join('\n');
      writeFileSync(join(bin, 'aws'), awsStub, { mode: 0o755 });
    }
    const cfnSignalStub = [
      '#!/bin/bash',
      `( IFS=$'\\x1f'; printf '%s\\n' "$*" ) >> '${signalLog}'`,
      `exit ${stubs.cfnSignalExitCode ?? 0}`,
      '',
    ].join('\n');
    const staged = join(dir, 'cfn-signal.staged');
    writeFileSync(staged, cfnSignalStub);
    chmodSync(staged, 0o755);
    if (stubs.cfnSignal === 'on-path') writeFileSync(join(bin, 'cfn-signal'), cfnSignalStub, { mode: 0o755 });
    const dnfStub = [
      '#!/bin/bash',
      `( IFS=$'\\x1f'; printf '%s\\n' "$*" ) >> '${dnfLog}'`,
      stubs.cfnSignal === 'installed-by-dnf' ? `cp '${staged}' '${join(bin, 'cfn-signal')}'` : 'echo "Error: Unable to find a match: aws-cfn-bootstrap" >&2; exit 1',
      '',
    ].join('\n');
    writeFileSync(join(bin, 'dnf'), dnfStub, { mode: 0o755 });
    const scriptFile = join(dir, 'user-data.sh');
    writeFileSync(scriptFile, script);

    const started = Date.now();
    // Its own process group, so the kill below also reaches a curl that outlives bash (it would hold the output open).
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, ...(stubs.targetHealth ? { GOLDEN_AMI_IMDS_ENDPOINT: stubs.targetHealth.imdsEndpoint } : {}) };
    const child = spawn('bash', [scriptFile], { detached: true, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killGroup = () => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // the group has already exited
      }
    };
    const killer = setTimeout(killGroup, killAfterMs);
    const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    clearTimeout(killer);
    killGroup();
    await Promise.all([child.stdout, child.stderr].map((stream) => (stream.closed ? undefined : once(stream, 'close'))));
    const elapsedMs = Date.now() - started;

    return { exitCode, stdout, stderr, elapsedMs, signals: readCalls(signalLog).map(parseSignalCall), dnfCalls: readCalls(dnfLog), awsCalls: readCalls(awsLog) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readCalls(file: string): string[][] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split(FIELD_SEPARATOR));
}

function parseSignalCall(args: string[]): SignalCall {
  const { values } = parseArgs({
    args,
    options: { 'exit-code': { type: 'string' }, stack: { type: 'string' }, resource: { type: 'string' }, region: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const { 'exit-code': exitCode, stack, resource, region } = values;
  if (exitCode === undefined || stack === undefined || resource === undefined || region === undefined) {
    throw new Error(`cfn-signal was called without --exit-code, --stack, --resource and --region: ${JSON.stringify(args)}`);
  }
  return { exitCode, stack, resource, region };
}
