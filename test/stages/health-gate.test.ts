import { App, Aws, CfnParameter, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Node, Tree } from 'web-tree-sitter';
import {
  DEFAULT_POLL_INTERVAL_SECONDS,
  healthGateWorstCaseSeconds,
  linuxHealthGate,
  type HealthGateCheck,
  type SignalTarget,
  type TargetGroupWait,
  windowsHealthGate,
} from '../../lib/stages/health-gate';
import { type AppBehaviour, closedPort, curlPresent, realCfnSignalPresent, runLinuxGate, startApp, startInstanceMetadata, type StubOptions } from '../helpers/health-gate-bash';
import { argumentOf, codeOutsideStrings, commandsOf, nodesOf, parsePowerShell, syntaxErrors, variablesUsedBeforeAssignment } from '../helpers/health-gate-powershell';
import { renderUserDataAsDeployed } from '../helpers/health-gate-render';

// The fleet stack passes these tokens; CloudFormation substitutes them (Fn::Join + Ref) when it writes the user data.
const TOKEN_TARGET: SignalTarget = { stackName: Aws.STACK_NAME, resourceLogicalId: 'Group', region: Aws.REGION };
const LINUX_STACK = 'golden-ami-Fleet-app-linux';
const WINDOWS_STACK = 'golden-ami-Fleet-app-windows';
const REGION = 'eu-west-1';

const TARGET_GROUP_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/golde-Targe-1A2B3C4D5E6F/73e2d6bc24d8a067';

function linuxUserData(check: HealthGateCheck, before: string[] = [], after: string[] = [], loadBalancer?: TargetGroupWait): string {
  const userData = ec2.UserData.forLinux();
  userData.addCommands(...before, ...linuxHealthGate(check, TOKEN_TARGET, loadBalancer), ...after);
  return renderUserDataAsDeployed(userData, { 'AWS::StackName': LINUX_STACK, 'AWS::Region': REGION });
}

function windowsUserData(check: HealthGateCheck, loadBalancer?: TargetGroupWait): string {
  const userData = ec2.UserData.forWindows();
  userData.addCommands(...windowsHealthGate(check, TOKEN_TARGET, loadBalancer));
  return renderUserDataAsDeployed(userData, { 'AWS::StackName': WINDOWS_STACK, 'AWS::Region': REGION });
}

describe('healthGateWorstCaseSeconds', () => {
  test('is the deadline plus one poll interval (the last request or sleep may start just before the deadline)', () => {
    expect(healthGateWorstCaseSeconds({ path: '/health', port: 8080, timeoutSeconds: 300 })).toBe(300 + DEFAULT_POLL_INTERVAL_SECONDS);
    expect(healthGateWorstCaseSeconds({ path: '/health', port: 8080, timeoutSeconds: 60, pollIntervalSeconds: 10 })).toBe(70);
  });
});

describe('input validation (both platforms)', () => {
  const check: HealthGateCheck = { path: '/health', port: 8080, timeoutSeconds: 300 };
  const target: SignalTarget = { stackName: 'my-stack', resourceLogicalId: 'Group', region: 'eu-west-1' };
  test.each([
    ['a relative path', { ...check, path: 'health' }, /healthCheck\.path must be an absolute path.*got "health"/],
    ['a quote in the path', { ...check, path: "/he'alth" }, /healthCheck\.path .*got "\/he'alth"/],
    ['a space in the path', { ...check, path: '/a b' }, /healthCheck\.path/],
    ['port 0', { ...check, port: 0 }, /healthCheck\.port must be a whole number from 1 to 65535 \(got 0\)/],
    ['port 65536', { ...check, port: 65536 }, /healthCheck\.port .*got 65536/],
    ['a fractional port', { ...check, port: 80.5 }, /healthCheck\.port .*got 80\.5/],
    ['timeout 0', { ...check, timeoutSeconds: 0 }, /healthCheck\.timeoutSeconds must be a whole number ≥ 1 \(got 0\)/],
    ['poll interval 0 (Invoke-WebRequest -TimeoutSec 0 means no limit)', { ...check, pollIntervalSeconds: 0 }, /pollIntervalSeconds .*got 0/],
    ['a fractional poll interval', { ...check, pollIntervalSeconds: 0.5 }, /pollIntervalSeconds .*got 0\.5/],
  ])('rejects %s', (_what, bad, message) => {
    expect(() => linuxHealthGate(bad, target)).toThrow(message);
    expect(() => windowsHealthGate(bad, target)).toThrow(message);
    expect(() => healthGateWorstCaseSeconds(bad)).toThrow(message);
  });

  test.each([
    ['a stack name with a quote', { ...target, stackName: "my-stack'; reboot; '" }, /stackName must be a letter, then letters, digits and hyphens \(got "my-stack'; reboot; '"\)/],
    ['a logical id with a hyphen', { ...target, resourceLogicalId: 'Group-1' }, /resourceLogicalId must be letters and digits \(got "Group-1"\)/],
    ['a region that is not one', { ...target, region: 'eu west 1' }, /region must be a region name .*got "eu west 1"/],
  ])('rejects %s in the signal target', (_what, bad, message) => {
    expect(() => linuxHealthGate(check, bad)).toThrow(message);
    expect(() => windowsHealthGate(check, bad)).toThrow(message);
  });

  test('accepts tokens without validating them (CloudFormation substitutes values it accepted itself)', () => {
    const port = new CfnParameter(new Stack(new App(), 'Tokens'), 'Port', { type: 'Number' }).valueAsNumber;
    const tokenCheck = { ...check, port };
    expect(() => linuxHealthGate(tokenCheck, TOKEN_TARGET)).not.toThrow();
    expect(() => windowsHealthGate(tokenCheck, TOKEN_TARGET)).not.toThrow();
  });
});

describe('Linux gate in the rendered template', () => {
  test('the stack and region stay CloudFormation references, single-quoted in the cfn-signal call', () => {
    // Markers in place of the Ref values show where CloudFormation puts them; any other intrinsic fails the render.
    const script = ec2.UserData.forLinux();
    script.addCommands(...linuxHealthGate({ path: '/health', port: 8080, timeoutSeconds: 300 }, TOKEN_TARGET));
    const rendered = renderUserDataAsDeployed(script, { 'AWS::StackName': '<StackName>', 'AWS::Region': '<Region>' });
    expect(rendered.startsWith('#!/bin/bash\n')).toBe(true);
    expect(rendered).toContain(`"$cfn_signal" --exit-code "$status" --stack '<StackName>' --resource 'Group' --region '<Region>'`);
    expect(rendered).toContain(`local url='http://127.0.0.1:8080/health'`);
    // One signal call in the text; the runs below prove it happens once per boot.
    expect(rendered.match(/--exit-code/g)).toHaveLength(1);
    expect(rendered).not.toMatch(/^\s*exit\b/m);
  });
});

/*
 * The Linux gate, run for real with bash and curl against a local server. CloudFormation's side is played by a stub
 * cfn-signal first on PATH that records its arguments; they are read with the options cfn-signal documents
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-signal.html: --exit-code, --stack, --resource,
 * --region), so an option it does not know fails the test. Short deadline and poll interval keep the file fast.
 */
const CURL = curlPresent();
if (!CURL && process.env.CI === 'true') throw new Error('curl is missing on CI: the Linux health gate tests need it');
const describeRun = CURL ? describe : describe.skip;
if (!CURL) console.warn('health-gate.test.ts: curl not found, the Linux gate runs are SKIPPED (install curl to run them)');

// Leaves the slow case 3 s of margin on a loaded machine; the runs overlap, so the file still takes about 10 s.
const TIMEOUT_SECONDS = 5;
const INTERVAL_SECONDS = 1;
// Process start-up on a busy 2-core machine.
const SLACK_MS = 2000;
const WORST_CASE_MS = healthGateWorstCaseSeconds({ path: '/health', port: 1, timeoutSeconds: TIMEOUT_SECONDS, pollIntervalSeconds: INTERVAL_SECONDS }) * 1000;
// A run is killed after this; the test fails soon after instead of waiting for jest's two minutes.
const KILL_AFTER_MS = WORST_CASE_MS + 5000;
const TEST_TIMEOUT_MS = KILL_AFTER_MS + 5000;
// The runs mostly wait on clocks; side by side the file stays well under 20 s.
const runConcurrently = (name: string, fn: () => Promise<void>) => test.concurrent(name, fn, TEST_TIMEOUT_MS);

describeRun('Linux gate, run with bash and curl against a local server', () => {
  const expectedSignal = (exitCode: string) => ({ exitCode, stack: LINUX_STACK, resource: 'Group', region: REGION });

  async function run(behaviour: AppBehaviour | 'down', stubs: StubOptions = { cfnSignal: 'on-path' }, before: string[] = [], after: string[] = []) {
    const app = behaviour === 'down' ? undefined : await startApp(behaviour);
    try {
      const port = app?.port ?? (await closedPort());
      const loadBalancer = stubs.targetHealth ? { targetGroupArn: TARGET_GROUP_ARN } : undefined;
      const script = linuxUserData({ path: '/health', port, timeoutSeconds: TIMEOUT_SECONDS, pollIntervalSeconds: INTERVAL_SECONDS }, before, after, loadBalancer);
      const result = await runLinuxGate(script, stubs, KILL_AFTER_MS);
      return { ...result, requests: app?.requests ?? [] };
    } finally {
      await app?.close();
    }
  }

  runConcurrently('healthy at once: signals 0 once, after one request', async () => {
    const result = await run({ kind: 'healthy' });
    expect(result.signals).toEqual([expectedSignal('0')]);
    expect(result.requests).toEqual(['/health']);
    expect(result.elapsedMs).toBeLessThan(INTERVAL_SECONDS * 1000 + SLACK_MS);
    expect(result.dnfCalls).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('health gate: healthy after');
  });

  runConcurrently('503 for 2 s from the first request, then 200: keeps polling, then signals 0 once', async () => {
    const result = await run({ kind: 'slow', healthyAfterMs: 2000 });
    expect(result.signals).toEqual([expectedSignal('0')]);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(2000);
    expect(result.elapsedMs).toBeLessThan(WORST_CASE_MS);
    // Polled again and again (about every second for 2 s), never faster than the interval, never another path.
    expect(result.requests.length).toBeGreaterThanOrEqual(2);
    expect(result.requests.length).toBeLessThanOrEqual(Math.ceil(result.elapsedMs / (INTERVAL_SECONDS * 1000)) + 1);
    expect(new Set(result.requests)).toEqual(new Set(['/health']));
  });

  runConcurrently('always 503: signals 1 once, after the deadline and within the worst case', async () => {
    const result = await run({ kind: 'never' });
    expect(result.signals).toEqual([expectedSignal('1')]);
    expect(result.elapsedMs).toBeGreaterThanOrEqual((TIMEOUT_SECONDS - 1) * 1000); // bash's SECONDS counts whole seconds
    expect(result.elapsedMs).toBeLessThan(WORST_CASE_MS + SLACK_MS);
    // Retried, and never faster than the interval (under load a poll can take longer, so fewer is fine).
    expect(result.requests.length).toBeGreaterThanOrEqual(2);
    expect(result.requests.length).toBeLessThanOrEqual(TIMEOUT_SECONDS / INTERVAL_SECONDS + 1);
    expect(result.stdout).toContain('answered 503');
    expect(result.stdout).toContain(`not healthy within ${TIMEOUT_SECONDS} s`);
  });

  runConcurrently('nothing listening on the port: signals 1 once after the deadline', async () => {
    const result = await run('down');
    expect(result.signals).toEqual([expectedSignal('1')]);
    expect(result.elapsedMs).toBeGreaterThanOrEqual((TIMEOUT_SECONDS - 1) * 1000);
    expect(result.elapsedMs).toBeLessThan(WORST_CASE_MS + SLACK_MS);
    expect(result.stdout).toContain('answered 000');
  });

  runConcurrently('a redirect is not healthy and is not followed', async () => {
    const result = await run({ kind: 'redirect' });
    expect(result.signals).toEqual([expectedSignal('1')]);
    expect(new Set(result.requests)).toEqual(new Set(['/health']));
  });

  runConcurrently('a server that accepts and never answers cannot hold the gate past its worst case', async () => {
    const result = await run({ kind: 'hang' });
    expect(result.signals).toEqual([expectedSignal('1')]);
    expect(result.elapsedMs).toBeLessThan(WORST_CASE_MS + SLACK_MS);
  });

  describe('behind a load balancer: the target group must also report the instance healthy', () => {
    const INSTANCE = 'i-0123456789abcdef0';
    async function behindLoadBalancer(behaviour: AppBehaviour | 'down', states: string[]) {
      const imds = await startInstanceMetadata(INSTANCE);
      try {
        return await run(behaviour, { cfnSignal: 'on-path', targetHealth: { states, imdsEndpoint: imds.endpoint } });
      } finally {
        await imds.close();
      }
    }
    const describeTargetHealth = ['elbv2', 'describe-target-health', '--region', REGION, '--target-group-arn', TARGET_GROUP_ARN, '--targets', `Id=${INSTANCE}`, '--query', 'TargetHealthDescriptions[0].TargetHealth.State', '--output', 'text'];

    runConcurrently('initial, then healthy: signals 0 once, after asking about this instance (IMDSv2 id)', async () => {
      const result = await behindLoadBalancer({ kind: 'healthy' }, ['initial', 'healthy']);
      expect(result.signals).toEqual([expectedSignal('0')]);
      expect(result.awsCalls).toEqual([describeTargetHealth, describeTargetHealth]);
      expect(result.stdout).toContain(`target group reports ${INSTANCE} initial`);
    });

    runConcurrently('never healthy in the target group: signals 1 once after the deadline', async () => {
      const result = await behindLoadBalancer({ kind: 'healthy' }, ['unhealthy']);
      expect(result.signals).toEqual([expectedSignal('1')]);
      expect(result.awsCalls.length).toBeGreaterThanOrEqual(2);
      expect(result.elapsedMs).toBeLessThan(WORST_CASE_MS + SLACK_MS);
    });

    runConcurrently('an application that never answers is not asked about at the load balancer', async () => {
      const result = await behindLoadBalancer({ kind: 'never' }, ['healthy']);
      expect(result.signals).toEqual([expectedSignal('1')]);
      expect(result.awsCalls).toEqual([]);
    });
  });

  runConcurrently('a refused signal (outside a rollout) is logged, not fatal: lines after the gate still run', async () => {
    const result = await run({ kind: 'healthy' }, { cfnSignal: 'on-path', cfnSignalExitCode: 1 }, ['set -e'], ['echo after-the-gate']);
    expect(result.signals).toEqual([expectedSignal('0')]);
    expect(result.stdout).toContain('cfn-signal was refused');
    expect(result.stdout).toContain('after-the-gate');
    expect(result.exitCode).toBe(0);
  });

  runConcurrently('under set -e, a failed gate still signals 1 and the lines after it run', async () => {
    const result = await run('down', { cfnSignal: 'on-path' }, ['set -e'], ['echo after-the-gate']);
    expect(result.signals).toEqual([expectedSignal('1')]);
    expect(result.stdout).toContain('health gate: finished without a success signal');
    expect(result.stdout).toContain('after-the-gate');
  });

  const describeMissing = realCfnSignalPresent() ? describe.skip : describe;
  describeMissing('an image without cfn-signal (skipped where this machine has a real one)', () => {
    runConcurrently('installs aws-cfn-bootstrap with dnf once, then signals with it', async () => {
      const result = await run({ kind: 'healthy' }, { cfnSignal: 'installed-by-dnf' });
      expect(result.dnfCalls).toEqual([['install', '-y', 'aws-cfn-bootstrap']]);
      expect(result.signals).toEqual([expectedSignal('0')]);
    });

    runConcurrently('when dnf cannot install it, says so and sends nothing (the rollout then fails on its pause time)', async () => {
      const result = await run({ kind: 'healthy' }, { cfnSignal: 'missing' });
      expect(result.dnfCalls).toEqual([['install', '-y', 'aws-cfn-bootstrap']]);
      expect(result.signals).toEqual([]);
      expect(result.stderr).toContain('health gate: no cfn-signal');
      expect(result.stdout).toContain('health gate: finished without a success signal');
    });
  });
});

/*
 * The Windows gate cannot run here: PowerShell is in neither Debian's archive nor the npm registry (the npm package
 * "pwsh" downloads PowerShell from GitHub at install time). It is parsed with the tree-sitter PowerShell grammar and read
 * for what a run would depend on.
 */
describe('Windows gate (parsed, not run)', () => {
  const check: HealthGateCheck = { path: '/health', port: 8080, timeoutSeconds: 300 };
  let rendered: string;
  let body: string;
  let tree: Tree;
  beforeAll(async () => {
    rendered = windowsUserData(check);
    body = rendered.slice('<powershell>'.length, -'</powershell>'.length);
    tree = await parsePowerShell(body);
  });

  test('is one <powershell> block that EC2Launch can cut out (no closing tag or other tag inside)', () => {
    expect(rendered.startsWith('<powershell>')).toBe(true);
    expect(rendered.endsWith('</powershell>')).toBe(true);
    expect(body).not.toMatch(/<\/?(powershell|script|persist)>/i);
  });

  test('parses without errors, and the check does catch broken scripts', async () => {
    expect(syntaxErrors(tree)).toEqual([]);
    // The same script with its last closing brace removed, or with a shell line in it, must fail.
    const unclosed = body.replace(/\}\nInvoke-GoldenAmiHealthGate$/, '\nInvoke-GoldenAmiHealthGate');
    expect(unclosed).not.toEqual(body);
    expect(syntaxErrors(await parsePowerShell(unclosed))).not.toEqual([]);
    expect(syntaxErrors(await parsePowerShell(`${body}\n[ -x /opt/aws/bin/cfn-signal ] || dnf install -y aws-cfn-bootstrap\n`))).not.toEqual([]);
    expect(syntaxErrors(await parsePowerShell(body.replace("'SilentlyContinue'", "'SilentlyContinue")))).not.toEqual([]);
  });

  test('reads no variable before assigning it (automatic variables and $env: aside)', async () => {
    expect(variablesUsedBeforeAssignment(tree.rootNode)).toEqual([]);
    expect(variablesUsedBeforeAssignment((await parsePowerShell('Write-Output $later\n$later = 1\n')).rootNode)).toEqual(['1:14 $later']);
  });

  test('has no shell syntax and nothing Windows PowerShell 5.1 lacks (&&, ||, ??, ternary)', () => {
    const code = codeOutsideStrings(tree);
    for (const pattern of [/&&/, /\|\|/, /\?\?/, /\s\?\s/, /\$\(\(/, /\/dev\/null/, /\b(fi|then|done|esac)\b/]) {
      expect({ pattern: String(pattern), found: code.match(pattern)?.[0] }).toEqual({ pattern: String(pattern), found: undefined });
    }
  });

  test('behind a load balancer: parses, reads no variable before assigning it, and asks the target group about this instance', async () => {
    const lbBody = windowsUserData(check, { targetGroupArn: TARGET_GROUP_ARN }).slice('<powershell>'.length, -'</powershell>'.length);
    const lbTree = await parsePowerShell(lbBody);
    expect(syntaxErrors(lbTree)).toEqual([]);
    expect(variablesUsedBeforeAssignment(lbTree.rootNode)).toEqual([]);
    const commands = commandsOf(lbTree.rootNode);
    const health = commands.filter((c) => c.name === 'Get-ELB2TargetHealth');
    expect(health).toHaveLength(1);
    expect(argumentOf(health[0], '-TargetGroupArn')).toBe(`'${TARGET_GROUP_ARN}'`);
    // IMDSv2: a token by PUT, then the instance id with it; both with basic parsing (no prompt) and a time limit.
    const metadata = commands.filter((c) => c.name === 'Invoke-RestMethod');
    expect(metadata).toHaveLength(2);
    for (const call of metadata) expect(call.elements.map((e) => e.parameter)).toEqual(expect.arrayContaining(['-UseBasicParsing', '-TimeoutSec']));
    expect(argumentOf(metadata[0], '-Method')).toBe('Put');
  });

  test('has no exit statement, so lines after the gate still run', async () => {
    const exits = (root: Node) => nodesOf(root).filter((node) => !node.isNamed && node.type.toLowerCase() === 'exit');
    expect(exits(tree.rootNode)).toEqual([]);
    expect(exits((await parsePowerShell('if ($a) { exit 1 }\n')).rootNode)).toHaveLength(1);
  });

  // Parameters as documented for Windows PowerShell 5.1 (learn.microsoft.com/powershell/module/..., view=powershell-5.1).
  const DOCUMENTED: Record<string, string[]> = {
    // https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/invoke-webrequest?view=powershell-5.1
    'Invoke-WebRequest': ['-Uri', '-UseBasicParsing', '-TimeoutSec', '-MaximumRedirection', '-ErrorAction'],
    'Start-Sleep': ['-Seconds'],
    'Get-Command': ['-Name', '-CommandType', '-ErrorAction'],
    'Select-Object': ['-First'],
    'Join-Path': ['-Path', '-ChildPath'],
    'Test-Path': ['-LiteralPath', '-PathType'],
    'Write-Output': [],
    'Invoke-GoldenAmiHealthGate': [],
  };

  test('calls only known cmdlets, with parameters Windows PowerShell 5.1 documents', () => {
    const defined = nodesOf(tree.rootNode).filter((node) => node.type === 'function_name').map((node) => node.text);
    expect(defined).toEqual(['Invoke-GoldenAmiHealthGate']);
    for (const command of commandsOf(tree.rootNode).filter((c) => !c.callOperator)) {
      expect({ command: command.name, known: command.name in DOCUMENTED }).toEqual({ command: command.name, known: true });
      const undocumented = command.elements.map((element) => element.parameter).filter((p) => p !== undefined && !DOCUMENTED[command.name].includes(p));
      expect({ command: command.name, undocumented }).toEqual({ command: command.name, undocumented: [] });
    }
  });

  test('polls http://127.0.0.1:<port><path> with basic parsing, a per-request limit and no redirects', () => {
    const requests = commandsOf(tree.rootNode).filter((c) => c.name === 'Invoke-WebRequest');
    expect(requests).toHaveLength(1);
    const [request] = requests;
    // Since the CVE-2025-54100 update, Invoke-WebRequest without -UseBasicParsing asks for confirmation, which would hang
    // unattended user data (same page as above).
    expect(request.elements).toContainEqual({ parameter: '-UseBasicParsing' });
    expect(argumentOf(request, '-TimeoutSec')).toBe(String(DEFAULT_POLL_INTERVAL_SECONDS));
    expect(argumentOf(request, '-MaximumRedirection')).toBe('0');
    expect(argumentOf(request, '-ErrorAction')).toBe('Stop');
    expect(argumentOf(request, '-Uri')).toBe('$url');
    expect(body).toContain(`$url = 'http://127.0.0.1:8080/health'`);
    expect(body).toContain(`while ($clock.Elapsed.TotalSeconds -lt 300) {`);
    const sleeps = commandsOf(tree.rootNode).filter((c) => c.name === 'Start-Sleep');
    expect(sleeps.map((c) => argumentOf(c, '-Seconds'))).toEqual([String(DEFAULT_POLL_INTERVAL_SECONDS)]);
  });

  test('signals once, outside the loop, with the exit code variable and the stack, resource and region CloudFormation gives', () => {
    const calls = commandsOf(tree.rootNode).filter((c) => c.callOperator);
    expect(calls).toHaveLength(1);
    const [signal] = calls;
    expect(signal.name).toBe('$cfnSignal');
    expect(signal.elements).toEqual([
      { parameter: '--exit-code', argument: '$status' },
      { parameter: '--stack', argument: `'${WINDOWS_STACK}'` },
      { parameter: '--resource', argument: "'Group'" },
      { parameter: '--region', argument: `'${REGION}'` },
    ]);
    const ancestors: string[] = [];
    for (let node: Node | null = signal.node.parent; node; node = node.parent) ancestors.push(node.type);
    expect(ancestors).not.toContain('while_statement');
    // $status is only ever 1 (the default) or 0 (healthy).
    const statusValues = nodesOf(tree.rootNode)
      .filter((node) => node.type === 'assignment_expression' && node.text.startsWith('$status'))
      .map((node) => node.text);
    expect(statusValues).toEqual(['$status = 1', '$status = 0']);
  });

  test('finds cfn-signal.exe on PATH first, then in the AWS cfn-bootstrap folder', () => {
    const commands = commandsOf(tree.rootNode);
    const lookup = commands.find((c) => c.name === 'Get-Command');
    expect(argumentOf(lookup!, '-Name')).toBe("'cfn-signal.exe'");
    const installed = commands.find((c) => c.name === 'Join-Path');
    expect(argumentOf(installed!, '-Path')).toBe('$env:ProgramFiles');
    expect(argumentOf(installed!, '-ChildPath')).toBe("'Amazon\\cfn-bootstrap\\cfn-signal.exe'");
    expect(lookup!.node.startIndex).toBeLessThan(installed!.node.startIndex);
  });
});
