import * as fs from 'fs';
import * as path from 'path';
import { idleMonthlyCost, networkChoices, PRICES, runCost } from '../../lib/bench/cost-model';
import { ACTION_SECONDS, type ModelImage, modelRun, standardChanges } from '../../lib/bench/pipeline-timeline';
import { ANY_FLEET_RUNNING_CONDITION } from '../../lib/stages/egress-stack';
import { fixtureAssembly } from '../helpers/fixture-assembly';

const templatesOf = (outdir: string) =>
  fs
    .readdirSync(outdir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(outdir, f), 'utf8')));

describe('the idle cost model', () => {
  const shippedFleets = [
    { image: 'app-linux', instanceType: 't3.micro', platform: 'linux' as const, minSize: 1 },
    { image: 'windows-iis', instanceType: 't3.medium', platform: 'windows' as const, minSize: 0 },
  ];

  test('the shipped-like fixture at rest: app-linux runs, so the on-demand NAT gateway and its address exist; the key, the app-linux instance', () => {
    const idle = idleMonthlyCost(templatesOf(fixtureAssembly().outdir), shippedFleets);
    expect(idle.lines.map((l) => [l.item, l.count])).toEqual([
      ['NAT gateway', 1],
      ['public IPv4 address', 1],
      ['KMS key', 1],
      ['fleet app-linux at its minimum (t3.micro)', 1],
    ]);
    // 0.045 × 730 + 0.005 × 730 + 1 + 0.0104 × 730
    expect(idle.usd).toBeCloseTo(32.85 + 3.65 + 1 + 7.592, 2);
    expect(idle.unpriced).toEqual([]);
  });

  test('the shipped-like fixture with every fleet at zero: no NAT gateway, no address, only the key (goal: at most $5)', () => {
    const idle = idleMonthlyCost(templatesOf(fixtureAssembly().outdir), shippedFleets.map((f) => ({ ...f, minSize: 0 })));
    expect(idle.lines.map((l) => [l.item, l.count])).toEqual([['KMS key', 1]]);
    expect(idle.usd).toBeCloseTo(1, 2);
  });

  test("only the Egress stack's AnyFleetRunning condition follows the fleets; a resource under any other condition is counted", () => {
    const templates = [
      {
        Resources: {
          OnDemandGateway: { Type: 'AWS::EC2::NatGateway', Condition: ANY_FLEET_RUNNING_CONDITION },
          OnDemandAddress: { Type: 'AWS::EC2::EIP', Condition: ANY_FLEET_RUNNING_CONDITION },
          OtherGateway: { Type: 'AWS::EC2::NatGateway', Condition: 'SomethingElse' },
          AlwaysKey: { Type: 'AWS::KMS::Key' },
        },
      },
    ];
    const atZero = idleMonthlyCost(templates, [{ image: 'web', instanceType: 't3.micro', platform: 'linux', minSize: 0 }]);
    expect(atZero.lines.map((l) => [l.item, l.count])).toEqual([['NAT gateway', 1], ['KMS key', 1]]);
    const running = idleMonthlyCost(templates, [{ image: 'web', instanceType: 't3.micro', platform: 'linux', minSize: 1 }]);
    expect(running.lines.slice(0, 2).map((l) => [l.item, l.count])).toEqual([['NAT gateway', 2], ['public IPv4 address', 1]]);
  });

  test('load balancers count; an instance type without a price is named, not guessed', () => {
    const idle = idleMonthlyCost(templatesOf(fixtureAssembly('reachable-fleets').outdir), [{ image: 'web', instanceType: 'm7i.large', platform: 'linux', minSize: 2 }]);
    expect(idle.lines.find((l) => l.item === 'Application Load Balancer')).toEqual({ item: 'Application Load Balancer', count: 2, usd: 2 * PRICES.albHour.usd * 730 });
    expect(idle.unpriced).toEqual(['web: 2 × m7i.large (linux)']);
  });
});

describe('the network choices', () => {
  // The shipped-like fixture with every fleet at zero, egress on demand: no NAT gateway, the key $1.
  const onDemandAtZero = { lines: [{ item: 'KMS key', count: 1, usd: 1 }], usd: 1 };
  const choices = networkChoices(onDemandAtZero, { zones: 2, natGateways: 1, configured: 'on-demand' });
  const idle = (start: string) => choices.find((c) => c.choice.startsWith(start))!;

  test.each<[string, number, number, string]>([
    // At rest nothing but the key; a running fleet adds the NAT gateway and its address by the hour (0.045 + 0.005).
    ['egress on demand', 1, 0.05, 'yes'],
    // 1 + 730 × (0.045 + 0.005)
    ['NAT gateway always on', 37.5, 0, 'yes'],
    // Only the pipeline's own key: the account's egress is paid elsewhere.
    ['an existing VPC', 1, 0, 'yes'],
    // 1 + 730 × (0.0042 + 0.005) + 8 × 0.08
    ['NAT instance', 1 + 730 * 0.0092 + 0.64, 0, 'no (design)'],
    // 1 + 5 endpoints × 2 zones × 730 × 0.01
    ['interface endpoints instead of NAT', 1 + 73, 0, 'no (design)'],
  ])('%s: $%d a month at rest', (start, usd, hourly, available) => {
    expect(idle(start).idleUsd).toBeCloseTo(usd, 2);
    expect(idle(start).runningHourUsd).toBeCloseTo(hourly, 4);
    expect(idle(start).available).toBe(available);
    expect(idle(start).tradeOff).not.toBe('');
  });

  test('only the configured choice is marked', () => {
    expect(choices.filter((c) => c.choice.endsWith('(as configured)')).map((c) => c.choice.split(' ')[0])).toEqual(['egress']);
  });

  test('only the choices without an always-on NAT meet the goal of $5 at rest', () => {
    expect(choices.filter((c) => c.idleUsd <= 5).map((c) => c.choice.split(' ')[0])).toEqual(['egress', 'an']);
  });

  test('NAT gateways scale both on-demand and always-on egress: two gateways, two addresses', () => {
    const two = networkChoices(onDemandAtZero, { zones: 2, natGateways: 2, configured: 'on-demand' });
    expect(two[0]).toMatchObject({ idleUsd: 1, runningHourUsd: 2 * (PRICES.natGatewayHour.usd + PRICES.publicIpv4Hour.usd) });
    expect(two[1].idleUsd).toBeCloseTo(1 + 2 * 730 * (PRICES.natGatewayHour.usd + PRICES.publicIpv4Hour.usd), 6);
  });

  test('configured always on: the NAT the templates hold at zero comes off first, so the rows are the same', () => {
    const alwaysAtZero = { lines: [{ item: 'NAT gateway', count: 1, usd: 32.85 }, { item: 'public IPv4 address', count: 1, usd: 3.65 }, { item: 'KMS key', count: 1, usd: 1 }], usd: 37.5 };
    const always = networkChoices(alwaysAtZero, { zones: 2, natGateways: 1, configured: 'always' });
    expect(always.map((c) => c.idleUsd)).toEqual(choices.map((c) => expect.closeTo(c.idleUsd, 6)));
    expect(always.find((c) => c.choice.endsWith('(as configured)'))!.choice).toMatch(/^NAT gateway always on/);
  });
});

describe('the run cost model', () => {
  const images: ModelImage[] = [
    { name: 'app-linux', platform: 'linux', fleetBatches: 1 },
    { name: 'windows-iis', platform: 'windows', fleetBatches: 0 },
  ];
  const network = { egressOnDemand: true };
  const [appChange, , , noChange, , scheduled] = standardChanges(images, network).map((c) => modelRun(images, c, network));

  test('a run that builds nothing pays CodeBuild and action minutes only', () => {
    const cost = runCost(noChange, images, { buildsInPublicSubnets: true });
    expect(cost.lines.map((l) => l.item)).toEqual(['CodeBuild minutes (small)', 'CodePipeline V2 action minutes']);
    const codeBuildMinutes = (ACTION_SECONDS.buildApplication.seconds + ACTION_SECONDS.synth.seconds + ACTION_SECONDS.selfMutate.seconds + ACTION_SECONDS.assets.seconds) / 60;
    expect(cost.lines[0].usd).toBeCloseTo(codeBuildMinutes * PRICES.codeBuildSmallMinute.usd, 6);
  });

  test('an application change also pays the Linux build instance for the build', () => {
    const cost = runCost(appChange, images, { buildsInPublicSubnets: false });
    expect(cost.lines.find((l) => l.item.startsWith('Linux build instance'))!.usd).toBeCloseTo((ACTION_SECONDS.linuxImageBuild.seconds / 3600) * PRICES.t3SmallHour.usd, 6);
    expect(cost.lines.some((l) => l.item.startsWith('Windows'))).toBe(false);
    expect(cost.lines.some((l) => l.item.includes('IPv4'))).toBe(false);
  });

  test('builds in the public subnets also pay a public IPv4 address for every build hour, Linux and Windows', () => {
    const address = (run: typeof appChange) => runCost(run, images, { buildsInPublicSubnets: true }).lines.find((l) => l.item.includes('IPv4'))!;
    expect(address(appChange).usd).toBeCloseTo((ACTION_SECONDS.linuxImageBuild.seconds / 3600) * PRICES.publicIpv4Hour.usd, 6);
    const bothHours = (ACTION_SECONDS.linuxImageBuild.seconds + ACTION_SECONDS.windowsImageBuild.seconds) / 3600;
    expect(address(scheduled).usd).toBeCloseTo(bothHours * PRICES.publicIpv4Hour.usd, 6);
  });
});
