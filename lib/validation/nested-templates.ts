import * as fs from 'fs';
import * as path from 'path';
import { type IPolicyValidationContext, NestedStack, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

type StackTemplate = IPolicyValidationContext['stackTemplates'][number];

/**
 * The templates of the app's nested stacks, as entries like CDK's own `stackTemplates`. CDK hands validation plugins
 * the templates of the cloud assembly's stack artifacts only, and a nested stack is an asset of its parent, not an
 * artifact: without this, cfn-guard and the CloudFormation validator would never see the support stacks' roles,
 * policies and parameters. Each nested template is written beside its top-level stack's template, under the file
 * name the construct tree indexes it by (`NestedStack.templateFile`), so CDK maps a finding in it back to its
 * construct, and an acknowledgement next to that construct applies as anywhere else. A nested stack inherits its
 * top-level stack's account and region.
 */
export function nestedStackTemplates(context: Pick<IPolicyValidationContext, 'appConstruct' | 'stackTemplates'>): StackTemplate[] {
  const byFile = new Map(context.stackTemplates.map((t) => [path.basename(t.templatePath), t]));
  const found: StackTemplate[] = [];
  for (const construct of allConstructs(context.appConstruct)) {
    if (!NestedStack.isNestedStack(construct)) continue;
    const top = topLevelStack(construct);
    const parent = byFile.get(top.templateFile);
    // A nested stack of a stack that is not being validated (none here) has nothing to be checked against.
    if (!parent) continue;
    const templatePath = path.join(path.dirname(parent.templatePath), construct.templateFile);
    if (!fs.existsSync(templatePath)) {
      throw new Error(`the template of nested stack ${construct.node.path} was not written where its parent's is (${templatePath}); it cannot be validated`);
    }
    found.push({ stackConstructPath: construct.node.path, templatePath, accountId: parent.accountId, region: parent.region });
  }
  return found;
}

function topLevelStack(stack: Stack): Stack {
  let current = stack;
  while (current.nestedStackParent) current = current.nestedStackParent;
  return current;
}

function* allConstructs(root: IConstruct): Generator<IConstruct> {
  yield root;
  for (const child of root.node.children) yield* allConstructs(child);
}

/**
 * One nested template of each shape, for cfn-guard. Guard's cost grows with the resources it evaluates (its IAM rules
 * on policy documents most of all): at 50 images the support stacks alone cost it about 37 s, against 26 s for the
 * whole rest of the synth. The support stacks of a kind are written by the same code and differ only in the names of
 * their stack, roles and parameters, so guard gets one of each shape — the same logical ids with the same types — in
 * construct order; a configuration that adds a resource (a load balancer's policy, say) makes a shape of its own.
 * The CloudFormation validator, which costs little per template, still reads them all.
 */
export function oneOfEachShape(templates: readonly StackTemplate[]): StackTemplate[] {
  const seen = new Set<string>();
  return templates.filter((t) => {
    const resources = (JSON.parse(fs.readFileSync(t.templatePath, 'utf8')) as { Resources?: Record<string, { Type?: string }> }).Resources ?? {};
    const shape = Object.entries(resources)
      .map(([id, r]) => `${id}:${r.Type}`)
      .sort()
      .join(',');
    if (seen.has(shape)) return false;
    seen.add(shape);
    return true;
  });
}
