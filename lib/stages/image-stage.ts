import { Stage, type StageProps } from 'aws-cdk-lib';
import { stageStackIdentity } from '../pipeline/stack-deploy-role';
import { Construct } from 'constructs';
import type { ImageConfig } from '../config/model';
import { imageStackName, stackDescription } from '../naming';
import type { RegionShare } from './environment-shares';
import { ImageStack } from './image-stack';

/** Props for ImageStage. */
export interface ImageStageProps extends StageProps {
  readonly pipelineName: string;
  readonly image: ImageConfig;
  /** Directory of the built application artifact. */
  readonly applicationArtifactDir: string;
  /** Where build and test instances run (see ImageStackProps). @default 'private' */
  readonly buildSubnets?: 'private' | 'public';
  /** See ImageStackProps. @default - no environments */
  readonly environmentShares?: readonly RegionShare[];
}

/** The deployable unit CDK Pipelines puts in the BuildImage wave: one image's Image Builder stack. */
export class ImageStage extends Stage {
  public readonly stack: ImageStack;

  constructor(scope: Construct, id: string, props: ImageStageProps) {
    super(scope, id, props);
    this.stack = new ImageStack(this, 'Image', {
      // Deployed with a role that may change this stack only.
      ...stageStackIdentity(imageStackName(props.pipelineName, props.image.name), stackDescription(props.pipelineName, `Image Builder resources of image ${props.image.name}`)),
      pipelineName: props.pipelineName,
      image: props.image,
      applicationArtifactDir: props.applicationArtifactDir,
      buildSubnets: props.buildSubnets,
      environmentShares: props.environmentShares,
    });
  }
}
