/**
 * The architecture diagram, drawn from the synthesized pipeline template itself (so it cannot drift from what
 * deploys): stages, their actions in run order, the stack each change-set action deploys, and the role each action
 * runs as. Rendered to SVG by Graphviz compiled to WebAssembly (@viz-js/viz), so no system package is needed.
 */

interface TemplateAction {
  readonly Name: unknown;
  readonly RunOrder: number;
  readonly ActionTypeId: { readonly Category: string; readonly Provider: string };
  readonly RoleArn?: unknown;
  /** Set when the action runs in another region than the pipeline (an environment elsewhere). */
  readonly Region?: string;
  readonly Configuration: Record<string, unknown>;
}

interface TemplateStage {
  readonly Name: string;
  readonly Actions: readonly TemplateAction[];
}

const COLORS: Record<string, string> = {
  CodeCommit: '#d5e8d4',
  CodeStarSourceConnection: '#d5e8d4',
  CodeBuild: '#dae8fc',
  Lambda: '#ffe6cc',
  CloudFormation: '#e1d5e7',
  Manual: '#f8cecc',
};

/** Graphviz source of the pipeline in `template` (a synthesized pipeline stack template). */
export function pipelineDot(template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> }): string {
  const pipelines = Object.values(template.Resources).filter((r) => r.Type === 'AWS::CodePipeline::Pipeline');
  if (pipelines.length !== 1) throw new Error(`expected one pipeline in the template, found ${pipelines.length}`);
  const stages = pipelines[0].Properties.Stages as TemplateStage[];
  const lines = [
    'digraph pipeline {',
    '  rankdir=TB; newrank=true; nodesep=0.3; ranksep=0.35;',
    '  graph [fontname="Helvetica", fontsize=12, labeljust=l];',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=9, margin="0.2,0.08"];',
    '  edge [color="#666666", arrowsize=0.6];',
  ];
  const ids = new Map<TemplateAction, string>();
  stages.forEach((stage, s) => {
    lines.push(`  subgraph cluster_${s} {`, `    label=${quote(`${s + 1}. ${stage.Name}`)}; style="rounded"; color="#999999";`);
    stage.Actions.forEach((action, a) => {
      const id = `s${s}a${a}`;
      ids.set(action, id);
      const label = [shortName(action), describe(action), `role: ${roleName(action.RoleArn)}`].filter(Boolean).join('\n');
      lines.push(`    ${id} [label=${quote(label)}, fillcolor=${quote(COLORS[action.ActionTypeId.Provider] ?? '#f5f5f5')}];`);
    });
    lines.push('  }');
  });
  stages.forEach((stage, s) => {
    // Within a stage: each action leads to the next run order of the same deployment (prefix before the first dot).
    for (const action of stage.Actions) {
      for (const next of stage.Actions.filter((b) => b.RunOrder === action.RunOrder + 1 && prefixOf(b) === prefixOf(action))) {
        lines.push(`  ${ids.get(action)} -> ${ids.get(next)};`);
      }
    }
    // Between stages: the last actions of one stage lead to the first actions of the next.
    const following = stages[s + 1];
    if (!following) return;
    const lastOrder = Math.max(...stage.Actions.map((a) => a.RunOrder));
    const firstOrder = Math.min(...following.Actions.map((a) => a.RunOrder));
    for (const from of stage.Actions.filter((a) => a.RunOrder === lastOrder)) {
      for (const to of following.Actions.filter((a) => a.RunOrder === firstOrder)) lines.push(`  ${ids.get(from)} -> ${ids.get(to)};`);
    }
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Renders Graphviz source to SVG. */
export async function renderSvg(dot: string): Promise<string> {
  const { instance } = await import('@viz-js/viz');
  return (await instance()).renderString(dot, { format: 'svg' });
}

function actionName(action: TemplateAction): string {
  return typeof action.Name === 'string' ? action.Name : action.ActionTypeId.Category;
}

/** The action name without the deployment prefix CDK Pipelines adds inside a wave ("Image-app-linux."). */
function shortName(action: TemplateAction): string {
  const name = actionName(action);
  return name.includes('.') ? name.slice(name.indexOf('.') + 1) : name;
}

function prefixOf(action: TemplateAction): string {
  const name = actionName(action);
  return name.includes('.') ? name.split('.')[0] : '';
}

function describe(action: TemplateAction): string {
  const c = action.Configuration;
  switch (action.ActionTypeId.Provider) {
    case 'CloudFormation': {
      // An environment's stacks: the account (from the role the action runs as) and the region, when not the pipeline's.
      const account = /:iam::(\d{12}):role\//.exec(JSON.stringify(action.RoleArn ?? ''))?.[1];
      const where = [account && `account ${account}`, action.Region].filter(Boolean).join(', ');
      return `${c.ActionMode === 'CHANGE_SET_EXECUTE' ? 'execute' : 'create'} change set\nstack ${String(c.StackName)}${where ? `\n(${where})` : ''}`;
    }
    case 'Manual':
      return 'manual approval';
    case 'Lambda': {
      // A string, or an Fn::Join when a value in it is a token (the partition of an environment's role).
      const text = typeof c.UserParameters === 'string' ? c.UserParameters : JSON.stringify(c.UserParameters ?? '');
      const mode = /\\?"mode\\?":\\?"(\w+)/.exec(text)?.[1];
      return `parameter-prep${mode ? ` (${mode})` : ''}`;
    }
    case 'CodeStarSourceConnection':
      return `GitHub ${String(c.FullRepositoryId)}@${String(c.BranchName)}`;
    case 'CodeCommit':
      return `CodeCommit @${String(c.BranchName)}`;
    default:
      return action.ActionTypeId.Provider;
  }
}

/** A readable role name: the logical id without CDK's hash suffix, or the role name of an ARN built by name. */
export function roleName(roleArn: unknown): string {
  if (roleArn === undefined) return 'pipeline role';
  const getAtt = (roleArn as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  // CDK's logical ids spell the construct path; drop the hash and the parts every action role shares.
  // A role of a support nested stack reaches the pipeline stack as that stack's output: name it by the output.
  if (getAtt?.[1].startsWith('Outputs.')) return getAtt[1].slice('Outputs.'.length).replace(/Arn$/, '').replace(/[0-9A-F]{8}$/, '').replace(/^[a-z0-9]+/, '');
  if (getAtt) return getAtt[0].replace(/[0-9A-F]{8}$/, '').replace(/^Pipeline(?!Role$)/, '').replace(/CodePipelineActionRole$/, 'ActionRole');
  // In a nested stack, a role of its parent arrives as a parameter: referenceto<parent stack><LogicalId><hash>Arn.
  const ref = (roleArn as { Ref?: string }).Ref;
  if (ref?.startsWith('referenceto')) return ref.slice('referenceto'.length).replace(/^[a-z0-9]+/, '').replace(/[0-9A-F]{8}(Arn|Ref)$/, '');
  const joined = (roleArn as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  const last = joined?.[1][joined[1].length - 1];
  if (typeof last === 'string' && last.includes(':role/')) return last.split(':role/')[1];
  return JSON.stringify(roleArn);
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
