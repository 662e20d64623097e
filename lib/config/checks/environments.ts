import { closestNames } from '../aws-data';
import type { ConfigProblem } from '../config-error';
import type { EnvironmentConfig } from '../model';
import { didYouMean, problem } from './problem';

/** The pipeline's own account id as far as synth knows it, and where it came from, for messages. */
export interface PipelineAccount {
  /** undefined: neither pipeline.yaml nor CDK_DEFAULT_ACCOUNT names it. */
  readonly id?: string;
  readonly from: 'account' | 'CDK_DEFAULT_ACCOUNT';
}

const OWN_ACCOUNT = "each environment needs an account of its own: its stacks, roles and parameters use the pipeline's names there";

/**
 * pipeline.yaml's `environments` (defaults already filled in by the schema), in file order, with what the schema
 * cannot say: names and accounts unique, no environment in the pipeline's own account, which must be known at synth
 * (the environments' roles trust it by id), and regions AWS has. Returned even with problems, so that image files are
 * checked against the environments as written.
 */
export function resolveEnvironments(file: string, raw: readonly Record<string, any>[], account: PipelineAccount, isKnownRegion: (region: string) => boolean, problems: ConfigProblem[]): EnvironmentConfig[] {
  const environments: EnvironmentConfig[] = raw.map((e) => ({
    name: e.name,
    account: e.account,
    region: e.region,
    approval: e.approval,
    network: { vpcId: e.network.vpcId, subnetIds: e.network.subnetIds, publicSubnetIds: e.network.publicSubnetIds },
  }));
  if (environments.length > 0 && account.id === undefined) {
    problems.push(
      problem(
        file,
        'account',
        "is required with environments: each environment's roles trust the pipeline's account by its id, which synth must know, and neither pipeline.yaml nor CDK_DEFAULT_ACCOUNT (your credentials) names it",
        undefined,
        'set account: "<12-digit id>" in pipeline.yaml to the account the pipeline deploys to',
      ),
    );
  }
  const byName = new Map<string, number>();
  const byAccount = new Map<string, number>();
  environments.forEach((environment, i) => {
    const at = `environments[${i}]`;
    const sameName = byName.get(environment.name);
    if (sameName !== undefined) {
      problems.push(problem(file, `${at}.name`, `is already the name of environments[${sameName}]`, environment.name, 'give each environment its own name, or remove one of the two'));
    } else byName.set(environment.name, i);
    const sameAccount = byAccount.get(environment.account);
    if (sameAccount !== undefined) {
      problems.push(problem(file, `${at}.account`, `is already the account of environment ${environments[sameAccount].name} (environments[${sameAccount}]); ${OWN_ACCOUNT}`, environment.account, `give environment ${environment.name} an account no other environment uses`));
    } else byAccount.set(environment.account, i);
    if (account.id !== undefined && environment.account === account.id) {
      const source = account.from === 'account' ? "pipeline.yaml's account" : 'CDK_DEFAULT_ACCOUNT, from your credentials';
      problems.push(
        problem(file, `${at}.account`, `is the pipeline's own account (${source}); ${OWN_ACCOUNT}, where the pipeline's own already are`, environment.account, `give environment ${environment.name} an account other than the pipeline's`),
      );
    }
    if (!isKnownRegion(environment.region)) {
      problems.push(problem(file, `${at}.region`, 'is not a known AWS region', environment.region, 'use a region code such as eu-west-1'));
    }
  });
  return environments;
}

/**
 * An image file's `fleet.environments` may name only environments pipeline.yaml configures: a misspelled name would
 * otherwise leave that environment with the image's settings, silently.
 */
export function checkFleetEnvironmentNames(file: string, fleetEnvironments: Record<string, unknown> | undefined, environments: readonly EnvironmentConfig[], pipelineFile: string): ConfigProblem[] {
  if (fleetEnvironments === undefined) return [];
  const names = environments.map((e) => e.name);
  if (names.length === 0) {
    return [problem(file, 'fleet.environments', `is set, but ${pipelineFile} configures no environments, so the fleet runs only in the pipeline's account, with the settings above`, Object.keys(fleetEnvironments), `remove fleet.environments, or configure the environments in ${pipelineFile}`)];
  }
  return Object.keys(fleetEnvironments)
    .filter((name) => !names.includes(name))
    .map((name) => {
      const guess = didYouMean(closestNames(name, names));
      return problem(file, `fleet.environments.${name}`, `names no environment of ${pipelineFile}`, undefined, `${guess ? `${guess} Otherwise use` : 'use'} one of the environments configured there: ${names.join(', ')}`);
    });
}
