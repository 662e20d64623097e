import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { plannedSubnets } from '../../../lib/config/checks/network';
import { PipelineNetwork } from '../../../lib/pipeline/pipeline-network';

/** The size check must lay subnets out exactly as the VPC construct does, or it would pass a CIDR that fails. */
describe.each([1, 2, 3])('%i zone(s)', (zones) => {
  test('the planned subnets are the ones PipelineNetwork creates', () => {
    const stack = new Stack(new App(), 'Network', { env: { account: '123456789012', region: 'eu-west-1' } });
    new PipelineNetwork(stack, 'Network', { pipelineName: 'golden-ami', network: { kind: 'create', vpcCidr: '10.40.0.0/16', maxAzs: zones, natGateways: 1, egress: 'on-demand' }, logKey: new kms.Key(stack, 'Key') });
    const created = Object.values(Template.fromStack(stack).findResources('AWS::EC2::Subnet')).map((s) => s.Properties.CidrBlock as string);
    expect(created.sort()).toEqual(plannedSubnets('10.40.0.0/16', zones).sort());
  });
});
