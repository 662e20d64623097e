/**
 * The start of an image's lane: its release step runs beside its image stack's execute action (the same run order), so
 * that it does not wait for the other images' builds, and waits for that action itself. CodePipeline lists the action
 * executions of a pipeline execution with their status and output variables (ListActionExecutions); the execute action
 * of a CDK Pipelines stage stack publishes the stack's outputs there (AmiId, BuiltVersion, RecipeName).
 */
import { type CodePipelineClient, paginateListActionExecutions } from '@aws-sdk/client-codepipeline';
import { pages } from './attempt';

/** What the image stack's execute action gave, once it has succeeded. */
export interface BuildOutputs {
  readonly amiId: string;
  readonly version: string;
  readonly recipeName: string;
}

/** Where the image stack's execute action is: still to come or running, succeeded (with its outputs), or failed. */
export type BuildState = { readonly state: 'pending'; readonly status: string } | { readonly state: 'succeeded'; readonly outputs: BuildOutputs } | { readonly state: 'failed'; readonly status: string; readonly reason: string };

/**
 * The execute action of `imageStack` in pipeline execution `executionId`: found by what it does (change set execute of
 * that stack), not by its name, which CDK Pipelines shortens when a wave spills over into several stages.
 */
export async function imageStackBuild(codepipeline: CodePipelineClient, pipelineName: string, executionId: string, imageStack: string, signal: AbortSignal): Promise<BuildState> {
  // 100 a page, the most ListActionExecutions returns.
  for await (const page of pages(paginateListActionExecutions, codepipeline, { pipelineName, filter: { pipelineExecutionId: executionId } }, signal, 100)) {
    for (const action of page.actionExecutionDetails ?? []) {
      const configuration = action.input?.configuration ?? {};
      if (configuration.StackName !== imageStack || configuration.ActionMode !== 'CHANGE_SET_EXECUTE') continue;
      const status = action.status ?? 'unknown';
      if (status === 'InProgress') return { state: 'pending', status };
      if (status !== 'Succeeded') {
        const result = action.output?.executionResult;
        return { state: 'failed', status, reason: result?.errorDetails?.message ?? result?.externalExecutionSummary ?? 'no reason recorded' };
      }
      const v = action.output?.outputVariables ?? {};
      if (!v.AmiId || !v.BuiltVersion || !v.RecipeName) {
        throw new Error(`the execute action of image stack ${imageStack} succeeded without the outputs AmiId, BuiltVersion and RecipeName (got ${JSON.stringify(Object.keys(v))}). Fix: check that the image stack declares them and that its execute action has a variables namespace`);
      }
      return { state: 'succeeded', outputs: { amiId: v.AmiId, version: v.BuiltVersion, recipeName: v.RecipeName } };
    }
  }
  // Not listed yet: CodePipeline starts the actions of one run order together, and lists an action once it runs.
  return { state: 'pending', status: 'not started' };
}
