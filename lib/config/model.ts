/**
 * The configuration after validation, with every default applied.
 *
 * The files users edit are described by the JSON Schemas in pipeline-assets/schema/; these types are
 * what the constructs receive, so no construct ever has to think about a missing field.
 */

import type { ScanPolicy } from '../../lambda/parameter-prep/scan-policy';

/**
 * Files whose changes alone start no run: glob patterns from the repository root, in CodePipeline's trigger syntax
 * (lambda/push-filter/ignored-paths.ts). Empty: every push starts a run.
 * @default ['*.md', 'docs/**']
 */
export type IgnorePaths = readonly string[];

/** Where the pipeline's code comes from. */
export type SourceConfig =
  | {
      readonly provider: 'codecommit';
      /** Repository name. */
      readonly repository: string;
      readonly branch: string;
      /** true: the pipeline stack creates the repository; false: it already exists. */
      readonly createRepository: boolean;
      /** What deleting the pipeline stack does with a repository it created: keep (it holds the user's code) or delete. */
      readonly onDestroy: 'keep' | 'delete';
      readonly ignorePaths: IgnorePaths;
    }
  | {
      readonly provider: 'github';
      /** owner/repository. */
      readonly repository: string;
      readonly branch: string;
      readonly connectionArn: string;
      readonly ignorePaths: IgnorePaths;
    };

/** When a created VPC's NAT gateways exist: see NetworkConfig. */
export type EgressMode = 'on-demand' | 'always';

/** Network for build instances and fleets. */
export type NetworkConfig =
  | {
      readonly kind: 'create';
      readonly vpcCidr: string;
      readonly maxAzs: number;
      readonly natGateways: number;
      /**
       * When the NAT gateways exist. `on-demand`: only while a fleet has instances (the pipeline's Egress stack creates
       * them from each fleet's desired capacity; build instances use the public subnets instead, with a public address
       * and no inbound rule). `always`: in the VPC at all times, builds in the private subnets.
       * @default 'on-demand'
       */
      readonly egress: EgressMode;
    }
  | {
      readonly kind: 'existing';
      readonly vpcId: string;
      readonly subnetIds: readonly string[];
      /** Public subnets of vpcId, for internet-facing load balancers. @default - none: no internet-facing load balancer */
      readonly publicSubnetIds: readonly string[];
    };

/** How a new image is rolled onto a fleet. */
export interface RollingUpdateConfig {
  readonly maxBatchSize: number;
  readonly minInstancesInService: number;
  /** ISO 8601 duration, at most PT1H: how long CloudFormation waits for each batch to signal healthy. */
  readonly pauseTime: string;
}

/** How a new instance proves it is healthy: an HTTP answer on the instance itself. */
export interface HealthCheckConfig {
  readonly path: string;
  readonly port: number;
  /** From boot to a healthy answer; less than the rollout's pause time. */
  readonly timeoutSeconds: number;
}

/** Who may connect: any mix of IPv4 CIDR ranges, managed prefix lists and security groups. */
export interface TrafficSources {
  readonly cidrs: readonly string[];
  readonly prefixListIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

/** An Application Load Balancer in front of a fleet. */
export interface LoadBalancerConfig {
  /** internet-facing (in the public subnets) or internal (in the private subnets); never a default. */
  readonly scheme: 'internet-facing' | 'internal';
  /**
   * ACM certificate of an HTTPS listener on 443; HTTP on 80 then only redirects to it.
   * @default - HTTP on 80 (internal load balancers only)
   */
  readonly certificateArn?: string;
  /** Who may reach the listeners. Default: anywhere (internet-facing), the pipeline VPC's CIDR (internal). */
  readonly allowFrom: TrafficSources;
}

/** Direct access to the fleet's instances (a fleet without a load balancer). */
export interface IngressConfig {
  /** Port opened on the instances. Default: the health check's port. */
  readonly port: number;
  readonly from: TrafficSources;
}

/** An Auto Scaling group that runs one image. */
export interface FleetConfig {
  readonly instanceType: string;
  /** The group's minimum as configured; an operator may lower it at run time (see npm run fleet). */
  readonly minSize: number;
  readonly maxSize: number;
  readonly rollingUpdate: RollingUpdateConfig;
  readonly healthCheck: HealthCheckConfig;
  /**
   * A load balancer in front of the group; a rollout then also waits for the target group to see each new instance
   * healthy.
   * @default - no load balancer
   */
  readonly loadBalancer?: LoadBalancerConfig;
  /**
   * Sources allowed to the instances' port (fleets without a load balancer).
   * @default - no inbound traffic (Session Manager needs none)
   */
  readonly ingress?: IngressConfig;
}

export type Platform = 'linux' | 'windows';

/** A component document from pipeline-assets/components/. */
export interface ComponentConfig {
  readonly kind: 'document';
  /** File name without .yaml. */
  readonly name: string;
  /** Absolute path of the document. */
  readonly path: string;
  /** The document's text, as Image Builder receives it. */
  readonly document: string;
  /** Names of the parameters the document declares (e.g. ApplicationArtifactS3Uri). */
  readonly parameterNames: readonly string[];
  /** Platforms its steps run on, from their actions (ExecuteBash: linux, ExecutePowerShell: windows); empty: any. */
  readonly platforms: readonly Platform[];
}

/** An AWS-managed Image Builder component, e.g. aws/update-linux/x.x.x. */
export interface ManagedComponentConfig {
  readonly kind: 'managed';
  /** Component name, e.g. update-linux. */
  readonly name: string;
  /** Version or wildcard, e.g. x.x.x. */
  readonly version: string;
}

/** Where the AMI goes and who may launch it. */
export interface DistributionConfig {
  /** Regions the AMI is copied to besides the build region. */
  readonly regions: readonly string[];
  readonly accounts: readonly string[];
  readonly organizationArns: readonly string[];
  readonly organizationalUnitArns: readonly string[];
  /** @default - <pipeline>-<image>-{{ imagebuilder:buildDate }} */
  readonly amiName?: string;
  readonly amiTags: Readonly<Record<string, string>>;
  /** @default - no SSM parameter is written by Image Builder */
  readonly ssmParameter?: string;
}

/**
 * The vulnerability scan of each build (Amazon Inspector, through Image Builder's test-instance scan) and the release
 * gate on its findings: the policy the release step applies (lambda/parameter-prep/scan-policy.ts).
 */
export type ScanningConfig = ScanPolicy;

/** One golden image, from pipeline-assets/images/<name>.yaml. */
export interface ImageConfig {
  readonly name: string;
  /** The file the image was read from, for messages. */
  readonly file: string;
  readonly description: string;
  /** MAJOR.MINOR; PATCH is counted by the parameter-prep function. */
  readonly version: string;
  readonly platform: Platform;
  /** Managed image name with version wildcard, ssm:/ parameter, or AMI id. */
  readonly parentImage: string;
  readonly components: ReadonlyArray<ComponentConfig | ManagedComponentConfig>;
  readonly buildInstanceTypes: readonly string[];
  readonly rootVolumeGiB: number;
  /** Root device of the parent image (/dev/xvda on Amazon Linux, /dev/sda1 on Windows). */
  readonly rootDeviceName: string;
  readonly tests: boolean;
  readonly testTimeoutMinutes: number;
  /** @default - scanned, a CRITICAL finding blocks the release, nothing ignored */
  readonly scanning: ScanningConfig;
  readonly distribution: DistributionConfig;
  /** @default - no fleet: the image is built and released only. */
  readonly fleet?: FleetConfig;
  /**
   * The fleet in each environment, by environment name: `fleet` with the image file's `fleet.environments.<name>`
   * settings over it. Set for every environment when the image has a fleet and environments are configured.
   * @default {} (no environments, or no fleet)
   */
  readonly fleetIn: Readonly<Record<string, FleetConfig>>;
}

/** What a scheduled run rebuilds besides images with upstream updates. */
export interface RebuildConfig {
  /** ISO 8601 duration as configured (e.g. P30D): a scheduled run rebuilds an image whose last build is older. */
  readonly maxAge: string;
  /** The same, in seconds. */
  readonly maxAgeSeconds: number;
}

/** Running the pipeline: scheduled rebuilds and alerts. */
export interface OperationsConfig {
  /**
   * EventBridge Scheduler expression that starts the pipeline with rebuild=scheduled: images with upstream updates, or
   * whose last build is older than `rebuild.maxAge`, are rebuilt. @default - weekly, Sundays 03:00
   */
  readonly rebuildSchedule?: string;
  readonly rebuild: RebuildConfig;
  readonly scheduleTimezone: string;
  readonly alertEmails: readonly string[];
  /** @default - no Slack channel */
  readonly slack?: { readonly workspaceId: string; readonly channelId: string };
  /** Newest AMIs per image kept; up to deleteBeyond deprecated; older deleted. Current and previous release always kept. */
  readonly amiRetention: { readonly keep: number; readonly deleteBeyond: number };
  /** What deleting the pipeline stack does with AMIs other accounts may launch: keep them (and their snapshots) or delete them. */
  readonly onDestroy: { readonly sharedAmis: 'keep' | 'delete' };
}

/**
 * The network of an environment's fleets: a VPC that already exists in the environment's account and region (landing
 * zones provide them; the pipeline creates networks only in its own account).
 */
export interface EnvironmentNetworkConfig {
  readonly vpcId: string;
  /** Private subnets of vpcId, for the fleets' instances and internal load balancers. */
  readonly subnetIds: readonly string[];
  /** Public subnets of vpcId, for internet-facing load balancers. @default - none: no internet-facing load balancer */
  readonly publicSubnetIds: readonly string[];
}

/**
 * A place a new image is promoted to, in order: its fleets get an AMI only after it passed the health gate of every
 * fleet in the environment before it. Each environment has an account of its own (not the pipeline's, not another
 * environment's): its stacks, roles and parameters use the pipeline's names there.
 */
export interface EnvironmentConfig {
  /** Lower-case name, e.g. test, production: part of wave, action and stack names. */
  readonly name: string;
  /** 12-digit account id, bootstrapped to trust the pipeline's account (README, "Environments"). */
  readonly account: string;
  readonly region: string;
  /** A person approves in the pipeline before the environment receives a new image. @default false */
  readonly approval: boolean;
  readonly network: EnvironmentNetworkConfig;
}

/** The whole configuration of one pipeline. */
export interface GoldenAmiConfig {
  readonly name: string;
  /** @default - CDK_DEFAULT_ACCOUNT (the CDK CLI sets it from your credentials), else account-agnostic */
  readonly account?: string;
  /** @default - CDK_DEFAULT_REGION, which the CDK CLI always sets (us-east-1 when nothing else is configured) */
  readonly region?: string;
  readonly source: SourceConfig;
  readonly network: NetworkConfig;
  readonly operations: OperationsConfig;
  /** Sorted by name, so the pipeline's shape does not depend on directory order. */
  readonly images: readonly ImageConfig[];
  /**
   * Where fleets run, in promotion order. Empty: each fleet runs in the pipeline's own account and region and gets a
   * new image as soon as its lane released it. Otherwise every image with a fleet has one in each environment (with
   * that environment's settings, `fleetIn`) and none in the pipeline's account.
   * @default []
   */
  readonly environments: readonly EnvironmentConfig[];
}

/** Component parameter through which the pipeline hands the application artifact to a component. */
export const APPLICATION_ARTIFACT_PARAMETER = 'ApplicationArtifactS3Uri';
