import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config/load-config';
import { imageFingerprint } from '../../lib/stages/image-fingerprint';
import { ImageStage } from '../../lib/stages/image-stage';
import { type FixtureAssembly, fixtureAssembly } from '../helpers/fixture-assembly';
import { CDK_CONTEXT, configDirWith, FIXTURE_CONFIG_DIR, synthApp, testArtifactDir } from '../helpers/synth-app';

type Action = { Name: unknown; RunOrder: number; ActionTypeId: { Category: string; Provider: string }; RoleArn?: unknown; Namespace?: string; Configuration: Record<string, any> };
type Stage = { Name: string; Actions: Action[] };

function stage(stages: Stage[], name: string): Stage {
  const found = stages.find((s) => s.Name === name);
  if (!found) throw new Error(`no stage ${name} in ${stages.map((s) => s.Name).join(', ')}`);
  return found;
}

function stagesOf(synth: { readonly pipelineTemplate: Template }): Stage[] {
  const pipelines = synth.pipelineTemplate.findResources('AWS::CodePipeline::Pipeline');
  expect(Object.keys(pipelines)).toHaveLength(1);
  return Object.values(pipelines)[0].Properties.Stages;
}

describe('the pipeline of the shipped configuration', () => {
  let synth: FixtureAssembly;
  let stages: Stage[];
  beforeAll(() => {
    synth = fixtureAssembly();
    stages = stagesOf(synth);
  });

  test('is a V2 pipeline that restarts after updating itself', () => {
    synth.pipelineTemplate.hasResourceProperties('AWS::CodePipeline::Pipeline', { Name: 'golden-ami', PipelineType: 'V2', RestartExecutionOnUpdate: true });
  });

  test('runs source, build, synth, self-mutation, assets, egress, the images in parallel (each releasing and rolling out its own fleet), then the fleets', () => {
    const flat = stages.flatMap((s) => [...s.Actions].sort((a, b) => a.RunOrder - b.RunOrder).map((a) => `${s.Name}:${a.RunOrder}:${a.ActionTypeId.Provider}:${typeof a.Name === 'string' ? a.Name : 'source'}`));
    expect(flat).toEqual([
      'Source:1:CodeCommit:source',
      'Build:1:CodeBuild:BuildApplication',
      'Build:2:CodeBuild:Synth',
      'UpdatePipeline:1:CodeBuild:SelfMutate',
      'Assets:1:CodeBuild:FileAssets',
      // network.egress on-demand: the NAT gateways come (or go) with the fleets' desired capacity, before any image's
      // release step rolls its fleet out.
      'Egress:1:CloudFormation:Prepare',
      'Egress:2:CloudFormation:Deploy',
      // One wave: both images step together (prepare, change set create, execute, release and the fleet's rollout).
      'BuildImage:1:Lambda:Image-app-linux.Prepare-app-linux',
      'BuildImage:1:Lambda:Image-windows-iis.Prepare-windows-iis',
      'BuildImage:2:CloudFormation:Image-app-linux.golden-ami-image-app-linux.Prepare',
      'BuildImage:2:CloudFormation:Image-windows-iis.golden-ami-image-windows-iis.Prepare',
      'BuildImage:3:CloudFormation:Image-app-linux.golden-ami-image-app-linux.Deploy',
      'BuildImage:3:CloudFormation:Image-windows-iis.golden-ami-image-windows-iis.Deploy',
      // Each image's lane: its release step runs beside its own build and waits for it, so no other image's build
      // holds up its release and its fleet's rollout.
      'BuildImage:3:Lambda:Image-app-linux.Release-app-linux',
      'BuildImage:3:Lambda:Image-windows-iis.Release-windows-iis',
      // Both fleets in the next wave, side by side: this run's fleet templates (a no-op where a lane rolled it out).
      'DeployImage:1:CloudFormation:Fleet-app-linux.golden-ami-fleet-app-linux.Prepare',
      'DeployImage:1:CloudFormation:Fleet-windows-iis.golden-ami-fleet-windows-iis.Prepare',
      'DeployImage:2:CloudFormation:Fleet-app-linux.golden-ami-fleet-app-linux.Deploy',
      'DeployImage:2:CloudFormation:Fleet-windows-iis.golden-ami-fleet-windows-iis.Deploy',
    ]);
  });

  test('deploys stage stacks through change sets (create, then execute)', () => {
    const cfn = stages.flatMap((s) => s.Actions).filter((a) => a.ActionTypeId.Provider === 'CloudFormation');
    const byStack = new Map<string, string[]>();
    for (const a of [...cfn].sort((x, y) => x.RunOrder - y.RunOrder)) byStack.set(a.Configuration.StackName, [...(byStack.get(a.Configuration.StackName) ?? []), a.Configuration.ActionMode]);
    expect(Object.fromEntries(byStack)).toEqual({
      'golden-ami-image-app-linux': ['CHANGE_SET_REPLACE', 'CHANGE_SET_EXECUTE'],
      'golden-ami-image-windows-iis': ['CHANGE_SET_REPLACE', 'CHANGE_SET_EXECUTE'],
      'golden-ami-fleet-app-linux': ['CHANGE_SET_REPLACE', 'CHANGE_SET_EXECUTE'],
      'golden-ami-fleet-windows-iis': ['CHANGE_SET_REPLACE', 'CHANGE_SET_EXECUTE'],
      'golden-ami-egress': ['CHANGE_SET_REPLACE', 'CHANGE_SET_EXECUTE'],
    });
  });

  test('every action has a role; only CDK Pipelines\' own SelfMutate and FileAssets share one', () => {
    const actions = stages.flatMap((s) => s.Actions);
    const roles = actions.map((a) => JSON.stringify(a.RoleArn));
    expect(roles.every((r) => r !== undefined && r !== 'undefined')).toBe(true);
    const byRole = new Map<string, string[]>();
    actions.forEach((a, i) => byRole.set(roles[i], [...(byRole.get(roles[i]) ?? []), String(a.Configuration.ProjectName ? JSON.stringify(a.Name) : a.Name)]));
    const shared = [...byRole.values()].filter((names) => names.length > 1);
    // Prepare+Deploy of one stack share that stack's deploy role (CDK Pipelines assumes one role per stack).
    expect(shared.map((n) => n.length).sort()).toEqual([2, 2, 2, 2, 2, 2]);
    expect(roles.filter((r) => r.includes('golden-ami-egress-cfn-deploy'))).toHaveLength(2);
    expect(roles.filter((r) => r.includes('golden-ami-image-windows-iis-cfn-deploy'))).toHaveLength(2);
    expect(roles.filter((r) => r.includes('golden-ami-image-app-linux-cfn-deploy'))).toHaveLength(2);
    expect(roles.filter((r) => r.includes('golden-ami-fleet-app-linux-cfn-deploy'))).toHaveLength(2);
    expect(roles.filter((r) => r.includes('PipelineCodeBuildActionRole'))).toHaveLength(2);
  });

  test('the stage stacks\' deploy roles may only change their own stack and pass the execution role to CloudFormation', () => {
    // In the stack's support nested stack (stage-stack-support.ts), trusted by the pipeline role alone.
    const support = synth.supportTemplate('Image-app-linux');
    support.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'golden-ami-image-app-linux-cfn-deploy',
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { AWS: { Ref: Match.stringLikeRegexp('PipelineRole') } } })] },
      Tags: Match.arrayWith([{ Key: 'golden-ami:assumed-by', Value: 'codepipeline' }, { Key: 'golden-ami:pipeline', Value: 'golden-ami' }]),
    });
    support.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^DeployRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'ChangeSetsOfThisStack', Resource: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/golden-ami-image-app-linux/*' }),
          Match.objectLike({
            Sid: 'PassTheExecutionRole',
            Action: 'iam:PassRole',
            Resource: 'arn:aws:iam::123456789012:role/golden-ami-image-app-linux-cfn-exec',
            Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
          }),
        ]),
      },
    });
  });

  test('the pipeline role assumes exactly the action roles tagged for this pipeline, not a list that grows per image', () => {
    synth.pipelineTemplate.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^PipelineRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AssumeTheActionRolesOfThisPipeline',
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Resource: 'arn:aws:iam::123456789012:role/*',
            Condition: { StringEquals: { 'iam:ResourceTag/golden-ami:pipeline': 'golden-ami', 'iam:ResourceTag/golden-ami:assumed-by': 'codepipeline' } },
          },
        ]),
      },
    });
    // Every role that trusts the pipeline role carries both tags, in the pipeline stack and in every support stack.
    const templates = [synth.pipelineTemplate, ...['Image-app-linux', 'Image-windows-iis', 'Fleet-app-linux'].map((id) => synth.supportTemplate(id))];
    const trusting = templates.flatMap((t) =>
      Object.values(t.findResources('AWS::IAM::Role')).filter((r) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('PipelineRole')),
    );
    // Source, BuildApplication, Synth, CDK's CodeBuild action role; per image Prepare and Release; per stage stack a deploy role.
    expect(trusting).toHaveLength(4 + 2 * 2 + 3);
    for (const role of trusting) expect(role.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'golden-ami:pipeline', Value: 'golden-ami' }, { Key: 'golden-ami:assumed-by', Value: 'codepipeline' }]));
  });

  test('a push to main on the CodeCommit repository starts the pipeline; the repository outlives the stack', () => {
    synth.pipelineTemplate.hasResource('AWS::CodeCommit::Repository', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { RepositoryName: 'golden-ami-pipeline' } });
    synth.pipelineTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.codecommit'], detail: { event: ['referenceCreated', 'referenceUpdated'], referenceName: ['main'] } },
    });
    expect(stages[0].Actions[0].Configuration).toMatchObject({ BranchName: 'main', PollForSourceChanges: false });
  });

  test('Build tests and packages the application; Synth receives its output and passes it to cdk synth', () => {
    const buildSpecs = Object.values(synth.pipelineTemplate.findResources('AWS::CodeBuild::Project')).flatMap((p) => (p.Properties.Source.BuildSpec?.startsWith('{') ? [JSON.parse(p.Properties.Source.BuildSpec)] : []));
    const build = buildSpecs.find((b) => JSON.stringify(b).includes('npm run build'));
    expect(build.phases.build.commands).toEqual(['cd pipeline-assets/app', 'npm ci --no-audit --no-fund', 'npm test', 'npm run build']);
    expect(build.artifacts['base-directory']).toBe('pipeline-assets/app/dist');
    const synthSpec = buildSpecs.find((b) => JSON.stringify(b).includes('cdk synth'));
    expect(synthSpec.phases.build.commands).toEqual(['npm ci --no-audit --no-fund', 'npx cdk synth --no-notices -c applicationArtifactDir=application-artifact']);
    expect(synthSpec.phases.install['runtime-versions']).toEqual({ nodejs: '22' });
    const synthAction = stage(stages, 'Build').Actions.find((a) => a.Name === 'Synth')!;
    const buildAction = stage(stages, 'Build').Actions.find((a) => a.Name === 'BuildApplication')!;
    expect((synthAction as any).InputArtifacts).toEqual(expect.arrayContaining((buildAction as any).OutputArtifacts));
  });

  test('parameter-prep is a Node.js 24 function bundled without the AWS SDK, reached only by its two actions', () => {
    synth.pipelineTemplate.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Handler: 'index.handler', Timeout: 120, Architectures: ['arm64'] });
    const lambdaActions = stages.flatMap((s) => s.Actions).filter((a) => a.ActionTypeId.Provider === 'Lambda');
    expect(lambdaActions.map((a) => a.Namespace).sort()).toEqual(['Prepare-app-linux', 'Prepare-windows-iis', 'Release-app-linux', 'Release-windows-iis']);
  });

  test('prepare and release are wired to the image\'s SSM parameters, the execution id and the image stack outputs', () => {
    const [prepare, release] = stage(stages, 'BuildImage').Actions.filter((a) => a.ActionTypeId.Provider === 'Lambda' && String(a.Name).startsWith('Image-app-linux.')).map((a) => JSON.parse(a.Configuration.UserParameters));
    expect(prepare).toEqual({
      mode: 'prepare',
      image: 'app-linux',
      majorMinor: '1.0',
      versionParameter: '/golden-ami/golden-ami/images/app-linux/version',
      stateParameter: '/golden-ami/golden-ami/images/app-linux/build-state',
      executionId: '#{codepipeline.PipelineExecutionId}',
      // The image stack built on its own at the same construct path (the CLI writes the path into each resource's
      // metadata): the same resources, the same fingerprint.
      fingerprint: imageFingerprint(
        new ImageStage(new Stack(new App({ context: CDK_CONTEXT }), 'golden-ami-pipeline'), 'Image-app-linux', {
          env: { account: '123456789012', region: 'eu-west-1' },
          pipelineName: 'golden-ami',
          image: loadConfig(FIXTURE_CONFIG_DIR).images.find((i) => i.name === 'app-linux')!,
          applicationArtifactDir: testArtifactDir(),
          buildSubnets: 'public',
        }).stack,
      ),
      rebuild: '#{variables.rebuild}',
      // What a scheduled run compares: the recipe's AWS-managed parent image and component, as the recipe names them.
      upstream: 'image/amazon-linux-2023-x86/x.x.x component/update-linux/x.x.x',
      maxAgeSeconds: '2592000',
      scanPolicyParameter: '/golden-ami/golden-ami/images/app-linux/scan-policy',
    });
    const deploy = stage(stages, 'BuildImage').Actions.find((a) => a.Configuration.ActionMode === 'CHANGE_SET_EXECUTE' && a.Configuration.StackName === 'golden-ami-image-app-linux')!;
    // The execute action publishes the image stack's outputs as variables; release reads them from there.
    expect(deploy.Namespace).toEqual(expect.any(String));
    // An image with a fleet: its lane reads the build's outputs from that execute action itself (same run order).
    expect(release).toEqual({
      mode: 'lane',
      image: 'app-linux',
      imageStack: 'golden-ami-image-app-linux',
      releaseParameter: '/golden-ami/golden-ami/images/app-linux/release',
      releaseAmiParameter: '/golden-ami/golden-ami/images/app-linux/release-ami',
      executionId: '#{codepipeline.PipelineExecutionId}',
      commitId: `#{${stages[0].Actions[0].Namespace}.CommitId}`,
      pipeline: 'golden-ami',
      keepImages: '5',
      deleteBeyond: '10',
      // Distribution regions besides the pipeline's own: the shipped images have none.
      regions: 'none',
      scanPolicyParameter: '/golden-ami/golden-ami/images/app-linux/scan-policy',
      fleetStack: 'golden-ami-fleet-app-linux',
      fleetFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(stages[0].Actions[0].Namespace).toEqual(expect.any(String));
  });

  test.each(['app-linux', 'windows-iis'])("%s: the release step's fleet fingerprint is the TemplateFingerprint output of the fleet template this run deploys", (image) => {
    const release = stage(stages, 'BuildImage').Actions.find((a) => a.Name === `Image-${image}.Release-${image}`)!;
    const fleet = synth.stageTemplate(`Fleet-${image}`).toJSON();
    // The same template file the DeployImage stage's change set is made from, so a stack it deployed carries this value.
    expect(JSON.parse(release.Configuration.UserParameters).fleetFingerprint).toBe(fleet.Outputs.TemplateFingerprint.Value);
  });

  test('every release step may follow exactly this pipeline\'s actions, fleet or not', () => {
    const [role] = Object.keys(synth.pipelineTemplate.findResources('AWS::IAM::Role')).filter((id) => id.startsWith('ParameterPrepFunctionServiceRole'));
    const inline = Object.values(synth.pipelineTemplate.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } })).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(inline).toContainEqual({ Sid: 'FollowTheImageBuildsOfThisPipeline', Effect: 'Allow', Action: 'codepipeline:ListActionExecutions', Resource: 'arn:aws:codepipeline:eu-west-1:123456789012:golden-ami' });
  });

  test('the function may roll out exactly the fleet stacks, and read the parameters CloudFormation resolves for them', () => {
    // A managed policy of its own (20 fleet stacks each), so 50 fleets stay within IAM's policy sizes.
    const policies = synth.pipelineTemplate.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^ParameterPrepFunctionServiceRole') }] } });
    expect(Object.keys(policies)).toHaveLength(1);
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Sid: 'RollOutThisPipelinesFleets',
        Effect: 'Allow',
        Action: ['cloudformation:DescribeStackEvents', 'cloudformation:DescribeStacks', 'cloudformation:UpdateStack'],
        Resource: ['app-linux', 'windows-iis'].map((image) => `arn:aws:cloudformation:eu-west-1:123456789012:stack/golden-ami-fleet-${image}/*`),
      },
      {
        Sid: 'ResolveTheFleetStacksParameters',
        Effect: 'Allow',
        Action: 'ssm:GetParameters',
        // Every parameter of either fleet template; per-image leaves by one pattern each, as soon as two images share them.
        Resource: [
          '/cdk-bootstrap/hnb659fds/version',
          '/golden-ami/golden-ami/fleets/*/desired-capacity',
          '/golden-ami/golden-ami/fleets/*/min-size',
          '/golden-ami/golden-ami/images/*/release-ami',
          '/golden-ami/golden-ami/network/subnet-ids',
          '/golden-ami/golden-ami/network/vpc-id',
        ].map((name) => `arn:aws:ssm:eu-west-1:123456789012:parameter${name}`),
      },
    ]);
  });

  test('declares the rebuild variable, false unless an execution is started with it', () => {
    synth.pipelineTemplate.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Variables: [{ Name: 'rebuild', DefaultValue: 'false', Description: Match.stringLikeRegexp('true \\(all images\\) or image names') }],
    });
  });

  test('the function may read the image parameters of this pipeline and write only those it keeps, not the scan policy', () => {
    const policies = synth.pipelineTemplate.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^ParameterPrepFunctionServiceRole') }] } });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const ssm = statements.filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith('ssm:')));
    // The pipeline name is a whole level of the path: /golden-ami/golden-ami-image-factory/… does not match.
    const images = 'arn:aws:ssm:eu-west-1:123456789012:parameter/golden-ami/golden-ami/images';
    expect(ssm).toEqual([
      expect.objectContaining({ Action: 'ssm:GetParameter', Resource: `${images}/*` }),
      expect.objectContaining({ Action: 'ssm:PutParameter', Resource: ['build-state', 'release', 'release-ami', 'version'].map((leaf) => `${images}/*/${leaf}`) }),
    ]);
  });

  test("the image's scan policy is written by CloudFormation from the image file, and its build scanned", () => {
    const parameters = synth.supportTemplate('Image-app-linux').findResources('AWS::SSM::Parameter', { Properties: { Name: '/golden-ami/golden-ami/images/app-linux/scan-policy' } });
    const [parameter] = Object.values(parameters);
    expect(JSON.parse(parameter.Properties.Value)).toEqual({ enabled: true, file: expect.stringMatching(/images\/app-linux\.yaml$/), failOn: 'CRITICAL', ignore: [] });
    synth.stageTemplate('Image-app-linux').hasResourceProperties('AWS::ImageBuilder::Image', { ImageScanningConfiguration: { ImageScanningEnabled: true } });
  });

  test('the function reads the scan state of its own builds only, their findings and Inspector\'s status', () => {
    synth.pipelineTemplate.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^ParameterPrepFunctionServiceRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Sid: 'ScanStateOfThisPipelinesImageBuilds', Effect: 'Allow', Action: 'imagebuilder:GetImage', Resource: 'arn:aws:imagebuilder:eu-west-1:123456789012:image/*', Condition: { StringEquals: { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' } } },
          { Sid: 'ScanFindingsAndInspectorStatus', Effect: 'Allow', Action: ['imagebuilder:ListImageScanFindings', 'inspector2:BatchGetAccountStatus'], Resource: '*' },
        ]),
      },
    });
  });

  test('the function may read the versions of exactly the AWS-owned parent images and components the images use', () => {
    const policies = synth.pipelineTemplate.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^ParameterPrepFunctionServiceRole') }] } });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    // Of the AWS-owned account (the scan gate's own statements are checked above).
    const imagebuilder = statements.filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith('imagebuilder:')) && /:imagebuilder:[^:]+:aws:/.test(String(st.Resource)));
    expect(imagebuilder).toEqual([
      { Sid: 'NewestVersionsOfTheParentImages', Effect: 'Allow', Action: 'imagebuilder:GetImage', Resource: ['arn:aws:imagebuilder:eu-west-1:aws:image/amazon-linux-2023-x86/*', 'arn:aws:imagebuilder:eu-west-1:aws:image/windows-server-2022-english-full-base-x86/*'] },
      { Sid: 'NewestVersionsOfTheAwsComponents', Effect: 'Allow', Action: 'imagebuilder:GetComponent', Resource: ['arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/*', 'arn:aws:imagebuilder:eu-west-1:aws:component/update-windows/*'] },
    ]);
  });

  test('the function may retire only AMIs tagged with this pipeline', () => {
    synth.pipelineTemplate.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^ParameterPrepFunctionServiceRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'RetireThisPipelinesAmis',
            Action: ['ec2:DeregisterImage', 'ec2:EnableImageDeprecation'],
            Resource: 'arn:aws:ec2:eu-west-1::image/*',
            Condition: { StringEquals: { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' } },
          }),
        ]),
      },
    });
  });

  test('creates a network without a NAT gateway (egress on demand) and publishes its ids to SSM for the stage stacks', () => {
    synth.pipelineTemplate.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.40.0.0/16' });
    // The Egress stack holds the NAT gateway, only while a fleet runs.
    synth.pipelineTemplate.resourceCountIs('AWS::EC2::NatGateway', 0);
    synth.pipelineTemplate.resourceCountIs('AWS::EC2::EIP', 0);
    for (const name of ['vpc-id', 'subnet-ids', 'public-subnet-ids', 'private-route-table-ids']) {
      synth.pipelineTemplate.hasResourceProperties('AWS::SSM::Parameter', { Name: `/golden-ami/golden-ami/network/${name}`, Type: name === 'vpc-id' ? 'String' : 'StringList' });
    }
    const subnets = Object.values(synth.pipelineTemplate.findResources('AWS::EC2::Subnet'));
    const tier = (s: (typeof subnets)[number]) => s.Properties.Tags.find((t: { Key: string }) => t.Key === 'aws-cdk:subnet-type').Value;
    // Build instances get a public address in the public subnets; the private ones have no route out at rest.
    expect(subnets.map((s) => [tier(s), s.Properties.MapPublicIpOnLaunch]).sort()).toEqual([['Isolated', false], ['Isolated', false], ['Public', true], ['Public', true]]);
    const routes = Object.values(synth.pipelineTemplate.findResources('AWS::EC2::Route'));
    expect(routes.every((r) => r.Properties.GatewayId !== undefined && r.Properties.NatGatewayId === undefined)).toBe(true);
  });

  test('with network.egress always, the VPC keeps its NAT gateway and private subnets route through it', () => {
    const synth = synthApp(loadConfig(configDirWith({ 'pipeline.yaml': fs.readFileSync(path.join(FIXTURE_CONFIG_DIR, 'pipeline.yaml'), 'utf8').replace(/natGateways: 1/, 'natGateways: 1\n  egress: always') })));
    synth.pipelineTemplate.resourceCountIs('AWS::EC2::NatGateway', 1);
    for (const subnet of Object.values(synth.pipelineTemplate.findResources('AWS::EC2::Subnet'))) expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
    expect(stagesOf(synth).map((s) => s.Name)).not.toContain('Egress');
    expect(synth.stack.node.tryFindChild('Egress')).toBeUndefined();
  });

  test('starts a weekly run with rebuild=scheduled (each image rebuilt only for upstream updates or age); the scheduler may start this pipeline only', () => {
    synth.pipelineTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 ? * SUN *)',
      ScheduleExpressionTimezone: 'UTC',
      Target: {
        Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:::aws-sdk:codepipeline:startPipelineExecution']] },
        Input: { 'Fn::Join': ['', ['{"name":"', { Ref: Match.stringLikeRegexp('^Pipeline') }, '","variables":[{"name":"rebuild","value":"scheduled"}]}']] },
        RoleArn: Match.anyValue(),
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
      },
    });
    const schedulerRoles = Object.keys(synth.pipelineTemplate.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })] } } }));
    expect(schedulerRoles).toHaveLength(1);
    const schedulerPolicies = Object.values(synth.pipelineTemplate.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles).includes(schedulerRoles[0]));
    expect(schedulerPolicies.map((p) => p.Properties.PolicyDocument.Statement)).toEqual([
      [expect.objectContaining({ Action: 'codepipeline:StartPipelineExecution', Resource: expect.objectContaining({ 'Fn::Join': expect.anything() }) })],
    ]);
  });

  test('alerts go to one KMS-encrypted topic through the formatter: pipeline failures and successes, failed actions, this pipeline\'s failed image builds', () => {
    synth.pipelineTemplate.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EncryptionKey'), 'Arn'] } });
    // The detail of each rule and of the formatter is in pipeline-alerts.test.ts.
    const targets = Object.values(synth.pipelineTemplate.findResources('AWS::Events::Rule'))
      .filter((r) => ['aws.codepipeline', 'aws.imagebuilder'].includes(r.Properties.EventPattern?.source?.[0]) && JSON.stringify(r.Properties.EventPattern).includes('FAILED'))
      .map((r) => r.Properties.Targets[0].Arn['Fn::GetAtt'][0]);
    expect(targets).toEqual([expect.stringMatching(/^AlertsFormatterFunction/), expect.stringMatching(/^AlertsFormatterFunction/), expect.stringMatching(/^AlertsFormatterFunction/)]);
    synth.pipelineTemplate.resourceCountIs('AWS::CodeStarNotifications::NotificationRule', 0);
    synth.pipelineTemplate.resourceCountIs('AWS::SNS::Subscription', 0);
    synth.pipelineTemplate.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
  });

  test('one dashboard: executions and failures by stage, image builds, each fleet; linked from an output', () => {
    const [dashboard] = Object.values(synth.pipelineTemplate.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard.Properties.DashboardName).toBe('golden-ami-golden-ami');
    // The body is a Fn::Join of JSON text and tokens (inside string values): put it back together to read it.
    const parts: unknown[] = dashboard.Properties.DashboardBody['Fn::Join'][1];
    const widgets: Array<{ type: string; properties: { title?: string; query?: string; metrics?: unknown[] } }> = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join('')).widgets;
    const queries = Object.fromEntries(widgets.filter((w) => w.type === 'log').map((w) => [w.properties.title, w.properties.query]));
    expect(Object.keys(queries)).toEqual(['Pipeline executions by outcome', 'Failures by stage', 'Failed actions (latest)', 'Image builds: outcome and duration']);
    expect(queries['Failures by stage']).toContain('detail.state = "FAILED"');
    expect(queries['Image builds: outcome and duration']).toContain('latest(detail.state.status) as outcome by resources.0 as image');
    const metricWidgets = widgets.filter((w) => w.type === 'metric').map((w) => [w.properties.title, JSON.stringify(w.properties.metrics)]);
    expect(metricWidgets.map(([title]) => title)).toEqual([
      'golden-ami-fleet-app-linux: desired / in service / pending',
      'golden-ami-fleet-app-linux: CPU',
      'golden-ami-fleet-windows-iis: desired / in service / pending',
      'golden-ami-fleet-windows-iis: CPU',
    ]);
    for (const metric of ['GroupDesiredCapacity', 'GroupInServiceInstances', 'GroupPendingInstances']) expect(metricWidgets[0][1]).toContain(`MetricName=\\"${metric}\\" \\"golden-ami-fleet-app-linux-\\"`);
    expect(metricWidgets[1][1]).toContain('{AWS/EC2,AutoScalingGroupName} MetricName=\\"CPUUtilization\\"');
    synth.pipelineTemplate.hasOutput('DashboardUrl', { Value: 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/golden-ami-golden-ami' });
  });

  test('pipeline and image build events land in an encrypted log group the dashboard queries, without a custom resource', () => {
    synth.pipelineTemplate.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/events/golden-ami/golden-ami', RetentionInDays: 365, KmsKeyId: Match.anyValue() });
    const target = [{ Arn: 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/events/golden-ami/golden-ami', Id: 'Target0' }];
    synth.pipelineTemplate.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ source: ['aws.codepipeline'] }), Targets: target });
    // Every state change of this pipeline's builds, each image by its exact name: a name prefix would also log the
    // builds of a pipeline named golden-ami-web.
    synth.pipelineTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.imagebuilder'],
        'detail-type': ['EC2 Image Builder Image State Change'],
        resources: [{ prefix: 'arn:aws:imagebuilder:eu-west-1:123456789012:image/golden-ami-app-linux/' }, { prefix: 'arn:aws:imagebuilder:eu-west-1:123456789012:image/golden-ami-windows-iis/' }],
      },
      Targets: target,
    });
    synth.pipelineTemplate.hasResourceProperties('AWS::Logs::ResourcePolicy', { PolicyDocument: Match.stringLikeRegexp('events.amazonaws.com') });
    // The functions are the app's own four and CDK's VPC default-security-group provider: none writes a log policy.
    const functions = Object.keys(synth.pipelineTemplate.findResources('AWS::Lambda::Function')).map((id) => id.replace(/[0-9A-F]{8}$/, ''));
    expect(functions.sort()).toEqual(['AlertsFormatterFunction', 'CleanupFunction', 'CustomVpcRestrictDefaultSGCustomResourceProviderHandler', 'ParameterPrepFunction', 'SourcePushFilterFunction']);
  });

  test('seeds each fleet\'s capacity parameters with the configured minimum', () => {
    synth.pipelineTemplate.hasResourceProperties('AWS::SSM::Parameter', { Name: '/golden-ami/golden-ami/fleets/app-linux/min-size', Type: 'String', Value: '1' });
    synth.pipelineTemplate.hasResourceProperties('AWS::SSM::Parameter', { Name: '/golden-ami/golden-ami/fleets/app-linux/desired-capacity', Type: 'String', Value: '1' });
  });

  test('encrypts artifacts and logs with a rotated customer-managed key', () => {
    synth.pipelineTemplate.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    synth.pipelineTemplate.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } })] },
    });
    for (const group of Object.values(synth.pipelineTemplate.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties).toMatchObject({ KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^EncryptionKey/), 'Arn'] }, RetentionInDays: 365 });
    }
  });
});

describe('other configurations', () => {
  test('GitHub through a CodeStar connection, an existing VPC', () => {
    const config = loadConfig(
      configDirWith({
        'pipeline.yaml': [
          'name: images',
          'source: { provider: github, repository: my-org/images, branch: release, connectionArn: "arn:aws:codeconnections:eu-west-1:123456789012:connection/abcd-1234" }',
          'network: { vpcId: vpc-0123456789abcdef0, subnetIds: [subnet-0123456789abcdef0, subnet-0123456789abcdef1] }',
        ].join('\n'),
      }),
    );
    const synth = synthApp(config);
    const source = stagesOf(synth)[0].Actions[0];
    expect(source.ActionTypeId).toMatchObject({ Category: 'Source', Provider: 'CodeStarSourceConnection' });
    expect(source.Configuration).toMatchObject({ FullRepositoryId: 'my-org/images', BranchName: 'release', ConnectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/abcd-1234' });
    synth.pipelineTemplate.resourceCountIs('AWS::CodeCommit::Repository', 0);
    synth.pipelineTemplate.resourceCountIs('AWS::EC2::VPC', 0);
    synth.pipelineTemplate.hasResourceProperties('AWS::SSM::Parameter', { Name: '/golden-ami/images/network/vpc-id', Value: 'vpc-0123456789abcdef0' });
    synth.pipelineTemplate.hasResourceProperties('AWS::SSM::Parameter', { Name: '/golden-ami/images/network/subnet-ids', Value: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1' });
    // source.ignorePaths (default) becomes the connection trigger's file path excludes, beside the branch they need
    // (https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-filter.html); no function of ours filters.
    const pipeline = Object.values(synth.pipelineTemplate.findResources('AWS::CodePipeline::Pipeline'))[0];
    expect(pipeline.Properties.Triggers).toEqual([
      {
        ProviderType: 'CodeStarSourceConnection',
        GitConfiguration: { SourceActionName: source.Name, Push: [{ Branches: { Includes: ['release'] }, FilePaths: { Excludes: ['*.md', 'docs/**'] } }] },
      },
    ]);
    // With a filtered trigger the action itself detects no changes, or every push would start a run anyway.
    expect(source.Configuration.DetectChanges).toBe(false);
    expect(Object.keys(synth.pipelineTemplate.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('SourcePushFilter'))).toEqual([]);
  });

  test('alert e-mails and Slack from configuration; rebuild schedule switched off', () => {
    const synth = synthApp(
      loadConfig(configDirWith({ 'pipeline.yaml': 'operations: { rebuildSchedule: none, alertEmails: [ops@example.com, oncall@example.com], slack: { workspaceId: T0123456789, channelId: C0123456789 } }' })),
    );
    synth.pipelineTemplate.resourceCountIs('AWS::Scheduler::Schedule', 0);
    for (const email of ['ops@example.com', 'oncall@example.com']) synth.pipelineTemplate.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email });
    synth.pipelineTemplate.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123456789',
      SlackChannelId: 'C0123456789',
      SnsTopicArns: [{ Ref: Match.stringLikeRegexp('^AlertsTopic') }],
    });
  });

  test('a CodeCommit push is filtered by the push filter function, which starts exactly this pipeline', () => {
    const synth = synthApp(loadConfig(configDirWith({ 'pipeline.yaml': 'source: { ignorePaths: ["*.md", "docs/**", "examples/**"] }' })));
    const source = stagesOf(synth)[0].Actions[0];
    // No EventBridge rule of CDK Pipelines' starts the pipeline: its CodeCommit trigger is NONE.
    const rules = Object.values(synth.pipelineTemplate.findResources('AWS::Events::Rule'));
    const startsThePipeline = rules.filter((r) => JSON.stringify(r.Properties.Targets ?? []).includes('"Pipeline'));
    expect(startsThePipeline).toEqual([]);
    expect(Object.keys(synth.pipelineTemplate.findResources('AWS::IAM::Role')).filter((id) => id.startsWith('PipelineEventsRole'))).toEqual([]);
    const [filterId] = Object.keys(synth.pipelineTemplate.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('SourcePushFilterFunction'));
    synth.pipelineTemplate.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'golden-ami-push-filter',
      Environment: { Variables: { PIPELINE_NAME: 'golden-ami', SOURCE_ACTION_NAME: source.Name, BRANCH: 'main', IGNORE_PATHS: '["*.md","docs/**","examples/**"]' } },
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsDeadLetterQueue'), 'Arn'] } },
    });
    // The repository's pushes to the branch, by the repository's exact ARN; a failed delivery goes to the alert queue.
    synth.pipelineTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.codecommit'],
        resources: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^SourceRepository'), 'Arn'] }],
        'detail-type': ['CodeCommit Repository State Change'],
        detail: { event: ['referenceCreated', 'referenceUpdated'], referenceName: ['main'] },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [filterId, 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsDeadLetterQueue'), 'Arn'] } } })],
    });
  });

  test('with nothing to ignore, every CodeCommit push starts a run through CDK Pipelines\' own rule', () => {
    const synth = synthApp(loadConfig(configDirWith({ 'pipeline.yaml': 'source: { ignorePaths: [] }' })));
    expect(Object.keys(synth.pipelineTemplate.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('SourcePushFilter'))).toEqual([]);
    synth.pipelineTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.codecommit'], detail: Match.objectLike({ referenceName: ['main'] }) }),
      Targets: [Match.objectLike({ Arn: Match.objectLike({ 'Fn::Join': Match.anyValue() }), RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineEventsRole'), 'Arn'] } })],
    });
  });

  test('an existing CodeCommit repository is referenced, not created', () => {
    const synth = synthApp(loadConfig(configDirWith({ 'pipeline.yaml': 'source: { repository: existing-repo, createRepository: false }' })));
    synth.pipelineTemplate.resourceCountIs('AWS::CodeCommit::Repository', 0);
    expect(stagesOf(synth)[0].Actions[0].Configuration.RepositoryName).toBe('existing-repo');
  });

  test('one image without a fleet: a single image stage, no fleet stage', () => {
    const synth = synthApp(loadConfig(configDirWith({ 'images/app-linux.yaml': 'name: app-linux\nversion: "2.3"\n', 'images/windows-iis.yaml': null })));
    expect(stagesOf(synth).map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Image-app-linux']);
  });

  test('an image without a fleet beside one with a fleet: both release beside their own builds, nothing runs after the executes', () => {
    // Were the fleetless image released after the executes, a failed lane rollout (run order 3) would keep it unreleased.
    const synth = synthApp(loadConfig(configDirWith({ 'images/base-linux.yaml': 'name: base-linux\nversion: "1.0"\n' })));
    const build = stagesOf(synth).find((s) => s.Name === 'BuildImage')!;
    const runOrder = (name: string) => build.Actions.find((a) => a.Name === name)!.RunOrder;
    for (const image of ['base-linux', 'app-linux']) {
      expect(runOrder(`Image-${image}.Release-${image}`)).toBe(runOrder(`Image-${image}.golden-ami-image-${image}.Deploy`));
    }
    expect(Math.max(...build.Actions.map((a) => a.RunOrder))).toBe(runOrder('Image-base-linux.golden-ami-image-base-linux.Deploy'));
    const base = JSON.parse(build.Actions.find((a) => a.Name === 'Image-base-linux.Release-base-linux')!.Configuration.UserParameters);
    expect(base).toMatchObject({ mode: 'lane', imageStack: 'golden-ami-image-base-linux' });
    expect(base).not.toHaveProperty('fleetStack');
    expect(base).not.toHaveProperty('fleetFingerprint');
  });

  test('three images, each with a fleet: images build in parallel in one wave, fleets deploy in the next', () => {
    const appFile = fs.readFileSync(path.join(FIXTURE_CONFIG_DIR, 'images', 'app-linux.yaml'), 'utf8');
    const synth = synthApp(loadConfig(configDirWith({ 'images/api-linux.yaml': appFile.replace('name: app-linux', 'name: api-linux') })));
    const shape = stagesOf(synth)
      .slice(4)
      .map((s) => [s.Name, [...new Set(s.Actions.map((a) => String(a.Name).split('.')[0]))].sort()]);
    expect(shape).toEqual([
      ['Egress', ['Deploy', 'Prepare']],
      ['BuildImage', ['Image-api-linux', 'Image-app-linux', 'Image-windows-iis']],
      ['DeployImage', ['Fleet-api-linux', 'Fleet-app-linux', 'Fleet-windows-iis']],
    ]);
    // Within the wave, every image's release (a lane: each has a fleet) runs beside its own execute, after its change set.
    const buildImage = stagesOf(synth)[5];
    expect(buildImage.Name).toBe('BuildImage');
    expect(new Set(buildImage.Actions.filter((a) => String(a.Name).includes('.Release-')).map((a) => a.RunOrder))).toEqual(new Set([3]));
    expect(new Set(buildImage.Actions.filter((a) => a.Configuration.ActionMode === 'CHANGE_SET_EXECUTE').map((a) => a.RunOrder))).toEqual(new Set([3]));
  });

  test('synthesizes environment-agnostic when no account or region is known', () => {
    const synth = synthApp(loadConfig(FIXTURE_CONFIG_DIR), { account: undefined as never, region: undefined as never });
    synth.pipelineTemplate.resourceCountIs('AWS::CodePipeline::Pipeline', 1);
  });
});
