import { readFileSync } from 'node:fs';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';

/**
 * Static checks of a PowerShell script with the tree-sitter PowerShell grammar (npm tree-sitter-powershell, its wasm
 * build, run by web-tree-sitter: no native compile, no PowerShell needed). A parse proves the structure (quotes, braces,
 * here-strings, statements); the functions below read the tree for what a parse does not prove.
 */
export async function parsePowerShell(source: string): Promise<Tree> {
  parser ??= loadParser();
  const tree = (await parser).parse(source);
  if (tree === null) throw new Error('tree-sitter returned no tree');
  return tree;
}

let parser: Promise<Parser> | undefined;

async function loadParser(): Promise<Parser> {
  await Parser.init();
  // Bytes, not a path: for a path web-tree-sitter uses a dynamic import, which jest's module sandbox refuses.
  const wasm = new Uint8Array(readFileSync(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm')));
  const powershell = new Parser();
  powershell.setLanguage(await Language.load(wasm));
  return powershell;
}

/** Every node in document order. */
export function nodesOf(root: Node): Node[] {
  const nodes: Node[] = [];
  const visit = (node: Node): void => {
    nodes.push(node);
    for (const child of node.children) if (child) visit(child);
  };
  visit(root);
  return nodes;
}

/** Syntax errors as `line:column text`: ERROR nodes (unparseable text) and MISSING nodes (e.g. an unclosed brace). */
export function syntaxErrors(tree: Tree): string[] {
  return nodesOf(tree.rootNode)
    .filter((node) => node.type === 'ERROR' || node.isMissing)
    .map((node) => `${node.startPosition.row + 1}:${node.startPosition.column + 1} ${node.isMissing ? `missing ${node.type}` : JSON.stringify(node.text.slice(0, 60))}`);
}

/** One element of a command: `-Name value`, a switch (`-UseBasicParsing`), or a positional argument. */
export interface CommandElement {
  /** The parameter as written, e.g. `-TimeoutSec` or `--exit-code`. */
  readonly parameter?: string;
  /** The argument as written, e.g. `5`, `$status`, `'eu-west-1'`. */
  readonly argument?: string;
}

/** A command invocation: a cmdlet or function by name, or `& $path` (call operator). */
export interface PowerShellCommand {
  /** Command name, or the expression after `&`. */
  readonly name: string;
  readonly callOperator: boolean;
  readonly elements: CommandElement[];
  readonly node: Node;
}

export function commandsOf(root: Node): PowerShellCommand[] {
  return nodesOf(root)
    .filter((node) => node.type === 'command')
    .map((node) => {
      const named = node.namedChildren.filter((child): child is Node => child !== null);
      const callOperator = named.some((child) => child.type === 'command_invokation_operator');
      const nameNode = named.find((child) => child.type === 'command_name' || child.type === 'command_name_expr');
      const elementsNode = named.find((child) => child.type === 'command_elements');
      const elements: { parameter?: string; argument?: string }[] = [];
      for (const child of elementsNode?.namedChildren ?? []) {
        if (!child || child.type === 'command_argument_sep') continue;
        const last = elements[elements.length - 1];
        if (child.type === 'command_parameter') elements.push({ parameter: child.text });
        else if (last?.parameter !== undefined && last.argument === undefined) last.argument = child.text;
        else elements.push({ argument: child.text });
      }
      return { name: nameNode?.text ?? '', callOperator, elements, node };
    });
}

/** The argument given to `parameter` (case-insensitive), or undefined. */
export function argumentOf(command: PowerShellCommand, parameter: string): string | undefined {
  return command.elements.find((element) => element.parameter?.toLowerCase() === parameter.toLowerCase())?.argument;
}

// Set by PowerShell itself (about_Automatic_Variables, about_Preference_Variables); `$env:` reads the environment.
const AUTOMATIC_VARIABLES = new Set(['$null', '$true', '$false', '$_', '$psitem', '$lastexitcode', '$error', '$progresspreference', '$erroractionpreference']);

/**
 * Variables read before any assignment to them, as `line:column $name`. A variable counts as defined after the end of
 * its first assignment, so `$x = $x + 1` with no earlier `$x` is reported. Names compare case-insensitively, as in
 * PowerShell.
 */
export function variablesUsedBeforeAssignment(root: Node): string[] {
  const definedAt = new Map<string, number>();
  const targets = new Set<number>();
  for (const node of nodesOf(root)) {
    if (node.type === 'assignment_expression') {
      const target = node.namedChildren.find((child) => child?.type === 'left_assignment_expression');
      const variable = target ? nodesOf(target).find((child) => child.type === 'variable') : undefined;
      if (!variable) continue;
      targets.add(variable.id);
      const name = variable.text.toLowerCase();
      if (!definedAt.has(name)) definedAt.set(name, node.endIndex);
    }
    if (node.type === 'foreach_statement') {
      const variable = node.namedChildren.find((child) => child?.type === 'variable');
      if (variable && !definedAt.has(variable.text.toLowerCase())) definedAt.set(variable.text.toLowerCase(), node.startIndex);
    }
  }
  return nodesOf(root)
    .filter((node) => node.type === 'variable' && !targets.has(node.id))
    .filter((node) => {
      const name = node.text.toLowerCase();
      if (AUTOMATIC_VARIABLES.has(name) || name.startsWith('$env:')) return false;
      const defined = definedAt.get(name);
      return defined === undefined || defined > node.startIndex;
    })
    .map((node) => `${node.startPosition.row + 1}:${node.startPosition.column + 1} ${node.text}`);
}

/**
 * The source with string literals and comments blanked out (same length, newlines kept), so a search for shell syntax
 * does not trip over a message text.
 */
export function codeOutsideStrings(tree: Tree): string {
  // tree-sitter positions are UTF-8 byte offsets.
  const bytes = Buffer.from(tree.rootNode.text, 'utf8');
  for (const node of nodesOf(tree.rootNode)) {
    if (node.type !== 'string_literal' && node.type !== 'comment') continue;
    for (let i = node.startIndex; i < node.endIndex; i++) if (bytes[i] !== 0x0a) bytes[i] = 0x20;
  }
  return bytes.toString('utf8');
}
