import { type DefaultStackSynthesizer, Duration, Fn, Lazy, RemovalPolicy, Stack, type StackProps, Tags, Token, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import type { EnvironmentConfig, FleetConfig, GoldenAmiConfig, ImageConfig } from '../config/model';
import { AmiKeyStage } from '../stages/ami-key-stage';
import { environmentShares, withEnvironmentRegions } from '../stages/environment-shares';
import { EnvironmentStage } from '../stages/environment-stage';
import { hardenCrossRegionSupport } from './cross-region-support';
import { nameRolesCreatedLaterByCondition } from './principals-created-later';
import { approvalActionName, PromotionApprovalStep } from './promotion-approval-step';
import { EgressStage } from '../stages/egress-stage';
import { FleetStage } from '../stages/fleet-stage';
import { fleetTemplateFingerprint } from '../stages/fleet-fingerprint';
import { imageFingerprint } from '../stages/image-fingerprint';
import { ImageStage } from '../stages/image-stage';
import { FleetCapacity } from './fleet-capacity';
import { LoadBalancerLogDelivery } from './load-balancer-log-delivery';
import { logBucket } from './log-bucket';
import { PipelineCleanup } from './pipeline-cleanup';
import { scopePipelineRoleToTaggedActionRoles, tagAssumable } from './pipeline-role-scope';
import { ScanPolicyParameter } from './scan-policy-parameter';
import { StageStackSupport } from './stage-stack-support';
import { toolchainVersions } from './toolchain-versions';
import { ParameterPrepFunction } from './parameter-prep-function';
import { PipelineAlerts } from './pipeline-alerts';
import { PipelineDashboard } from './pipeline-dashboard';
import { RebuildSchedule } from './rebuild-schedule';
import { upstreamReferences } from './upstream-references';
import { ParameterPrepStep, REBUILD_VARIABLE } from './parameter-prep-step';
import { acknowledgePipelineFindings } from './pipeline-acknowledgements';
import { PipelineKey } from './pipeline-key';
import { PipelineNetwork } from './pipeline-network';
import { PipelineSource } from './pipeline-source';
import { StackExecutionRole } from './stack-execution-role';
import type { ExecutionGrant, StageStackContext } from '../iam/execution-grants';
import { egressStackGrants } from '../iam/egress-stack-grants';
import { FLEET_INSTANCE_MANAGED_POLICIES, fleetStackGrants } from '../iam/fleet-stack-grants';
import { BUILD_INSTANCE_MANAGED_POLICIES, imageStackGrants } from '../iam/image-stack-grants';
import { InstanceRoleBoundary } from '../iam/instance-role-boundary';
import { acknowledgeSingleRolePolicies } from '../iam/single-role-policies';
import {
  cleanupFunctionRoleName,
  fleetStackName,
  parameterPrepFunctionName,
  parameterPrepRoleName,
  PIPELINE_TAG_KEY,
  pipelineRoleName,
  stackDeployRoleName,
  stackExecutionRoleName,
} from '../naming';

/** Props for GoldenAmiPipelineStack. */
export interface GoldenAmiPipelineStackProps extends StackProps {
  readonly config: GoldenAmiConfig;
  /**
   * Directory of the application artifact for this synth. In the pipeline it is the Build step's output; on a
   * developer's machine bin/app.ts builds it locally the same way.
   */
  readonly applicationArtifactDir: string;
}

/** Directory (relative to the synth step's working directory) where the Build step's artifact lands. */
export const APPLICATION_ARTIFACT_INPUT_DIR = 'application-artifact';

/** Node.js major version CodeBuild uses for the build and synth steps. */
const CODEBUILD_NODE_VERSION = '22';

/**
 * The whole golden AMI pipeline: source → Build (application) → Synth → UpdatePipeline (self-mutation) → Assets →
 * BuildImage (per image: prepare version, image stack change set, release gate) → DeployImage (per fleet: fleet
 * stack change set). Also holds what the stages share: the network, the parameter-prep function, the artifact bucket.
 */
export class GoldenAmiPipelineStack extends Stack {
  public readonly pipeline: pipelines.CodePipeline;

  constructor(scope: Construct, id: string, props: GoldenAmiPipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    const environments = config.environments;
    // Images as they are built: distributed to the environments' regions too.
    const images = config.images.map((image) => withEnvironmentRegions(image, environments));

    const key = new PipelineKey(this, 'Encryption', { pipelineName: config.name }).key;
    const source = new PipelineSource(this, 'Source', { source: config.source });
    const network = new PipelineNetwork(this, 'Network', { pipelineName: config.name, network: config.network, logKey: key });
    const parameterPrep = new ParameterPrepFunction(this, 'ParameterPrep', {
      pipelineName: config.name,
      logKey: key,
      distributionRegions: images.flatMap((i) => i.distribution.regions),
      upstream: config.images.flatMap(upstreamReferences),
    });
    const buildLogs = new logs.LogGroup(this, 'BuildLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const { bucket: artifactBucket, accessLogs } = this.artifactBucket(key);
    const loadBalanced = config.images.filter((i) => i.fleet?.loadBalancer).map((i) => i.name);
    const logDelivery = loadBalanced.length === 0 ? undefined : new LoadBalancerLogDelivery(this, 'LoadBalancerLogs', { pipelineName: config.name, bucket: accessLogs, imageNames: loadBalanced });
    // Found by this tag when the pipeline stack is gone (npm run teardown).
    for (const bucket of [artifactBucket, accessLogs]) Tags.of(bucket).add(PIPELINE_TAG_KEY, config.name);
    // Created up front so that every action role can trust exactly this role.
    const pipelineRole = new iam.Role(this, 'PipelineRole', {
      // Named when environments trust it from their accounts (their fleet stacks' deploy roles).
      roleName: environments.length > 0 ? pipelineRoleName(config.name) : undefined,
      assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com'),
      description: `CodePipeline ${config.name}: assumes the role of each action`,
    });
    const actionRole = (id: string) => {
      const role = new iam.Role(this, id, { assumedBy: new iam.ArnPrincipal(pipelineRole.roleArn), description: `CodePipeline ${config.name}: the ${id.replace(/ActionRole$/, '')} action` });
      tagAssumable(role, config.name, 'codepipeline');
      return role;
    };

    const toolchain = toolchainVersions();
    const buildApplication = new pipelines.CodeBuildStep('BuildApplication', {
      input: source.input,
      actionRole: actionRole('BuildApplicationActionRole'),
      ...npmCache(artifactBucket, 'pipeline-assets/app/package-lock.json'),
      commands: ['cd pipeline-assets/app', 'npm ci --no-audit --no-fund', 'npm test', 'npm run build'],
      primaryOutputDirectory: 'pipeline-assets/app/dist',
    });

    const synth = new pipelines.CodeBuildStep('Synth', {
      input: source.input,
      additionalInputs: { [APPLICATION_ARTIFACT_INPUT_DIR]: buildApplication },
      actionRole: actionRole('SynthActionRole'),
      ...npmCache(artifactBucket, 'package-lock.json'),
      env: { CDK_DISABLE_CLI_TELEMETRY: 'true' },
      commands: ['npm ci --no-audit --no-fund', `npx cdk synth --no-notices -c applicationArtifactDir=${APPLICATION_ARTIFACT_INPUT_DIR}`],
    });

    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: config.name,
      pipelineType: codepipeline.PipelineType.V2,
      role: pipelineRole,
      selfMutation: true,
      // Our artifact bucket already has a key; this makes the buckets CDK creates for other regions' actions (an
      // environment elsewhere) have one too, which an action in another account needs to read its artifacts.
      crossAccountKeys: environments.length > 0,
      enableKeyRotation: environments.length > 0,
      useChangeSets: true,
      publishAssetsInParallel: false,
      cliVersion: toolchain.cdkCli,
      cdkAssetsCliVersion: toolchain.cdkAssets,
      artifactBucket,
      synth,
      codeBuildDefaults: {
        buildEnvironment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL },
        partialBuildSpec: codebuild.BuildSpec.fromObject({ phases: { install: { 'runtime-versions': { nodejs: CODEBUILD_NODE_VERSION } } } }),
        logging: { cloudWatch: { logGroup: buildLogs } },
      },
    });

    const fleetImages = images.filter((i): i is ImageConfig & { fleet: FleetConfig } => i.fleet !== undefined);
    // With environments, fleets run there only; the pipeline's account builds and releases.
    const homeFleetImages = environments.length > 0 ? [] : fleetImages;
    // The Egress stage exists with egress on demand and some fleet to give it to; the Cleanup resource deletes its stack.
    const egressLayout = homeFleetImages.length > 0 ? network.egress : undefined;
    const boundary = new InstanceRoleBoundary(this, 'InstanceRoleBoundary', { pipelineName: config.name }).policy;
    // Before the stages: every stage stack's clean-up role trusts its role.
    const cleanup = new PipelineCleanup(this, 'Cleanup', {
      pipelineName: config.name,
      // Fleet stacks in this account only: with environments there are none here (adding environments to a pipeline
      // whose fleets ran here prunes those stacks).
      images: images.map((image) => (homeFleetImages.includes(image as ImageConfig & { fleet: FleetConfig }) ? image : { ...image, fleet: undefined })),
      buckets: [artifactBucket, accessLogs],
      sharedAmis: config.operations.onDestroy.sharedAmis,
      egress: egressLayout !== undefined,
      // Their fleet stacks and environment stacks, and the AMI key stacks of their regions.
      environments: config.environments,
      logKey: key,
    });
    // Named whether or not environments are configured: their clean-up roles trust it by ARN, and the prune that
    // removes the last environment runs as this role (a name that came and went with the environments would replace
    // the role first, and the environments' roles would not trust the new one).
    (cleanup.role.node.defaultChild as iam.CfnRole).roleName = cleanupFunctionRoleName(config.name);
    // What the stage stacks need while CloudFormation deletes them: the clean-up must run before any of it goes.
    const neededByStageStacks: Construct[] = [network, boundary, ...(logDelivery ? [logDelivery] : [])];
    /** The stage stack's execution role (here, by name) and its support nested stack (everything else it needs). */
    const supportOf = (stage: Stack, grants: (ctx: StageStackContext) => ExecutionGrant[], instanceManagedPolicies: readonly string[]) => {
      const stageId = stage.node.scope!.node.id;
      const executionRole = new StackExecutionRole(this, `ExecutionRole-${stageId}`, { roleName: stackExecutionRoleName(stage.stackName), stackName: stage.stackName }).role;
      const support = new StageStackSupport(this, `Support-${stageId}`, {
        pipelineName: config.name,
        stageStack: stage,
        grants,
        instanceManagedPolicies,
        vpcArn: network.vpcArn,
        boundaryArn: boundary.managedPolicyArn,
        pipelineRole,
        cleanupRole: cleanup.role,
        parameterPrepFunctionName: parameterPrepFunctionName(config.name),
      });
      support.node.addDependency(executionRole);
      neededByStageStacks.push(executionRole, support);
      // CDK Pipelines grants the deploy role (known to it by name) template reads through the bucket and key
      // policies; S3 and KMS reject a policy naming a principal that does not exist yet.
      artifactBucket.policy?.node.addDependency(support);
      key.node.addDependency(support);
      return support;
    };

    // Built before the images: each image's release step names its fleet stack and the fingerprint of its template.
    const fleetStages = new Map<string, FleetStage>();
    for (const image of homeFleetImages) {
      // In the pipeline stack, not the support stack: moving them would reset an operator's scaling.
      neededByStageStacks.push(new FleetCapacity(this, `Capacity-${image.name}`, { pipelineName: config.name, imageName: image.name, fleet: image.fleet }));
      const stage = new FleetStage(this, `Fleet-${image.name}`, { env: props.env, pipelineName: config.name, image });
      supportOf(stage.stack, (ctx) => fleetStackGrants(ctx, image.fleet, config.name), FLEET_INSTANCE_MANAGED_POLICIES);
      fleetStages.set(image.name, stage);
    }
    // Kept until the clean-up is done, like every policy the stage stacks' handling needs.
    neededByStageStacks.push(...parameterPrep.allowFleetRollouts([...fleetStages.values()].map((s) => s.stack)));

    if (egressLayout) {
      // Before the images: each image's release step rolls its fleet out (its lane), and a fleet's instances need the
      // NAT gateways from their first boot (cfn-signal). Builds use the public subnets and do not wait for it.
      const egress = new EgressStage(this, 'Egress', { env: props.env, pipelineName: config.name, fleetImageNames: fleetImages.map((i) => i.name), layout: egressLayout });
      supportOf(egress.stack, (ctx) => egressStackGrants(ctx, config.name), []);
      this.pipeline.addStage(egress);
    }

    const promotion = environments.length > 0 ? this.environmentsWave(config, fleetImages, parameterPrep) : undefined;

    const buildWave = this.pipeline.addWave('BuildImage');
    const imageSupports = new Map<string, StageStackSupport>();
    for (const image of images) {
      const stage = new ImageStage(this, `Image-${image.name}`, {
        env: props.env,
        pipelineName: config.name,
        image,
        applicationArtifactDir: props.applicationArtifactDir,
        buildSubnets: network.egress ? 'public' : 'private',
        environmentShares: environmentShares(environments),
      });
      const outputs = {
        amiId: pipelines.StackOutputReference.fromCfnOutput(stage.stack.amiIdOutput),
        version: pipelines.StackOutputReference.fromCfnOutput(stage.stack.versionOutput),
        recipeName: pipelines.StackOutputReference.fromCfnOutput(stage.stack.recipeNameOutput),
      };
      const support = supportOf(stage.stack, (ctx) => imageStackGrants(ctx, config.name, image), BUILD_INSTANCE_MANAGED_POLICIES);
      new ScanPolicyParameter(support, 'ScanPolicy', { pipelineName: config.name, image });
      imageSupports.set(image.name, support);
      const fn = support.parameterPrepFunction;
      // Resolved when the pipeline template is written, after the image and fleet stacks are complete.
      const fingerprint = Lazy.string({ produce: () => imageFingerprint(stage.stack) });
      const fleetStage = fleetStages.get(image.name);
      const release = {
        fn,
        pipelineName: config.name,
        image,
        commitId: source.input.sourceAttribute('CommitId'),
        retention: config.operations.amiRetention,
        environments: environments.map((e) => e.name),
        role: support.actionRole('ReleaseActionRole', `CodePipeline ${config.name}: the Release-${image.name} action`),
      };
      buildWave.addStage(stage, {
        pre: [ParameterPrepStep.prepare(fn, config.name, image, fingerprint, config.operations.rebuild, support.actionRole('PrepareActionRole', `CodePipeline ${config.name}: the Prepare-${image.name} action`))],
        post: [
          // The image's lane: beside its own build, then its fleet's rollout; no other image's build holds it up.
          ParameterPrepStep.lane(
            release,
            { stackName: stage.stack.stackName, outputs: Object.values(outputs) },
            fleetStage && { stackName: fleetStage.stack.stackName, fingerprint: Lazy.string({ produce: () => fleetTemplateFingerprint(fleetStage.stack) }) },
          ),
        ],
      });
    }

    // Every fleet again, after every image: it applies the fleet's own template changes, creates a new fleet, and is an
    // empty change set for a fleet its image's lane already rolled out.
    if (promotion) {
      this.promotionWaves(config, promotion, imageSupports, source.input.sourceAttribute('CommitId'));
    } else {
      const deployWave = this.pipeline.addWave('DeployImage');
      for (const stage of fleetStages.values()) deployWave.addStage(stage);
    }

    // Build now rather than at synth, so the roles CDK Pipelines generates exist to be checked and acknowledged.
    this.pipeline.buildPipeline();

    for (const needed of neededByStageStacks) cleanup.resource.node.addDependency(needed);
    // Deleted before the clean-up starts, so no new run deploys a stage stack while it is being deleted.
    this.pipeline.pipeline.node.defaultChild!.node.addDependency(cleanup.resource);
    // Deleted before the clean-up deletes their buckets, so CloudFormation never deletes a policy of a missing bucket.
    for (const bucket of [artifactBucket, accessLogs]) bucket.policy?.node.addDependency(cleanup.resource);
    const alerts = new PipelineAlerts(this, 'Alerts', {
      pipelineName: config.name,
      pipeline: this.pipeline.pipeline,
      imageNames: config.images.map((i) => i.name),
      key,
      operations: config.operations,
      repository: source.repository,
      approvalActionNames: environments.filter((e) => e.approval).map((e) => approvalActionName(e.name)),
    });
    source.filterPushes(this.pipeline.pipeline, { pipelineName: config.name, deadLetterQueue: alerts.deadLetterQueue, key });
    new PipelineDashboard(this, 'Monitoring', {
      pipelineName: config.name,
      pipeline: this.pipeline.pipeline,
      imageNames: config.images.map((i) => i.name),
      fleetStackNames: config.images.filter((i) => i.fleet).map((i) => fleetStackName(config.name, i.name)),
      key,
    });
    if (config.operations.rebuildSchedule) {
      new RebuildSchedule(this, 'RebuildSchedule', { pipeline: this.pipeline.pipeline, expression: config.operations.rebuildSchedule, timeZone: config.operations.scheduleTimezone });
    }
    this.pipeline.pipeline.addVariable(
      new codepipeline.Variable({
        variableName: REBUILD_VARIABLE,
        defaultValue: 'false',
        description: 'Build fresh images even if nothing changed: true (all images) or image names separated by spaces or commas; scheduled: only images with upstream updates or too old',
      }),
    );
    acknowledgePipelineFindings(this.pipeline, buildApplication);
    scopePipelineRoleToTaggedActionRoles(this.pipeline, pipelineRole, config.name);
    if (promotion) {
      this.allowEnvironmentRoles(pipelineRole, promotion);
      hardenCrossRegionSupport(this.pipeline.pipeline, pipelineRole);
      const later = promotion.environments.flatMap((e) => [...e.fleets.values()].map((stage) => ({ account: e.config.account, roleName: stackDeployRoleName(stage.stack.stackName) })));
      const replication = Object.values(this.pipeline.pipeline.crossRegionSupport).flatMap((support) => [support.replicationBucket, ...support.stack.node.findAll().filter((c) => c instanceof kms.Key)]);
      nameRolesCreatedLaterByCondition([artifactBucket, key, ...replication], later);
    }
    // Last: every role, the stage stacks' included, has its policy by now.
    acknowledgeSingleRolePolicies(this);
  }

  /**
   * The Environments wave, before BuildImage (issue 18): each region's AMI key in the pipeline's account, which the
   * builds encrypt the promoted AMIs with, and each environment's EnvironmentStack in its account, holding (besides what
   * its fleets read) the deploy, execution and clean-up roles of its fleet stacks, which are made here with the
   * environment's fleet stages, before the stage is handed to CDK Pipelines.
   */
  private environmentsWave(config: GoldenAmiConfig, fleetImages: ReadonlyArray<ImageConfig & { fleet: FleetConfig }>, parameterPrep: ParameterPrepFunction): Promotion {
    const pipelineAccount = this.account;
    if (Token.isUnresolved(pipelineAccount)) throw new Error('Environments need the pipeline account at synth: set account in pipeline.yaml (the configuration loader asks for it)');
    const roleInPipelineAccount = (name: string) => `arn:${this.partition}:iam::${pipelineAccount}:role/${name}`;
    parameterPrep.allowPromotions(config.environments);
    const wave = this.pipeline.addWave('Environments');
    // The stacks of this wave are deployed with CDK's bootstrap deploy roles of their accounts and regions.
    const bootstrapDeployRoles: string[] = [];
    for (const share of environmentShares(config.environments)) {
      const keyStage = new AmiKeyStage(this, `AmiKey-${share.region}`, { pipelineName: config.name, pipelineAccount, region: share.region, environmentAccounts: share.accounts, onDestroy: config.operations.onDestroy.sharedAmis });
      bootstrapDeployRoles.push(bootstrapDeployRoleArn(keyStage.stack));
      wave.addStage(keyStage);
    }
    const environments: PromotedEnvironment[] = [];
    for (const environment of config.environments) {
      const envStage = new EnvironmentStage(this, `Environment-${environment.name}`, {
        pipelineName: config.name,
        environment,
        pipelineAccount,
        fleets: fleetImages.map((image) => ({ image, fleet: image.fleetIn[environment.name] })),
        parameterPrepRoleArn: roleInPipelineAccount(parameterPrepRoleName(config.name)),
        cleanupFunctionRoleArn: roleInPipelineAccount(cleanupFunctionRoleName(config.name)),
      });
      const envStack = envStage.stack;
      const pipelineRole = iam.Role.fromRoleArn(envStack, 'PipelineRole', roleInPipelineAccount(pipelineRoleName(config.name)), { mutable: false });
      const cleanup = iam.Role.fromRoleArn(envStack, 'CleanupFunctionRole', roleInPipelineAccount(cleanupFunctionRoleName(config.name)), { mutable: false });
      const fleets = new Map<string, FleetStage>();
      for (const image of fleetImages) {
        const fleet = image.fleetIn[environment.name];
        const stage = new FleetStage(this, `Fleet-${environment.name}-${image.name}`, { env: { account: environment.account, region: environment.region }, pipelineName: config.name, image: { ...image, fleet } });
        const executionRole = new StackExecutionRole(envStack, `ExecutionRole-${image.name}`, { roleName: stackExecutionRoleName(stage.stack.stackName), stackName: stage.stack.stackName }).role;
        const support = new StageStackSupport(envStack, `Support-${image.name}`, {
          pipelineName: config.name,
          stageStack: stage.stack,
          grants: (ctx) => fleetStackGrants(ctx, fleet, config.name),
          instanceManagedPolicies: FLEET_INSTANCE_MANAGED_POLICIES,
          vpcArn: `arn:${this.partition}:ec2:${environment.region}:${environment.account}:vpc/${environment.network.vpcId}`,
          boundaryArn: envStack.boundary.managedPolicyArn,
          pipelineRole,
          cleanupRole: cleanup,
          parameterPrepFunctionName: parameterPrepFunctionName(config.name),
          artifactsAccount: pipelineAccount,
        });
        support.node.addDependency(executionRole);
        fleets.set(image.name, stage);
      }
      bootstrapDeployRoles.push(bootstrapDeployRoleArn(envStack));
      wave.addStage(envStage);
      environments.push({ config: environment, fleets });
    }
    return { environments, bootstrapDeployRoles };
  }

  /**
   * One wave per environment after BuildImage, in order: an approval first where the environment asks for one, then
   * per image the promote step and the fleet's change set. CodePipeline runs the waves one after the other, so an
   * environment's fleets get a release only after every fleet of the environment before it passed its health gate with
   * it in the same execution (and the promote step checks that the environment before runs that version).
   */
  private promotionWaves(config: GoldenAmiConfig, promotion: Promotion, imageSupports: ReadonlyMap<string, StageStackSupport>, commitId: string): void {
    let previous: PromotedEnvironment | undefined;
    for (const environment of promotion.environments) {
      const env = environment.config;
      const wave = this.pipeline.addWave(`Deploy-${env.name}`);
      if (env.approval) {
        wave.addPre(new PromotionApprovalStep(approvalActionName(env.name), { environmentName: env.name, previousEnvironmentName: previous?.config.name, imageNames: config.images.map((i) => i.name), commitId }));
      }
      for (const [imageName, stage] of environment.fleets) {
        const support = imageSupports.get(imageName)!;
        const image = config.images.find((i) => i.name === imageName)!;
        const role = support.actionRole(`Promote${pascal(env.name)}ActionRole`, `CodePipeline ${config.name}: the Promote-${env.name}-${imageName} action`);
        wave.addStage(stage, { pre: [ParameterPrepStep.promote({ fn: support.parameterPrepFunction, pipelineName: config.name, image, commitId, role }, env, previous?.config)] });
      }
      previous = environment;
    }
  }

  /**
   * The pipeline's service role may assume exactly the roles of the environments' deployments: their fleet stacks'
   * deploy roles (by name) and the bootstrap deploy roles CDK Pipelines deploys the environment and key stacks with.
   */
  private allowEnvironmentRoles(pipelineRole: iam.Role, promotion: Promotion): void {
    const arns = promotion.environments.flatMap((e) => [...e.fleets.values()].map((stage) => `arn:${this.partition}:iam::${e.config.account}:role/${stackDeployRoleName(stage.stack.stackName)}`));
    pipelineRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'AssumeTheEnvironmentsFleetDeployRoles', actions: ['sts:AssumeRole'], resources: arns }));
    // The tag-scoped statement (pipeline-role-scope.ts) replaced CDK's own list, which named these too.
    pipelineRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'AssumeTheBootstrapDeployRolesOfTheEnvironmentsWave', actions: ['sts:AssumeRole'], resources: [...new Set(promotion.bootstrapDeployRoles)] }));
  }

  /**
   * Without an availability zone lookup in cdk.context.json, an environment-specific stack would ask AWS at synth
   * time; resolve the zones at deploy time instead, so synth never needs credentials.
   */
  public get availabilityZones(): string[] {
    return [0, 1, 2].map((i) => Fn.select(i, Fn.getAzs()));
  }

  /**
   * Pipeline artifacts: KMS-encrypted, TLS only, versioned, access-logged, expiring. Retained by CloudFormation: the
   * Cleanup resource empties and deletes both (log delivery can refill the log bucket after it was emptied, which
   * CloudFormation's own delete would not survive).
   */
  private artifactBucket(key: kms.IKey): { bucket: s3.Bucket; accessLogs: s3.Bucket } {
    const accessLogs = logBucket(this, 'ArtifactAccessLogs', "the artifact bucket's access logs (and the fleets' load balancer logs)");
    const bucket = new s3.Bucket(this, 'ArtifactBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      // Artifacts are only read by the execution that wrote them (and its retries).
      lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(7) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge(
      { id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', reason: 'Pipeline artifacts are transient build inputs that expire after 90 days; object lock would block that and teardown.' },
      { id: 'cdk-validator-cfnguard::s3_event_notifications_enabled_check', reason: 'CodePipeline reads and writes artifacts itself; no consumer needs object events.' },
      { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: 'Artifacts are rebuilt from the source repository by re-running the pipeline; a replica in another region would add cost and a second copy of build inputs without making anything recoverable.' },
    );
    return { bucket, accessLogs };
  }
}

/** An environment of the pipeline and the stages of its fleets, by image name. */
interface PromotedEnvironment {
  readonly config: EnvironmentConfig;
  readonly fleets: ReadonlyMap<string, FleetStage>;
}

/** What the Environments wave made, for the promotion waves after BuildImage. */
interface Promotion {
  readonly environments: readonly PromotedEnvironment[];
  /** The CDK bootstrap deploy roles the Environments wave's stacks are deployed with, by exact ARN. */
  readonly bootstrapDeployRoles: readonly string[];
}

/** The bootstrap deploy role CDK Pipelines deploys a stack with (its synthesizer's), as a concrete ARN. */
function bootstrapDeployRoleArn(stack: Stack): string {
  const synthesizer = stack.synthesizer as DefaultStackSynthesizer;
  return synthesizer.deployRoleArn.replace('${AWS::Partition}', stack.partition).replace('${AWS::AccountId}', stack.account).replace('${AWS::Region}', stack.region);
}

/** An environment name as part of a construct id: test-eu → TestEu. */
function pascal(name: string): string {
  return name.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}

/**
 * npm's download cache for a step that runs `npm ci`, kept in the artifact bucket under a key derived from the
 * lockfile: an unchanged lockfile restores the packages instead of downloading them, a changed one starts a new cache
 * (https://docs.aws.amazon.com/codebuild/latest/userguide/caching-s3.html, codebuild-hash-files).
 */
function npmCache(bucket: s3.IBucket, lockfile: string): Pick<pipelines.CodeBuildStepProps, 'cache' | 'partialBuildSpec'> {
  return {
    cache: codebuild.Cache.bucket(bucket, { prefix: 'codebuild-cache' }),
    partialBuildSpec: codebuild.BuildSpec.fromObject({
      cache: { key: `npm-$(codebuild-hash-files ${lockfile})`, paths: ['/root/.npm/**/*'] },
    }),
  };
}
