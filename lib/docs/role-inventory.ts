import * as fs from 'fs';
import * as path from 'path';
import { type FoundStatement, identityStatements, resourceText } from '../iam/policy-statements';
import { roleName } from './pipeline-diagram';

type Template = {
  Resources: Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> }>;
  /** Set on a nested stack's template: the template and resource that create it (and pass its parameters). */
  NestedIn?: { readonly template: string; readonly resource: string };
};

/**
 * Every template in a cloud assembly directory (stage assemblies included), by stack name; a nested stack's as
 * `<parent stack>/<nested stack construct id>`, with NestedIn naming its parent.
 */
export function templatesIn(outdir: string): Record<string, Template> {
  const templates: Record<string, Template> = {};
  for (const manifestFile of fs.readdirSync(outdir, { recursive: true, encoding: 'utf8' }).filter((f) => path.basename(f) === 'manifest.json').sort()) {
    const dir = path.join(outdir, path.dirname(manifestFile));
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    for (const artifact of Object.values<{ type: string; properties?: { templateFile: string; stackName?: string }; displayName?: string }>(manifest.artifacts ?? {})) {
      if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties) continue;
      const name = artifact.properties.stackName ?? artifact.displayName!;
      const template: Template = JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf8'));
      templates[name] = template;
      for (const [id, resource] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::CloudFormation::Stack' && r.Metadata?.['aws:asset:path'])) {
        // The construct id from the path metadata the CLI writes; else from the logical id (<id>NestedStack<id>NestedStackResource<hash>).
        // The nested stack's own segment of the path: a stack of a stage nests its support stacks deeper (an environment's).
        const cdkPath = resource.Metadata!['aws:cdk:path'] ? String(resource.Metadata!['aws:cdk:path']).split('/') : undefined;
        const constructId = cdkPath ? (cdkPath.find((part) => part.endsWith('.NestedStack')) ?? cdkPath[1]).replace(/\.NestedStack$/, '') : id.replace(/NestedStack.*$/, '');
        templates[`${name}/${constructId}`] = { ...JSON.parse(fs.readFileSync(path.join(dir, resource.Metadata!['aws:asset:path']), 'utf8')), NestedIn: { template: name, resource: id } };
      }
    }
  }
  return templates;
}

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function principals(trust: { Statement?: Array<{ Principal?: Record<string, unknown> }> } | undefined): string {
  return list(trust?.Statement)
    .flatMap((s) => Object.entries(s.Principal ?? {}).flatMap(([kind, value]) => list(value).map((v) => (kind === 'Service' ? String(v) : `${kind === 'AWS' ? 'role ' : ''}${roleName(v)}`))))
    .join(', ');
}

function shortResource(resource: string): string {
  return resource.replace(/<\{"Ref":"AWS::(Partition|Region|AccountId)"\}>/g, (_, k) => `\${${k}}`).replace(/<\{"Ref":"([A-Za-z0-9]+?)[0-9A-F]{8}"\}>/g, '<$1>').replace(/<\{"Fn::GetAtt":\["([A-Za-z0-9]+?)[0-9A-F]{8}","Arn"\]\}>/g, '<$1.Arn>');
}

/** The permissions boundaries: what the most a role under each may do. */
function boundarySection(statements: FoundStatement[]): string[] {
  const holders = [...new Set(statements.filter((s) => s.inBoundary).map((s) => s.holder))];
  return holders.flatMap((holder) => [
    '',
    `## Permissions boundary ${holder.replace(/[0-9A-F]{8}$/, '')}`,
    '',
    'The ceiling of every role a stage stack creates: its execution role may create roles only with this boundary.',
    '',
    ...statements
      .filter((s) => s.holder === holder)
      .map((s) => `- ${s.actions.join(', ')} on ${s.resources.map(shortResource).join(', ')}${s.hasCondition ? ' (conditioned)' : ''}`),
  ]);
}

/** The roles of the app as a Markdown table: role, stack, who assumes it, what it may do. */
export function roleInventoryMarkdown(templates: Record<string, Template>): string {
  const statements = identityStatements(templates);
  const rows: string[] = [];
  for (const [file, template] of Object.entries(templates)) {
    for (const [id, resource] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role')) {
      const p = resource.Properties ?? {};
      const managed = list(p.ManagedPolicyArns).map((arn) => `managed: ${resourceText(arn).split('/').pop()}`);
      const boundary = p.PermissionsBoundary ? [`boundary: ${resourceText(p.PermissionsBoundary).split('/').pop()}`] : [];
      const roleName = p.RoleName ? resourceText(p.RoleName) : undefined;
      // Its own template's policies, and those a support stack attaches to it by name.
      const granted = statements
        .filter((s) => s.effect === 'Allow' && ((s.template === file && s.roles.includes(id)) || (roleName !== undefined && s.roles.includes(roleName))))
        .map((s) => `${s.actions.join(', ')} on ${s.resources.map(shortResource).join(', ')}${s.hasCondition ? ' (conditioned)' : ''}`);
      const name = roleName ?? id.replace(/[0-9A-F]{8}$/, '');
      rows.push(`| ${name} | ${file} | ${principals(p.AssumeRolePolicyDocument)} | ${[...boundary, ...managed, ...granted].join('<br>') || '—'} |`);
    }
  }
  return [
    '# Role inventory',
    '',
    'Generated from the synthesized shipped configuration by `npm run docs`; a test fails when this file is stale.',
    'Every IAM role the app deploys: where it is, who may assume it, and what it may do (managed policies and every',
    'statement of its own policies; `(conditioned)` marks statements limited by a condition; `boundary:` names the',
    'permissions boundary that caps it, listed at the end). Resource and key policies (artifact bucket, KMS key, SNS',
    'topic, log group) are not repeated here.',
    '',
    `${rows.length} roles.`,
    '',
    '| Role | Stack | Assumed by | May |',
    '| --- | --- | --- | --- |',
    ...rows,
    ...boundarySection(statements),
    '',
  ].join('\n');
}
