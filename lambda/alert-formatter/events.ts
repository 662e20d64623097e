/**
 * The EventBridge events the formatter is sent, read into what an alert needs. Shapes as AWS documents them:
 * - CodePipeline: https://docs.aws.amazon.com/codepipeline/latest/userguide/detect-state-changes-cloudwatch-events.html
 *   (pipeline, stage and action execution state changes; numbers such as `version` arrive as JSON numbers or strings)
 * - Image Builder: https://docs.aws.amazon.com/imagebuilder/latest/userguide/integ-eventbridge.html
 *   (`EC2 Image Builder Image State Change`: `detail.state.status`, the image build version ARN in `resources`)
 * None of these events carries credentials (a CodePipeline *job* does, but the formatter never receives one).
 */

/** The envelope every EventBridge event has. */
export interface EventEnvelope {
  readonly id: string;
  readonly detailType: string;
  readonly source: string;
  readonly account: string;
  readonly region: string;
  readonly time: string;
  /** aws, aws-cn, aws-us-gov: from the first resource ARN, for console links. */
  readonly partition: string;
}

export interface PipelineEvent extends EventEnvelope {
  readonly kind: 'pipeline';
  readonly pipeline: string;
  readonly executionId: string;
  readonly state: string;
}

export interface StageEvent extends EventEnvelope {
  readonly kind: 'stage';
  readonly pipeline: string;
  readonly executionId: string;
  readonly stage: string;
  readonly state: string;
}

export interface ActionEvent extends EventEnvelope {
  readonly kind: 'action';
  readonly pipeline: string;
  readonly executionId: string;
  readonly stage: string;
  readonly action: string;
  readonly state: string;
  /** detail.type.provider, e.g. CloudFormation, CodeBuild, Lambda. */
  readonly provider?: string;
  readonly category?: string;
  /** detail.execution-result: what the event itself says about the outcome. */
  readonly summary?: string;
  readonly externalUrl?: string;
  readonly errorCode?: string;
}

export interface ImageEvent extends EventEnvelope {
  readonly kind: 'image';
  /** arn:<partition>:imagebuilder:<region>:<account>:image/<name>/<version>/<build> */
  readonly imageArn: string;
  readonly imageName: string;
  readonly version: string;
  readonly build: string;
  readonly state: string;
  readonly previousState?: string;
}

export type AlertEvent = PipelineEvent | StageEvent | ActionEvent | ImageEvent;

/** The event is not one the formatter knows: the handler publishes it as it came. */
export class UnrecognizedEvent extends Error {
  public readonly name = 'UnrecognizedEvent';
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(o: Json, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new UnrecognizedEvent(`${where}.${key} is not a non-empty string (got ${JSON.stringify(v)})`);
  return v;
}

function optionalText(o: Json | undefined, key: string): string | undefined {
  const v = o?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function envelope(raw: Json): EventEnvelope {
  const resources = Array.isArray(raw.resources) ? raw.resources : [];
  const first = typeof resources[0] === 'string' ? resources[0] : '';
  return {
    id: text(raw, 'id', 'event'),
    detailType: text(raw, 'detail-type', 'event'),
    source: text(raw, 'source', 'event'),
    account: text(raw, 'account', 'event'),
    region: text(raw, 'region', 'event'),
    time: text(raw, 'time', 'event'),
    partition: /^arn:([a-z-]+):/.exec(first)?.[1] ?? 'aws',
  };
}

const CODEPIPELINE_TYPES: Record<string, 'pipeline' | 'stage' | 'action'> = {
  'CodePipeline Pipeline Execution State Change': 'pipeline',
  'CodePipeline Stage Execution State Change': 'stage',
  'CodePipeline Action Execution State Change': 'action',
};

/** Reads an event; throws UnrecognizedEvent for anything else (the handler then publishes it as it came). */
export function parseEvent(raw: unknown): AlertEvent {
  if (!isObject(raw)) throw new UnrecognizedEvent(`the event is not a JSON object (got ${raw === null ? 'null' : typeof raw})`);
  const base = envelope(raw);
  const detail = raw.detail;
  if (!isObject(detail)) throw new UnrecognizedEvent('event.detail is not an object');

  if (base.source === 'aws.codepipeline' && base.detailType in CODEPIPELINE_TYPES) {
    const kind = CODEPIPELINE_TYPES[base.detailType];
    const common = { ...base, pipeline: text(detail, 'pipeline', 'detail'), executionId: text(detail, 'execution-id', 'detail'), state: text(detail, 'state', 'detail') };
    if (kind === 'pipeline') return { kind, ...common };
    const stage = text(detail, 'stage', 'detail');
    if (kind === 'stage') return { kind, ...common, stage };
    const type = isObject(detail.type) ? detail.type : undefined;
    const result = isObject(detail['execution-result']) ? detail['execution-result'] : undefined;
    return {
      kind,
      ...common,
      stage,
      action: text(detail, 'action', 'detail'),
      provider: optionalText(type, 'provider'),
      category: optionalText(type, 'category'),
      summary: optionalText(result, 'external-execution-summary'),
      externalUrl: optionalText(result, 'external-execution-url'),
      errorCode: optionalText(result, 'error-code'),
    };
  }

  if (base.source === 'aws.imagebuilder' && base.detailType === 'EC2 Image Builder Image State Change') {
    const state = isObject(detail.state) ? text(detail.state, 'status', 'detail.state') : undefined;
    if (!state) throw new UnrecognizedEvent('detail.state is not an object');
    const previous = isObject(detail['previous-state']) ? optionalText(detail['previous-state'], 'status') : undefined;
    const imageArn = (Array.isArray(raw.resources) ? raw.resources : []).find((r): r is string => typeof r === 'string' && IMAGE_ARN.test(r));
    if (!imageArn) throw new UnrecognizedEvent('event.resources holds no Image Builder image ARN');
    const [, imageName, version, build] = IMAGE_ARN.exec(imageArn)!;
    return { kind: 'image', ...base, imageArn, imageName, version, build, state, previousState: previous };
  }

  throw new UnrecognizedEvent(`no formatter for ${base.source} "${base.detailType}"`);
}

/** An Image Builder image build version ARN: name, version, build. */
export const IMAGE_ARN = /^arn:[a-z-]+:imagebuilder:[a-z0-9-]+:\d{12}:image\/([^/]+)\/([^/]+)\/([^/]+)$/;
