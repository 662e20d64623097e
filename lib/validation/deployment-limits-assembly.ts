import * as fs from 'fs';
import * as path from 'path';
import type { CfnTemplate, SynthesizedTemplate } from './deployment-limits';

/** The part of a stack artifact of a cloud assembly the reader needs (aws-cdk-lib/cx-api CloudFormationStackArtifact). */
export interface StackArtifactLike {
  readonly stackName: string;
  readonly templateFullPath: string;
  /** Where the stack deploys; its account scopes the IAM names it creates. @default - unknown */
  readonly environment?: { readonly account: string };
}

/** The part of a cloud assembly the reader needs: what `app.synth()` returns (aws-cdk-lib/cx-api CloudAssembly). */
export interface CloudAssemblyLike {
  /** The assembly's directory (cdk.out); message file names are relative to it. */
  readonly directory: string;
  /** Every stack, those of stages (nested assemblies) included. */
  readonly stacksRecursively: readonly StackArtifactLike[];
}

/** Suffix CDK gives the template file of a nested stack (`NestedStack`), written beside its parent's template. */
const NESTED_TEMPLATE_SUFFIX = '.nested.template.json';

/**
 * Every template of a synthesized app as the limit checks take it: each stack's template, those of stages included,
 * and every nested stack's template, with its size as written to disk.
 */
export function templatesOfAssembly(assembly: CloudAssemblyLike): SynthesizedTemplate[] {
  const stacks = assembly.stacksRecursively.map((stack) => readTemplate(assembly.directory, stack.templateFullPath, stack.stackName, false, stack.environment?.account));
  const directories = [...new Set(assembly.stacksRecursively.map((stack) => path.dirname(stack.templateFullPath)))];
  // A nested stack deploys in its parent's account: the one account of the stacks beside it (one stage each).
  const accountOf = (dir: string) => {
    const accounts = new Set(assembly.stacksRecursively.filter((s) => path.dirname(s.templateFullPath) === dir).map((s) => s.environment?.account));
    return accounts.size === 1 ? [...accounts][0] : undefined;
  };
  const nested = directories.flatMap((dir) =>
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(NESTED_TEMPLATE_SUFFIX))
      .sort()
      .map((f) => readTemplate(assembly.directory, path.join(dir, f), f.slice(0, -NESTED_TEMPLATE_SUFFIX.length), true, accountOf(dir))),
  );
  return [...stacks, ...nested];
}

function readTemplate(root: string, file: string, stackName: string, nested: boolean, account: string | undefined): SynthesizedTemplate {
  const text = fs.readFileSync(file);
  return {
    stackName,
    account,
    file: path.relative(root, file),
    template: JSON.parse(text.toString('utf8')) as CfnTemplate,
    bytes: text.length,
    nested,
  };
}
