import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** One acknowledged cdk-nag or cfn-guard finding. */
export interface AcknowledgedFinding {
  /** Stack the construct is in. */
  readonly stack: string;
  /** Construct path within its stack. */
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Every acknowledgement recorded in the construct tree, in tree order. */
export function acknowledgedFindings(root: IConstruct): AcknowledgedFinding[] {
  const findings: AcknowledgedFinding[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      const stack = Stack.of(construct);
      const path = construct.node.path.slice(stack.node.path.length + 1) || '(stack)';
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        findings.push({ stack: stackLabel(stack), path, id: id.replace(/^(AwsSolutions|Annotation)::/, ''), reason });
      }
    }
  }
  return findings;
}

/** The findings as a Markdown document, grouped by stack and construct. */
export function acknowledgedFindingsMarkdown(root: IConstruct): string {
  const findings = acknowledgedFindings(root);
  const lines = [
    '# Acknowledged findings',
    '',
    'Generated from the synthesized shipped configuration by `npm run docs`; a test fails when this file is stale.',
    'Every cdk-nag (AWS Solutions, NIST 800-53 rev 5) and cfn-guard (Control Tower) finding that is not fixed is',
    'acknowledged next to its resource, by its full id, with the reason below. Anything not listed here fails synth.',
    '(`CloudFormation-Validate` entries are aws-cdk-lib\'s own, on its FlowLog construct.)',
    '',
    `${findings.length} acknowledgements.`,
  ];
  let current = '';
  for (const f of findings) {
    const heading = `${f.stack} — ${f.path}`;
    if (heading !== current) {
      lines.push('', `## ${heading}`, '');
      current = heading;
    }
    lines.push(`- \`${f.id}\`: ${f.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A stack's name; a nested stack's (whose own name CloudFormation makes up) as <parent>/<construct id>. */
function stackLabel(stack: Stack): string {
  return stack.nestedStackParent ? `${stackLabel(stack.nestedStackParent)}/${stack.node.id.replace(/\.NestedStack$/, '')}` : stack.stackName;
}
