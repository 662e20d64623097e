import { RemovalPolicy } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import { CodeCommitTrigger } from 'aws-cdk-lib/aws-codepipeline-actions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { CodePipelineSource } from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import type { SourceConfig } from '../config/model';
import { PushFilter } from './push-filter';

/** What the push filter of a CodeCommit source needs once the pipeline exists. */
export interface PushStartProps {
  readonly pipelineName: string;
  /** Where a push goes when its run could not be started. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Key of the dead-letter queue and of the filter's logs. */
  readonly key: kms.IKey;
}

/** Props for PipelineSource. */
export interface PipelineSourceProps {
  readonly source: SourceConfig;
}

/**
 * The pipeline's source. A push to the configured branch starts the pipeline, unless it changes only files that
 * `source.ignorePaths` matches: GitHub through the connection's trigger with those patterns as file path excludes,
 * CodeCommit through the push filter function (CodePipeline filters connection sources only), or through CDK Pipelines'
 * own EventBridge rule when there is nothing to ignore. A repository this stack creates is retained when the stack is
 * deleted, because it holds the user's code, unless source.onDestroy is delete.
 */
export class PipelineSource extends Construct {
  public readonly input: CodePipelineSource;
  /** The CodeCommit repository, when the source is CodeCommit. */
  public readonly repository?: codecommit.IRepository;

  private readonly source: SourceConfig;

  constructor(scope: Construct, id: string, props: PipelineSourceProps) {
    super(scope, id);
    const { source } = props;
    this.source = source;
    if (source.provider === 'github') {
      this.input = CodePipelineSource.connection(source.repository, source.branch, {
        connectionArn: source.connectionArn,
        // With file path filters the trigger starts the runs, and the action detects no changes itself ("filter on
        // code push: Detect changes false", https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-triggers.html).
        triggerOnPush: source.ignorePaths.length === 0,
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
    // With patterns to ignore, the push filter starts the runs instead of CDK Pipelines' rule.
    this.input = CodePipelineSource.codeCommit(this.repository, source.branch, { trigger: source.ignorePaths.length > 0 ? CodeCommitTrigger.NONE : CodeCommitTrigger.EVENTS });
  }

  /**
   * After the pipeline is built: filters what starts it. The source action is the first stage's only action (CDK
   * Pipelines' Source stage).
   */
  public filterPushes(pipeline: codepipeline.Pipeline, props: PushStartProps): void {
    if (this.source.ignorePaths.length === 0) return;
    const sourceAction = pipeline.stages[0].actions[0];
    if (this.source.provider === 'github') {
      // Trigger filters: https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-filter.html (file paths
      // need a branch filter beside them).
      pipeline.addTrigger({
        providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
        gitConfiguration: { sourceAction, pushFilter: [{ branchesIncludes: [this.source.branch], filePathsExcludes: [...this.source.ignorePaths] }] },
      });
      return;
    }
    new PushFilter(this, 'PushFilter', {
      pipelineName: props.pipelineName,
      pipeline,
      sourceActionName: sourceAction.actionProperties.actionName,
      repository: this.repository!,
      branch: this.source.branch,
      ignorePaths: this.source.ignorePaths,
      deadLetterQueue: props.deadLetterQueue,
      key: props.key,
    });
  }
}
