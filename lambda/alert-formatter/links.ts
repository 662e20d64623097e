/** AWS console links for an alert. Pure; the partition comes from the event's resource ARNs. */

/** The console's host for a partition and region (China and GovCloud have their own consoles). */
export function consoleBase(partition: string, region: string): string {
  if (partition === 'aws-cn') return `https://${region}.console.amazonaws.cn`;
  if (partition === 'aws-us-gov') return `https://${region}.console.amazonaws-us-gov.com`;
  return `https://${region}.console.aws.amazon.com`;
}

export interface Where {
  readonly partition: string;
  readonly region: string;
}

export function pipelineExecutionUrl(where: Where, pipeline: string, executionId: string): string {
  return `${consoleBase(where.partition, where.region)}/codesuite/codepipeline/pipelines/${encodeURIComponent(pipeline)}/executions/${encodeURIComponent(executionId)}/timeline?region=${where.region}`;
}

/** The events of a stack: by its id (ARN) when known, which stays right after the stack is deleted, else by name. */
export function stackEventsUrl(where: Where, stackIdOrName: string): string {
  return `${consoleBase(where.partition, where.region)}/cloudformation/home?region=${where.region}#/stacks/events?stackId=${encodeURIComponent(stackIdOrName)}`;
}

export function imageUrl(where: Where, imageArn: string): string {
  return `${consoleBase(where.partition, where.region)}/imagebuilder/home?region=${where.region}#/images/${encodeURIComponent(imageArn)}/details`;
}

/** Only links that open in a browser: an action's external URL may be anything its provider set. */
export function isWebLink(url: string | undefined): url is string {
  return typeof url === 'string' && /^https:\/\/[^\s]+$/.test(url);
}
