import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as pipelines from 'aws-cdk-lib/pipelines';
import { arnIn } from '../iam/execution-grants';

type Statement = { Action: string | string[]; Resource: unknown; [key: string]: unknown };

/**
 * CDK Pipelines creates the asset publishing role before the asset projects that use it, so it grants the role
 * CodeBuild actions on every project and logs and report groups of every project. Once the pipeline is built the
 * projects exist; this rewrites those three statements to name them. Call after `buildPipeline()`.
 * @returns the asset role and the projects it is now limited to; undefined when no stage stack has a file asset (no
 *   image uses the application artifact), so CDK Pipelines made no Assets stage
 */
export function scopeAssetRoleToItsProjects(pipeline: pipelines.CodePipeline): { role: iam.Role; projects: codebuild.Project[] } | undefined {
  const assets = pipeline.node.tryFindChild('Assets');
  if (!assets) return undefined;
  const role = assets.node.findChild('FileRole') as iam.Role;
  const projects = assets.node.children.filter((c): c is codebuild.Project => c instanceof codebuild.Project);
  if (projects.length === 0) throw new Error('scopeAssetRoleToItsProjects: no asset project found; call it after buildPipeline()');
  const stack = Stack.of(role);
  const logGroups = projects.flatMap((p) => [arnIn(role, 'logs', `log-group:/aws/codebuild/${p.projectName}`), arnIn(role, 'logs', `log-group:/aws/codebuild/${p.projectName}:*`)]);
  const reportGroups = projects.map((p) => arnIn(role, 'codebuild', `report-group/${p.projectName}-*`));

  const policy = role.node.findChild('DefaultPolicy') as iam.Policy;
  const document = stack.resolve(policy.document) as { Statement: Statement[] };
  const rewritten = new Set<string>();
  const statements = document.Statement.map((s) => {
    const actions = ([] as string[]).concat(s.Action);
    const resource = JSON.stringify(s.Resource);
    if (actions.includes('codebuild:StartBuild') && s.Resource === '*') return rewrite(s, 'projects', projects.map((p) => p.projectArn));
    if (actions.includes('logs:CreateLogGroup') && resource.includes(':log-group:/aws/codebuild/*')) return rewrite(s, 'logs', logGroups);
    if (actions.includes('codebuild:CreateReport') && resource.includes(':report-group/*')) return rewrite(s, 'reports', reportGroups);
    return s;
  });
  function rewrite(s: Statement, what: string, resources: string[]): Statement {
    rewritten.add(what);
    return { ...s, Resource: stack.resolve(resources) };
  }
  // Fail loudly if CDK Pipelines changes what it grants, rather than silently keep a wildcard.
  if (rewritten.size !== 3) throw new Error(`scopeAssetRoleToItsProjects: expected CDK Pipelines' three wildcard statements on ${role.node.path}, found ${[...rewritten].join(', ') || 'none'}`);
  // Replaced on the L1 itself (not as a raw override) so that the policy checks see what is deployed.
  (policy.node.defaultChild as iam.CfnPolicy).policyDocument = { ...document, Statement: statements };
  return { role, projects };
}
