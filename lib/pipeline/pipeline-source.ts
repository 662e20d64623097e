import { RemovalPolicy } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import { CodePipelineSource } from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import type { SourceConfig } from '../config/model';

/** Props for PipelineSource. */
export interface PipelineSourceProps {
  readonly source: SourceConfig;
}

/**
 * The pipeline's source. A push to the configured branch starts the pipeline: CodeCommit through an EventBridge rule,
 * GitHub through the CodeStar connection's webhook. A repository this stack creates is retained when the stack is
 * deleted, because it holds the user's code, unless source.onDestroy is delete.
 */
export class PipelineSource extends Construct {
  public readonly input: CodePipelineSource;
  /** The CodeCommit repository, when the source is CodeCommit. */
  public readonly repository?: codecommit.IRepository;

  constructor(scope: Construct, id: string, props: PipelineSourceProps) {
    super(scope, id);
    const { source } = props;
    if (source.provider === 'github') {
      this.input = CodePipelineSource.connection(source.repository, source.branch, {
        connectionArn: source.connectionArn,
        triggerOnPush: true,
        codeBuildCloneOutput: false,
      });
      return;
    }
    if (source.createRepository) {
      const repository = new codecommit.Repository(this, 'Repository', {
        repositoryName: source.repository,
        description: 'Golden AMI pipeline: image definitions, components and the application they bake in',
      });
      // Kept unless the configuration asks otherwise: it holds the user's code.
      repository.applyRemovalPolicy(source.onDestroy === 'delete' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN);
      this.repository = repository;
    } else {
      this.repository = codecommit.Repository.fromRepositoryName(this, 'Repository', source.repository);
    }
    this.input = CodePipelineSource.codeCommit(this.repository, source.branch);
  }
}
