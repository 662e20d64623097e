import * as path from 'path';
import {
  type App,
  CloudFormationValidatePlugin,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
} from 'aws-cdk-lib';
import { BlockingWorker } from './blocking-worker';
import { nestedStackTemplates, oneOfEachShape } from './nested-templates';
import { RobustCfnGuardValidator, type RobustCfnGuardValidatorProps } from './robust-cfn-guard';
import type { CfnValidateAnswer, TemplatesContext, ValidationRequest } from './validation-worker';

/**
 * CDK runs validation plugins one after the other, in the main thread, once every template is written. cdk-nag has to
 * stay there (it reads the construct tree), but cfn-guard and CDK's built-in CloudFormation validator only read the
 * template files: here they run in worker threads — the same plugin classes, with the same options — while cdk-nag
 * runs, and the main thread collects their reports when CDK asks for them. The CloudFormation validator's engine is
 * built while the app is still being constructed (expected-resource-types.ts).
 *
 * Registered in this order, so that the first plugin CDK calls hands the templates to the workers:
 *   Validations.of(app).addPlugins(checks.startingOffThreadWork(nag), …, checks.guard, checks.cloudFormationValidate)
 */

/** How long the main thread waits for a worker's report before the check fails with an error. */
const ANSWER_TIMEOUT_MS = 15 * 60_000;
const WORKER_ENTRY = path.join(__dirname, `validation-worker${path.extname(__filename)}`);

/**
 * The CloudFormation validator's worker, one per process and shared by every app synthesized in it (tests synthesize
 * many), so its engine is built once, as CDK's own validator does in the main thread.
 */
class CloudFormationValidateWorker {
  /** Types to build the engine for as soon as the worker starts; the first app that names them sets them. */
  public static expectedResourceTypes: readonly string[] = [];
  private static version?: string;
  private static versionTicket?: number;
  private static worker = new BlockingWorker({
    entry: WORKER_ENTRY,
    onStart: (worker) => {
      // The version first (CDK reads it while synthesizing, before validating), then the engine.
      if (this.version === undefined) this.versionTicket = worker.send({ kind: 'cfn-version' } satisfies ValidationRequest);
      const resourceTypes = this.expectedResourceTypes;
      if (resourceTypes.length > 0) worker.send({ kind: 'cfn-warm-up', resourceTypes } satisfies ValidationRequest, false);
    },
  });

  public static start(): void {
    this.worker.ensureRunning();
  }

  public static send(context: TemplatesContext): number {
    return this.worker.send({ kind: 'cfn-validate', context } satisfies ValidationRequest);
  }

  public static receive(ticket: number): PolicyValidationPluginReport {
    const answer = this.worker.receive(ticket, ANSWER_TIMEOUT_MS) as CfnValidateAnswer;
    this.version = answer.version;
    return answer.report;
  }

  public static validatorVersion(): string {
    if (this.version === undefined) {
      if (this.versionTicket === undefined) this.versionTicket = this.worker.send({ kind: 'cfn-version' } satisfies ValidationRequest);
      this.version = this.worker.receive(this.versionTicket, ANSWER_TIMEOUT_MS) as string;
    }
    return this.version;
  }
}

/** cfn-guard's worker, one per process. */
const guardWorker = new BlockingWorker({ entry: WORKER_ENTRY });

/** Props for OffThreadChecks. */
export interface OffThreadChecksProps {
  /** Options of the cfn-guard plugin, as given to RobustCfnGuardValidator. */
  readonly guard: RobustCfnGuardValidatorProps;
  /**
   * Resource types to build the CloudFormation validator's engine for, before any template exists.
   * @default - none: the engine is built when the first templates are validated
   */
  readonly expectedResourceTypes?: readonly string[];
}

/** The workers' tickets for one synth's templates. */
interface Job {
  readonly templates: string;
  guard?: number;
  cloudFormation?: number;
}

/** cfn-guard and CDK's CloudFormation validator as plugins whose work runs in worker threads (see the top of this file). */
export class OffThreadChecks {
  /** The cfn-guard plugin: RobustCfnGuardValidator's name, version and rule ids; it runs in the worker. */
  public readonly guard: IPolicyValidationPlugin;
  /**
   * CDK's built-in CloudFormation validation, run in a worker. Registered on the app, it takes the place of the one CDK
   * would add itself (CDK adds its own only when none is registered); undefined when the app has it turned off.
   */
  public readonly cloudFormationValidate?: CloudFormationValidatePlugin;
  private job?: Job;

  constructor(app: App, private readonly props: OffThreadChecksProps) {
    const inThread = new RobustCfnGuardValidator(props.guard);
    this.guard = { name: inThread.name, version: inThread.version, ruleIds: inThread.ruleIds, validate: (context) => this.guardReport(context) };
    if (builtInCloudFormationValidationEnabled(app)) {
      this.cloudFormationValidate = new OffThreadCloudFormationValidate((context) => this.cloudFormationReport(context));
      if (props.expectedResourceTypes && CloudFormationValidateWorker.expectedResourceTypes.length === 0) {
        CloudFormationValidateWorker.expectedResourceTypes = props.expectedResourceTypes;
      }
      CloudFormationValidateWorker.start();
    }
    // The guard worker, too, starts now: its thread, its modules and the rule files are ready when the templates are.
    guardWorker.send({ kind: 'guard-warm-up', props: props.guard } satisfies ValidationRequest, false);
  }

  /**
   * Wraps a plugin that has to run in the main thread (cdk-nag reads the construct tree) so that calling it first hands
   * the templates to the workers; its name, version, rule ids and report are its own.
   */
  public startingOffThreadWork(plugin: IPolicyValidationPlugin): IPolicyValidationPlugin {
    const start = (context: IPolicyValidationContext) => this.start(context);
    return {
      name: plugin.name,
      get version() {
        return plugin.version;
      },
      get ruleIds() {
        return plugin.ruleIds;
      },
      validate(context) {
        start(context);
        return plugin.validate(context);
      },
    };
  }

  /**
   * Hands this synth's templates to the workers, with those of the nested stacks (nested-templates.ts): all of them to
   * the CloudFormation validator, one of each shape to cfn-guard.
   */
  private start(context: IPolicyValidationContext): Job {
    const nested = nestedStackTemplates(context);
    const withNested = (extra: typeof nested): TemplatesContext => ({
      templatePaths: [...context.templatePaths, ...extra.map((t) => t.templatePath)],
      stackTemplates: [...context.stackTemplates, ...extra],
    });
    this.job = {
      templates: context.templatePaths.join('\n'),
      guard: guardWorker.send({ kind: 'guard', props: this.props.guard, context: withNested(oneOfEachShape(nested)) } satisfies ValidationRequest),
      cloudFormation: this.cloudFormationValidate ? CloudFormationValidateWorker.send(withNested(nested)) : undefined,
    };
    return this.job;
  }

  /** The job started for these templates whose `part` is still to be collected, or a new one. */
  private pending(context: IPolicyValidationContext, part: 'guard' | 'cloudFormation'): number {
    const job = this.job?.templates === context.templatePaths.join('\n') && this.job[part] !== undefined ? this.job : this.start(context);
    const ticket = job[part]!;
    job[part] = undefined;
    return ticket;
  }

  private guardReport(context: IPolicyValidationContext): PolicyValidationPluginReport {
    return guardWorker.receive(this.pending(context, 'guard'), ANSWER_TIMEOUT_MS) as PolicyValidationPluginReport;
  }

  private cloudFormationReport(context: IPolicyValidationContext): PolicyValidationPluginReport {
    return CloudFormationValidateWorker.receive(this.pending(context, 'cloudFormation'));
  }
}

/** CDK's CloudFormationValidatePlugin, its work done in the worker; same class and name, so CDK treats it as its own. */
class OffThreadCloudFormationValidate extends CloudFormationValidatePlugin {
  constructor(private readonly report: (context: IPolicyValidationContext) => PolicyValidationPluginReport) {
    super();
  }

  /** The validator's version, from the worker: loading the validator in this thread would cost it seconds. */
  public get version(): string | undefined {
    return CloudFormationValidateWorker.validatorVersion();
  }

  public get ruleIds(): string[] | undefined {
    return [CloudFormationValidateWorker.validatorVersion()];
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    return this.report(context);
  }
}

/**
 * Whether CDK would run its built-in CloudFormation validation for this app: yes, unless the app was created with
 * `builtinCloudFormationValidation: false` or CDK_VALIDATION=false is set (aws-cdk-lib core/lib/private/
 * synthesis-validation.js, defaultValidationEnabled).
 */
function builtInCloudFormationValidationEnabled(app: App): boolean {
  const builtin = (app as unknown as { _builtinCloudFormationValidation?: boolean })._builtinCloudFormationValidation;
  return builtin !== false && process.env.CDK_VALIDATION !== 'false';
}
