import type { ConfigProblem } from '../config-error';
import { APPLICATION_ARTIFACT_PARAMETER } from '../model';
import { awsData, closestNames } from '../aws-data';
import { didYouMean, problem } from './problem';

/** AWS::ImageBuilder::Component Data: at most 16,000 characters (the CloudFormation resource schema's maxLength). */
export const MAX_COMPONENT_DATA = 16000;

/** The phases Image Builder runs for an AMI: build and validate before the snapshot, test on an instance of it. */
export const IMAGE_BUILDER_PHASES = ['build', 'validate', 'test'] as const;

type Raw = Record<string, any>;

/**
 * A component document must be one AWSTOE accepts and Image Builder can run as the pipeline uses it: schemaVersion
 * 1.0, phases Image Builder runs, named steps with AWSTOE action modules (lib/config/data/awstoe-actions.json), every
 * parameter with a default except the one the pipeline passes, and at most 16,000 characters.
 * Reference: AWSTOE "Use the component document framework" and "Action modules" pages.
 */
export function checkComponentDocument(file: string, doc: Raw, text: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (text.length > MAX_COMPONENT_DATA) {
    problems.push(problem(file, '', `is ${text.length.toLocaleString('en-US')} characters long; Image Builder takes a component document of at most 16,000 (AWS::ImageBuilder::Component Data)`, undefined, 'shorten it: move long scripts into a file the component downloads (S3Download, WebDownload), or split it into two components'));
  }
  if (doc.schemaVersion === undefined) {
    problems.push(problem(file, 'schemaVersion', 'is required by AWSTOE', undefined, 'add the line `schemaVersion: 1.0`'));
  } else if (doc.schemaVersion !== 1 && doc.schemaVersion !== '1.0') {
    problems.push(problem(file, 'schemaVersion', 'must be 1.0, the only AWSTOE document schema version', doc.schemaVersion, 'write `schemaVersion: 1.0`'));
  }
  problems.push(...checkParameters(file, doc.parameters));
  if (!Array.isArray(doc.phases)) return problems; // "must list at least one phase" is reported by the loader
  const actions = awsData.awstoeActions().actions;
  const phaseNames = new Set<string>();
  doc.phases.forEach((phase: Raw, p: number) => {
    const where = `phases[${p}]`;
    const name = phase?.name;
    if (typeof name !== 'string') {
      problems.push(problem(file, `${where}.name`, 'is required', undefined, `name the phase ${IMAGE_BUILDER_PHASES.join(', ')}`));
    } else if (!(IMAGE_BUILDER_PHASES as readonly string[]).includes(name)) {
      problems.push(problem(file, `${where}.name`, `is not a phase Image Builder runs (${IMAGE_BUILDER_PHASES.join(', ')}): its steps would never run`, name, `rename it to one of ${IMAGE_BUILDER_PHASES.join(', ')}`));
    } else if (phaseNames.has(name)) {
      problems.push(problem(file, `${where}.name`, 'is used by another phase of this document; AWSTOE requires unique phase names', name, 'merge the two phases into one'));
    }
    if (typeof name === 'string') phaseNames.add(name);
    if (!Array.isArray(phase?.steps) || phase.steps.length === 0) {
      problems.push(problem(file, `${where}.steps`, 'must list at least one step', phase?.steps, 'add a step with a name, an action and its inputs'));
      return;
    }
    const stepNames = new Set<string>();
    phase.steps.forEach((step: Raw, s: number) => {
      const at = `${where}.steps[${s}]`;
      if (typeof step?.name !== 'string' || step.name === '') {
        problems.push(problem(file, `${at}.name`, 'is required', undefined, 'give the step a name, unique within its phase'));
      } else if (stepNames.has(step.name)) {
        problems.push(problem(file, `${at}.name`, 'is used by another step of this phase; AWSTOE requires unique step names within a phase', step.name, 'rename one of the two steps'));
      } else {
        stepNames.add(step.name);
      }
      if (step?.action === undefined) {
        problems.push(problem(file, `${at}.action`, 'is required', undefined, 'name an AWSTOE action module, e.g. ExecuteBash or ExecutePowerShell'));
      } else if (!(String(step.action) in actions)) {
        const guess = didYouMean(closestNames(String(step.action), Object.keys(actions), 3));
        problems.push(problem(file, `${at}.action`, 'is not an AWSTOE action module', step.action, `${guess ? `${guess} Otherwise use` : 'use'} an action module listed in lib/config/data/awstoe-actions.json (from the AWSTOE action module reference)`));
      }
    });
  });
  return problems;
}

/** AWSTOE parameters: a list of single-key maps `- Name: { type: string, default: …, description: … }`. */
function checkParameters(file: string, parameters: unknown): ConfigProblem[] {
  if (parameters === undefined) return [];
  if (!Array.isArray(parameters)) {
    return [problem(file, 'parameters', 'must be a list of `- Name: { type: string, default: … }` entries', parameters, 'write each parameter as a list item holding one name')];
  }
  const problems: ConfigProblem[] = [];
  parameters.forEach((entry: unknown, i: number) => {
    const names = entry && typeof entry === 'object' && !Array.isArray(entry) ? Object.keys(entry) : [];
    if (names.length !== 1) {
      problems.push(problem(file, `parameters[${i}]`, 'must hold exactly one parameter name', entry, 'write it as `- Name: { type: string, default: value }`'));
      return;
    }
    const [name] = names;
    const spec = (entry as Raw)[name];
    if (name === APPLICATION_ARTIFACT_PARAMETER) return; // the pipeline passes its value
    if (!spec || typeof spec !== 'object' || spec.default === undefined) {
      problems.push(problem(file, `parameters[${i}].${name}`, `has no default, and the pipeline passes a value only for ${APPLICATION_ARTIFACT_PARAMETER}: Image Builder would fail the build`, undefined, `add \`default: <value>\` under ${name}`));
    }
  });
  return problems;
}
