import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENVIRONMENT_TAG_PREFIX, IMAGE_TAG_KEY, imageParameterNames, imagesParameterRoot, parameterPrepFunctionName, parameterPrepRoleName, PIPELINE_TAG_KEY, releaseWriterRoleName, VERSION_TAG_KEY } from '../naming';
import { NagNames } from '../validation/nag-names';
import { PARAMETER_PATTERN_REASON } from '../iam/execution-grants';
import { collapseImageLevels, ssmParameterNamesOf } from './stage-stack-support';
import { appFunctionBasics } from './esbuild-code';

/**
 * Fleet stacks per managed policy of the lanes' rollouts: 20 ARNs and the first policy's other statements stay under
 * IAM's 6,144 characters (30 did not at 50 fleets: the synth-time limit check measured 6,442).
 */
const FLEET_STACKS_PER_POLICY = 20;

/** Props for ParameterPrepFunction. */
export interface ParameterPrepFunctionProps {
  readonly pipelineName: string;
  /** Key that encrypts the function's logs. */
  readonly logKey: kms.IKey;
  /**
   * Regions the images are distributed to besides the stack's own: the release step tags the snapshots of the AMI
   * copies there and applies retention to them, so the function's EC2 grants cover these regions too.
   * @default - none: the function acts in the stack's region only
   */
  readonly distributionRegions?: readonly string[];
  /**
   * The AWS-managed parent images and components the images are built from, as the prepare step references them
   * (`image/<name>/<selector>`, `component/<name>/<selector>`; see upstreamReferences). The function may read the
   * versions of exactly these names, in the stack's region.
   * @default - none: the function reads no Image Builder resource
   */
  readonly upstream?: readonly string[];
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The parameter-prep Lambda function (lambda/parameter-prep), bundled by the local esbuild (never Docker). The AWS SDK
 * is left out of the bundle: the Node.js runtime provides it, which keeps the bundle and cold start small.
 */
export class ParameterPrepFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;
  private readonly pipelineName: string;

  constructor(scope: Construct, id: string, props: ParameterPrepFunctionProps) {
    super(scope, id);
    this.pipelineName = props.pipelineName;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      // Named, so that the action roles in the support stacks can name it without a reference to this stack.
      functionName: parameterPrepFunctionName(props.pipelineName),
      // Bundled in-process by esbuild's API (no npx process per synth); the AWS SDK stays out of the bundle.
      ...appFunctionBasics('parameter-prep'),
      // The handler reports to CodePipeline 5 s before this, so a slow AWS call ends in a failure, not a hang. A release
      // may read a few thousand scan findings (25 a page) before its housekeeping.
      timeout: Duration.seconds(120),
      description: `golden-ami-pipeline ${props.pipelineName}: image versions and releases`,
      logGroup,
    });

    const stack = Stack.of(this);
    // Every release step is a lane: it waits beside its image stack's execute action and reads its outputs there.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'FollowTheImageBuildsOfThisPipeline',
        actions: ['codepipeline:ListActionExecutions'],
        resources: [stack.formatArn({ service: 'codepipeline', resource: props.pipelineName })],
      }),
    );
    // The hierarchy of this pipeline's image parameters (the pipeline name is a whole level of the path): a list of
    // exact names would grow with every image past IAM's 10,240-character limit on a role's inline policies.
    const imageParameter = (leaf: string) => stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${imagesParameterRoot(props.pipelineName).slice(1)}/${leaf}` });
    this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadTheParametersOfThisPipelinesImages', actions: ['ssm:GetParameter'], resources: [imageParameter('*')] }));
    // The parameters the function keeps, for every image ("*" in place of the image's name).
    const writtenParameters = Object.values(imageParameterNames(props.pipelineName, '*'));
    // Written: only the parameters the function keeps per image. The scan policy, which CloudFormation writes from
    // the configuration, is read only: the step it gates cannot loosen it.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'VersionsAndReleasesOfThisPipelinesImages',
        actions: ['ssm:PutParameter'],
        resources: writtenParameters.map((name) => stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1) })),
      }),
    );
    // The Lambda actions invoke the function by name from the support stacks, so CodePipeline's action cannot grant
    // these to it; neither supports a resource-level permission.
    this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReportTheJobResult', actions: ['codepipeline:PutJobSuccessResult', 'codepipeline:PutJobFailureResult'], resources: ['*'] }));
    // Neither describe call supports resource-level permissions: the release gate reads the AMI's state and tags,
    // housekeeping lists the image's AMIs and tagged snapshots.
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeImages', 'ec2:DescribeSnapshots'], resources: ['*'] }));

    // The prepare step looks up the newest versions of the AWS-owned parent images and components the recipes name
    // (GetImage/GetComponent resolve a version selector); both take resource-level permissions, so each is granted on
    // exactly those names, every version (the selector resolves to any of them).
    const upstreamNames = (kind: 'image' | 'component') => [...new Set((props.upstream ?? []).filter((r) => r.startsWith(`${kind}/`)).map((r) => r.split('/')[1]))].sort();
    const awsOwned = (kind: 'image' | 'component', name: string) => stack.formatArn({ service: 'imagebuilder', account: 'aws', resource: kind, resourceName: `${name}/*` });
    const upstreamGrants = [
      { sid: 'NewestVersionsOfTheParentImages', action: 'imagebuilder:GetImage', kind: 'image' as const },
      { sid: 'NewestVersionsOfTheAwsComponents', action: 'imagebuilder:GetComponent', kind: 'component' as const },
    ].filter((g) => upstreamNames(g.kind).length > 0);
    for (const grant of upstreamGrants) {
      this.function.addToRolePolicy(new iam.PolicyStatement({ sid: grant.sid, actions: [grant.action], resources: upstreamNames(grant.kind).map((name) => awsOwned(grant.kind, name)) }));
    }

    // The release gate reads the scan Image Builder recorded with the build (GetImage) of this pipeline's images only
    // (the image resources carry golden-ami:pipeline), then its findings. ListImageScanFindings takes no required
    // resource (service authorization reference: the image resource type is optional), and BatchGetAccountStatus none.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ScanStateOfThisPipelinesImageBuilds',
        actions: ['imagebuilder:GetImage'],
        resources: [stack.formatArn({ service: 'imagebuilder', resource: 'image', resourceName: '*' })],
        conditions: { StringEquals: { [`aws:ResourceTag/${PIPELINE_TAG_KEY}`]: props.pipelineName } },
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ScanFindingsAndInspectorStatus', actions: ['imagebuilder:ListImageScanFindings', 'inspector2:BatchGetAccountStatus'], resources: ['*'] }),
    );

    // The AMIs and snapshots the release step retires live in the stack's region and in each distribution region.
    const otherRegions = [...new Set(props.distributionRegions ?? [])].filter((r) => Token.isUnresolved(stack.region) || r !== stack.region);
    const inEachRegion = (resource: 'image' | 'snapshot') =>
      [stack.region, ...otherRegions].map((region) => stack.formatArn({ service: 'ec2', region, account: '', resource, resourceName: '*' }));
    const thisPipelines = { [`aws:ResourceTag/${PIPELINE_TAG_KEY}`]: props.pipelineName };
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RetireThisPipelinesAmis',
        actions: ['ec2:EnableImageDeprecation', 'ec2:DeregisterImage'],
        resources: inEachRegion('image'),
        conditions: { StringEquals: thisPipelines },
      }),
    );
    // A current or previous release found deprecated is made current again: a rollback target must stay listed.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RestoreThisPipelinesReleases',
        actions: ['ec2:DisableImageDeprecation'],
        resources: inEachRegion('image'),
        conditions: { StringEquals: thisPipelines },
      }),
    );
    // Image Builder leaves the snapshots behind its AMIs untagged. The release step tags them before anything deletes
    // them, so deletion can be limited to snapshots tagged with this pipeline ...
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DeleteThisPipelinesSnapshots',
        actions: ['ec2:DeleteSnapshot'],
        resources: inEachRegion('snapshot'),
        conditions: { StringEquals: thisPipelines },
      }),
    );
    // ... and tagging itself is limited to what the step writes: only its three keys, the pipeline key set to this
    // pipeline, and never on a snapshot another pipeline already tagged (IfExists: an untagged snapshot may be tagged).
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'TagSnapshotsForThisPipeline',
        actions: ['ec2:CreateTags'],
        resources: inEachRegion('snapshot'),
        conditions: {
          StringEquals: { [`aws:RequestTag/${PIPELINE_TAG_KEY}`]: props.pipelineName },
          'ForAllValues:StringEquals': { 'aws:TagKeys': [PIPELINE_TAG_KEY, IMAGE_TAG_KEY, VERSION_TAG_KEY] },
          StringEqualsIfExists: thisPipelines,
        },
      }),
    );

    const nag = NagNames.of(this);
    const wildcardFindings = (resource: 'image' | 'snapshot', reason: string) => [
      { id: `AwsSolutions-IAM5[Resource::${nag.arn('ec2', `${resource}/*`, false)}]`, reason },
      ...otherRegions.map((region) => ({ id: `AwsSolutions-IAM5[Resource::arn:${nag.partition}:ec2:${region}::${resource}/*]`, reason })),
    ];
    Validations.of(this.function).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'Grants only logs:CreateLogStream/PutLogEvents (and CreateLogGroup) for the function\'s own logs; the AWS-maintained minimum for any Lambda function.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ec2:DescribeImages, ec2:DescribeSnapshots, codepipeline:PutJobSuccessResult/PutJobFailureResult and inspector2:BatchGetAccountStatus support no resource-level permissions; imagebuilder:ListImageScanFindings has no required resource and is read-only (the call names the one image build version it lists); every SSM action is granted on the parameters of this pipeline\'s images.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${NagNames.of(this).arn('ssm', `parameter${imagesParameterRoot(props.pipelineName)}/*`)}]`,
        reason: `Read only (ssm:GetParameter): the parameters of the images of pipeline ${props.pipelineName} (${imagesParameterRoot(props.pipelineName)}/<image>/…), including the scan policies; the pipeline name is a whole level of the path, so no other pipeline's parameters match; images come and go with the configuration.`,
      },
      ...writtenParameters.map((name) => ({
        id: `AwsSolutions-IAM5[Resource::${NagNames.of(this).arn('ssm', `parameter${name}`)}]`,
        reason: `ssm:PutParameter on ${name.split('/').pop()} of each image of pipeline ${props.pipelineName}: images come and go with the configuration, and the pipeline name is a whole level of the path.`,
      })),
      {
        id: `AwsSolutions-IAM5[Resource::${NagNames.of(this).arn('imagebuilder', 'image/*')}]`,
        reason: `imagebuilder:GetImage (read only) on image build versions tagged golden-ami:pipeline=${props.pipelineName}: the release gate reads the scan state of the build it releases, whose version is only known at run time.`,
      },
      ...upstreamGrants.flatMap((grant) =>
        upstreamNames(grant.kind).map((name) => ({
          id: `AwsSolutions-IAM5[Resource::${nag.arn('imagebuilder', `${grant.kind}/${name}/*`, 'aws')}]`,
          reason: `Every version of the AWS-owned ${grant.kind === 'image' ? 'parent image' : 'component'} ${name}, read only (${grant.action}): a scheduled run resolves the recipe's version selector to the newest version, which is not known at synth.`,
        })),
      ),
      ...wildcardFindings(
        'image',
        'AMI ids are only known at run time; every statement on them is conditioned on the tag golden-ami:pipeline of this pipeline, so only its own AMIs can be deprecated, restored or deregistered.',
      ),
      ...wildcardFindings(
        'snapshot',
        'Snapshot ids are only known at run time. ec2:DeleteSnapshot is conditioned on the tag golden-ami:pipeline of this pipeline, which the release step puts on its AMIs\' snapshots before deleting any; ec2:CreateTags may only set that tag to this pipeline, only the keys golden-ami:pipeline, golden-ami:image and golden-ami:version, and not on a snapshot tagged for another pipeline.',
      ),
      {
        id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
        reason: 'The function only calls AWS APIs (SSM, EC2, Image Builder, CodePipeline) and reaches no private resource; a VPC would add a NAT dependency without narrowing what it can reach.',
      },
      {
        id: 'NIST.800.53.R5-LambdaInsideVPC',
        reason: 'The function only calls AWS APIs (SSM, EC2, Image Builder, CodePipeline) and reaches no private resource; a VPC would add a NAT dependency without narrowing what it can reach.',
      },
      {
        id: 'NIST.800.53.R5-LambdaDLQ',
        reason: 'Every failure is reported to the CodePipeline job (PutJobFailureResult), which fails the action and alerts; an event is only rethrown when that report itself failed, and CodePipeline times the job out. A dead-letter queue would hold events nobody replays: the fix is re-running the pipeline.',
      },
      {
        id: 'NIST.800.53.R5-LambdaConcurrency',
        reason: 'At most two jobs per image run per pipeline execution. Reserved concurrency would be taken from the account pool, and in accounts at the default quota of 10 (new accounts) Lambda refuses any reservation, so deployment would fail.',
      },
    );
  }

  /**
   * The release steps of images with a fleet run as lanes (lambda/parameter-prep/build-wait.ts, fleet-rollout.ts): the
   * function may list this pipeline's action executions (to follow each image's build), describe and update exactly
   * these fleet stacks, and read the SSM parameters their templates resolve, since
   * CloudFormation resolves SSM-typed parameters with the caller's permissions when it is asked for the update. The
   * update itself runs as the stack's own execution role (no RoleARN is passed, so no iam:PassRole is needed).
   */
  public allowFleetRollouts(fleetStacks: readonly Stack[]): iam.ManagedPolicy[] {
    const policies: iam.ManagedPolicy[] = [];
    if (fleetStacks.length === 0) return policies;
    const stack = Stack.of(this);
    const nag = NagNames.of(this);
    const names = fleetStacks.map((s) => s.stackName).sort();
    const parameters = collapseImageLevels([...new Set(fleetStacks.flatMap(ssmParameterNamesOf))], this.pipelineName).sort();
    // Managed policies of their own, a bounded number of stacks each: at 50 fleets one ARN per stack would pass
    // IAM's 10,240 characters for the role's inline policies (the synth-time limit check caught it).
    for (let i = 0; i * FLEET_STACKS_PER_POLICY < names.length; i++) {
      const chunk = names.slice(i * FLEET_STACKS_PER_POLICY, (i + 1) * FLEET_STACKS_PER_POLICY);
      const policy = new iam.ManagedPolicy(this, `FleetRollouts${i + 1}`, {
        description: `golden-ami-pipeline ${this.pipelineName}: the release steps roll out fleet stacks ${chunk[0]} to ${chunk[chunk.length - 1]}`,
        roles: [this.function.role!],
        statements: [
          new iam.PolicyStatement({
            sid: 'RollOutThisPipelinesFleets',
            actions: ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:UpdateStack'],
            // The stack's id follows its name in the ARN; the name is exact, and CloudFormation never gives two live
            // stacks one name.
            resources: chunk.map((name) => stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${name}/*` })),
          }),
          ...(i === 0
            ? [
                new iam.PolicyStatement({
                  sid: 'ResolveTheFleetStacksParameters',
                  actions: ['ssm:GetParameters'],
                  resources: parameters.map((name) => stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1) })),
                }),
              ]
            : []),
        ],
      });
      Validations.of(policy).acknowledge(
        ...chunk.map((name) => ({
          id: `AwsSolutions-IAM5[Resource::${nag.arn('cloudformation', `stack/${name}/*`)}]`,
          reason: `Fleet stack ${name} by its exact name; the wildcard is the stack id CloudFormation appends, unknown until it is created. The release step rolls this fleet out in its image's lane.`,
        })),
        ...(i === 0 ? parameters.filter((name) => name.includes('*')).map((name) => ({ id: `AwsSolutions-IAM5[Resource::${nag.arn('ssm', `parameter${name}`)}]`, reason: PARAMETER_PATTERN_REASON })) : []),
      );
      policies.push(policy);
    }
    return policies;
  }

  /**
   * The promote steps (mode "promote", issue 18): the function finds the AMI copy of each environment's region and
   * checks it is shared with the environment's account, then writes (and, for the next environment, reads) each
   * environment's release parameters through that environment's release writer role, and only that role. Its role
   * gets a fixed name, which those roles trust.
   */
  public allowPromotions(environments: ReadonlyArray<{ readonly account: string; readonly region: string }>): void {
    if (environments.length === 0) return;
    (this.function.role!.node.defaultChild as iam.CfnRole).roleName = parameterPrepRoleName(this.pipelineName);
    const stack = Stack.of(this);
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadTheLaunchPermissionOfThisPipelinesAmis',
        actions: ['ec2:DescribeImageAttribute'],
        resources: [...new Set(environments.map((e) => e.region))].map((region) => stack.formatArn({ service: 'ec2', region, account: '', resource: 'image', resourceName: '*' })),
        conditions: { StringEquals: { [`aws:ResourceTag/${PIPELINE_TAG_KEY}`]: this.pipelineName } },
      }),
    );
    // Marks the copies an environment runs or would roll back to, so retention spares them (promote.ts); only keys
    // of that one kind, only on this pipeline's AMIs.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'MarkTheCopiesTheEnvironmentsUse',
        actions: ['ec2:CreateTags', 'ec2:DeleteTags'],
        resources: [...new Set(environments.map((e) => e.region))].map((region) => stack.formatArn({ service: 'ec2', region, account: '', resource: 'image', resourceName: '*' })),
        conditions: {
          StringEquals: { [`aws:ResourceTag/${PIPELINE_TAG_KEY}`]: this.pipelineName },
          'ForAllValues:StringLike': { 'aws:TagKeys': [`${ENVIRONMENT_TAG_PREFIX}*`] },
        },
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'PromoteThroughTheEnvironmentsReleaseWriterRoles',
        actions: ['sts:AssumeRole'],
        resources: [...new Set(environments.map((e) => e.account))].map((account) => stack.formatArn({ service: 'iam', region: '', account, resource: 'role', resourceName: releaseWriterRoleName(this.pipelineName) })),
      }),
    );
    Validations.of(this.function.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${NagNames.of(this).arn('ec2', 'image/*', true, '')}]`,
      reason: `AMI ids are generated by each build; the condition limits the call to AMIs tagged ${PIPELINE_TAG_KEY}=${this.pipelineName}.`,
    });
  }
}
