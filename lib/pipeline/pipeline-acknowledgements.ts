import { Stack, Validations } from 'aws-cdk-lib';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type { IConstruct } from 'constructs';
import type * as pipelines from 'aws-cdk-lib/pipelines';
import { NagNames } from '../validation/nag-names';
import { scopeAssetRoleToItsProjects } from './asset-role-scope';

/**
 * cdk-nag findings on the roles CDK Pipelines generates, acknowledged one by one on each role with the reason that
 * holds for it. These wildcards come from CDK's own grants (bucket/key grants, CodeBuild project logging); what each
 * role may reach is bounded by the resource (this pipeline's bucket, key, projects) named in the same statement.
 */
export function acknowledgePipelineFindings(pipeline: pipelines.CodePipeline, buildApplication: pipelines.CodeBuildStep): void {
  const stack = Stack.of(pipeline);
  const names = NagNames.of(stack);
  const codePipeline = pipeline.pipeline;
  const bucket = `<${names.logicalId(codePipeline.artifactBucket.node.defaultChild)}.Arn>/*`;

  const artifactAccess = [
    ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map((action) => ({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: `CDK's read/write grant on the pipeline artifact bucket only: artifacts are written under keys generated per execution.`,
    })),
    { id: `AwsSolutions-IAM5[Resource::${bucket}]`, reason: 'Objects of the pipeline artifact bucket only; their keys are generated per execution.' },
    ...['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((action) => ({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: 'On the pipeline key only, to write and read artifacts encrypted with it.',
    })),
  ];
  const artifactReadOnly = artifactAccess.filter((a) => !/Abort|DeleteObject/.test(a.id));
  const projectLogs = (project: codebuild.IProject) => {
    const ref = `<${names.logicalId(project.node.defaultChild)}>`;
    return [
      { id: `AwsSolutions-IAM5[Resource::${names.arn('logs', `log-group:/aws/codebuild/${ref}:*`)}]`, reason: 'Log streams of this CodeBuild project only; stream names are generated per build.' },
      { id: `AwsSolutions-IAM5[Resource::${names.arn('codebuild', `report-group/${ref}-*`)}]`, reason: 'Test report groups of this CodeBuild project only; CodeBuild names them after the project.' },
    ];
  };

  acknowledge(codePipeline.role, artifactAccess);
  for (const stage of codePipeline.stages) {
    const stageScope = codePipeline.node.findChild(stage.stageName);
    // CodePipeline creates each action's own role under <stage>/<action>/CodePipelineActionRole.
    const roles = stageScope.node.children.flatMap((action) => action.node.tryFindChild('CodePipelineActionRole') ?? []);
    if (stage.stageName === 'Source') roles.forEach((role) => acknowledge(role, artifactAccess));
  }
  for (const project of [pipeline.synthProject, buildApplication.project]) {
    acknowledge(project.role!, [...artifactAccess, ...projectLogs(project)]);
  }
  acknowledge(pipeline.selfMutationProject.role!, [
    ...artifactReadOnly,
    ...projectLogs(pipeline.selfMutationProject),
    { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'cloudformation:DescribeStacks and s3:ListBucket: cdk deploy reads the bootstrap stack and asset bucket, whose names it learns at run time.' },
    { id: `AwsSolutions-IAM5[Resource::arn:*:iam::${names.account}:role/*]`, reason: 'sts:AssumeRole is limited by condition to roles tagged aws-cdk:bootstrap-role (deploy, file- and image-publishing) in this account.' },
  ]);
  // The asset role's grants are narrowed to its projects first (asset-role-scope.ts).
  const assets = scopeAssetRoleToItsProjects(pipeline);
  if (assets) acknowledge(assets.role, [...artifactReadOnly, ...assets.projects.flatMap(projectLogs)]);
}

function acknowledge(scope: IConstruct, findings: ReadonlyArray<{ id: string; reason: string }>): void {
  Validations.of(scope).acknowledge(...findings);
}

