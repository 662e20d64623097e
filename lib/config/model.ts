/**
 * The configuration after validation, with every default applied.
 *
 * The files users edit are described by the JSON Schemas in pipeline-assets/schema/; these types are
 * what the constructs receive, so no construct ever has to think about a missing field.
 */

/** Where the pipeline's code comes from. */
export type SourceConfig =
  | {
      readonly provider: 'codecommit';
      /** Repository name. */
      readonly repository: string;
      readonly branch: string;
      /** true: the pipeline stack creates (and retains) the repository; false: it already exists. */
      readonly createRepository: boolean;
    }
  | {
      readonly provider: 'github';
      /** owner/repository. */
      readonly repository: string;
      readonly branch: string;
      readonly connectionArn: string;
    };

/** Network for build instances and fleets. */
export type NetworkConfig =
  | {
      readonly kind: 'create';
      readonly vpcCidr: string;
      readonly maxAzs: number;
      readonly natGateways: number;
    }
  | {
      readonly kind: 'existing';
      readonly vpcId: string;
      readonly subnetIds: readonly string[];
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

/** An Auto Scaling group that runs one image. */
export interface FleetConfig {
  readonly instanceType: string;
  /** The group's minimum as configured; an operator may lower it at run time (see npm run fleet). */
  readonly minSize: number;
  readonly maxSize: number;
  readonly rollingUpdate: RollingUpdateConfig;
  readonly healthCheck: HealthCheckConfig;
}

/** A component document from pipeline-assets/components/. */
export interface ComponentConfig {
  /** File name without .yaml. */
  readonly name: string;
  /** Absolute path of the document. */
  readonly path: string;
  /** The document's text, as Image Builder receives it. */
  readonly document: string;
  /** Names of the parameters the document declares (e.g. ApplicationArtifactS3Uri). */
  readonly parameterNames: readonly string[];
}

/** One golden image, from pipeline-assets/images/<name>.yaml. */
export interface ImageConfig {
  readonly name: string;
  /** The file the image was read from, for messages. */
  readonly file: string;
  readonly description: string;
  /** MAJOR.MINOR; PATCH is counted by the parameter-prep function. */
  readonly version: string;
  /** Managed image name with version wildcard, ssm:/ parameter, or AMI id. */
  readonly parentImage: string;
  readonly components: readonly ComponentConfig[];
  readonly buildInstanceTypes: readonly string[];
  readonly rootVolumeGiB: number;
  readonly tests: boolean;
  /** @default - no fleet: the image is built and released only. */
  readonly fleet?: FleetConfig;
}

/** The whole configuration of one pipeline. */
export interface GoldenAmiConfig {
  readonly name: string;
  /** @default - CDK_DEFAULT_ACCOUNT, else environment-agnostic */
  readonly account?: string;
  /** @default - CDK_DEFAULT_REGION, else environment-agnostic */
  readonly region?: string;
  readonly source: SourceConfig;
  readonly network: NetworkConfig;
  /** Sorted by name, so the pipeline's shape does not depend on directory order. */
  readonly images: readonly ImageConfig[];
}

/** Component parameter through which the pipeline hands the application artifact to a component. */
export const APPLICATION_ARTIFACT_PARAMETER = 'ApplicationArtifactS3Uri';
