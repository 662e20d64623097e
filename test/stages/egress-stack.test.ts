import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EgressStack } from '../../lib/stages/egress-stack';
import { fixtureAssembly } from '../helpers/fixture-assembly';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Evaluates a template's condition the way CloudFormation does, for the intrinsic functions the Egress stack uses
 * (Fn::Or, Fn::Not, Fn::Equals, Condition, Ref), with each parameter's resolved value: the test of what the NAT
 * gateways' existence actually depends on, not of the JSON's shape.
 */
function evaluate(template: Json, conditionName: string, parameters: Record<string, string>): boolean {
  const value = (expr: Json): Json => {
    if (typeof expr === 'string') return expr;
    if ('Ref' in expr) {
      if (!(expr.Ref in parameters)) throw new Error(`no value for parameter ${expr.Ref}`);
      return parameters[expr.Ref];
    }
    if ('Condition' in expr) return evaluate(template, expr.Condition, parameters);
    if ('Fn::Equals' in expr) return value(expr['Fn::Equals'][0]) === value(expr['Fn::Equals'][1]);
    if ('Fn::Not' in expr) return !value(expr['Fn::Not'][0]);
    if ('Fn::Or' in expr) {
      // "The minimum number of conditions that you can include is 2, and the maximum is 10."
      // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-conditions.html)
      expect(expr['Fn::Or'].length).toBeGreaterThanOrEqual(2);
      expect(expr['Fn::Or'].length).toBeLessThanOrEqual(10);
      return expr['Fn::Or'].some((e: Json) => value(e));
    }
    throw new Error(`unexpected condition expression ${JSON.stringify(expr)}`);
  };
  return value(template.Conditions[conditionName]);
}

function egressStack(fleets: string[], layout = { natGateways: 1, publicSubnets: 2, privateRouteTables: 2 }): Json {
  const stack = new EgressStack(new App(), 'Egress', { stackName: 'golden-ami-egress', pipelineName: 'golden-ami', fleetImageNames: fleets, layout });
  return Template.fromStack(stack).toJSON();
}

/** The desired-capacity parameter of each fleet, by its default (the SSM parameter it resolves). */
function capacityParameters(template: Json): Record<string, string> {
  return Object.fromEntries(
    Object.entries(template.Parameters as Record<string, Json>)
      .filter(([, p]) => /\/fleets\/[^/]+\/desired-capacity$/.test(p.Default))
      .map(([id, p]) => [p.Default.split('/').at(-2), id]),
  );
}

describe('the Egress stack of the shipped configuration', () => {
  let template: Template;
  beforeAll(() => {
    template = fixtureAssembly().stageTemplate('Egress');
  });

  test("reads the network from the pipeline stack's SSM parameters and each fleet's desired capacity", () => {
    template.hasParameter('NetworkPublicSubnetIds', { Type: 'AWS::SSM::Parameter::Value<List<String>>', Default: '/golden-ami/golden-ami/network/public-subnet-ids' });
    template.hasParameter('NetworkPrivateRouteTableIds', { Type: 'AWS::SSM::Parameter::Value<List<String>>', Default: '/golden-ami/golden-ami/network/private-route-table-ids' });
    expect(Object.keys(capacityParameters(template.toJSON())).sort()).toEqual(['app-linux', 'windows-iis']);
  });

  test('the NAT gateway, its address and every private default route exist only while some fleet runs', () => {
    const json = template.toJSON();
    const conditional = ['AWS::EC2::EIP', 'AWS::EC2::NatGateway', 'AWS::EC2::Route'];
    const resources = Object.values(json.Resources as Record<string, Json>).filter((r) => conditional.includes(r.Type));
    expect(resources.map((r) => r.Type).sort()).toEqual(['AWS::EC2::EIP', 'AWS::EC2::NatGateway', 'AWS::EC2::Route', 'AWS::EC2::Route']);
    expect(resources.every((r) => r.Condition === 'AnyFleetRunning')).toBe(true);
    template.hasResourceProperties('AWS::EC2::NatGateway', { SubnetId: { 'Fn::Select': [0, { Ref: 'NetworkPublicSubnetIds' }] }, ConnectivityType: 'public' });
    template.hasResourceProperties('AWS::EC2::Route', { RouteTableId: { 'Fn::Select': [1, { Ref: 'NetworkPrivateRouteTableIds' }] }, DestinationCidrBlock: '0.0.0.0/0' });
    const ids = capacityParameters(json);
    const run = (appLinux: string, windows: string) => evaluate(json, 'AnyFleetRunning', { [ids['app-linux']]: appLinux, [ids['windows-iis']]: windows });
    expect(run('0', '0')).toBe(false);
    expect(run('1', '0')).toBe(true);
    expect(run('0', '3')).toBe(true);
  });

  test('tags what it creates with the pipeline and the stack (the execution role creates and deletes only that)', () => {
    for (const type of ['AWS::EC2::EIP', 'AWS::EC2::NatGateway']) {
      template.hasResourceProperties(type, {
        Tags: [
          { Key: 'golden-ami:pipeline', Value: 'golden-ami' },
          { Key: 'golden-ami:stack', Value: 'golden-ami-egress' },
        ],
      });
    }
  });

  test('always has one resource: the state parameter, "on" or "off" by the same condition', () => {
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/golden-ami/golden-ami/network/egress', Value: { 'Fn::If': ['AnyFleetRunning', 'on', 'off'] } });
    const state = Object.values(template.findResources('AWS::SSM::Parameter'))[0];
    expect(state.Condition).toBeUndefined();
  });
});

describe('the Egress stack for other shapes', () => {
  test('one fleet: its own condition is the whole condition (Fn::Or needs two)', () => {
    const json = egressStack(['web']);
    const [id] = Object.values(capacityParameters(json));
    expect(json.Conditions.AnyFleetRunning).toEqual({ Condition: expect.stringMatching(/FleetRunning/) });
    expect(evaluate(json, 'AnyFleetRunning', { [id]: '0' })).toBe(false);
    expect(evaluate(json, 'AnyFleetRunning', { [id]: '2' })).toBe(true);
  });

  test('23 fleets: conditions grouped ten at a time, and any single running fleet turns egress on', () => {
    const fleets = Array.from({ length: 23 }, (_, i) => `fleet-${i + 1}`);
    const json = egressStack(fleets);
    const ids = capacityParameters(json);
    const allZero = Object.fromEntries(Object.values(ids).map((id) => [id, '0']));
    expect(evaluate(json, 'AnyFleetRunning', allZero)).toBe(false);
    for (const fleet of fleets) expect(evaluate(json, 'AnyFleetRunning', { ...allZero, [ids[fleet]]: '1' })).toBe(true);
  });

  test('two NAT gateways for three zones: each private route goes to its own zone\'s gateway, the third to the first', () => {
    const json = egressStack(['web'], { natGateways: 2, publicSubnets: 3, privateRouteTables: 3 });
    const routes = Object.values(json.Resources as Record<string, Json>).filter((r) => r.Type === 'AWS::EC2::Route');
    expect(routes.map((r) => [r.Properties.RouteTableId['Fn::Select'][0], r.Properties.NatGatewayId.Ref])).toEqual([
      [0, 'NatGateway1'],
      [1, 'NatGateway2'],
      [2, 'NatGateway1'],
    ]);
  });

  test('image names that differ only in hyphens get parameters and conditions of their own', () => {
    const json = egressStack(['app-linux', 'applinux']);
    const ids = capacityParameters(json);
    expect(Object.keys(ids).sort()).toEqual(['app-linux', 'applinux']);
    expect(ids['app-linux']).not.toBe(ids.applinux);
    expect(evaluate(json, 'AnyFleetRunning', { [ids['app-linux']]: '0', [ids.applinux]: '0' })).toBe(false);
    expect(evaluate(json, 'AnyFleetRunning', { [ids['app-linux']]: '0', [ids.applinux]: '1' })).toBe(true);
  });

  test('refuses a layout it cannot honour, and a pipeline without fleets', () => {
    expect(() => egressStack(['web'], { natGateways: 3, publicSubnets: 2, privateRouteTables: 2 })).toThrow(/3 NAT gateways need as many public subnets/);
    expect(() => egressStack([])).toThrow(/needs at least one fleet/);
  });
});
