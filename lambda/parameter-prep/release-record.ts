/**
 * An image's release record and released AMI parameter, in whichever account and region hold them: the pipeline's
 * (the release and lane steps) or an environment's (the promote step, through that environment's release writer role).
 * The steps differ in how they find and vet the AMI; how they answer a redelivery, keep or write the record and store
 * their answer is the same, and lives here.
 */
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { describeError, send } from './attempt';
import { parseReleaseState, recordOf, type ReleaseRecord, type ReleaseState, type StoredAnswer } from './state';

/** SSM Parameter Store of one account and region, through one client. */
export interface Parameters {
  /** The parameter's value, or undefined when it does not exist. */
  get(name: string, signal: AbortSignal): Promise<string | undefined>;
  put(name: string, value: string, description: string, signal: AbortSignal, dataType?: string): Promise<void>;
}

export function parametersOf(ssm: SSMClient): Parameters {
  return {
    async get(name, signal) {
      try {
        const out = await send(ssm, new GetParameterCommand({ Name: name }), signal);
        return out.Parameter?.Value;
      } catch (err) {
        // GetParameter of a name that does not exist fails with ParameterNotFound.
        if (err instanceof ParameterNotFound || (err as Error).name === 'ParameterNotFound') return undefined;
        throw err;
      }
    },
    async put(name, value, description, signal, dataType) {
      await send(ssm, new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true, Description: description, DataType: dataType }), signal);
    },
  };
}

/** Where one image's release is recorded, and which step records it there. */
export interface ReleasePlace {
  readonly parameters: Parameters;
  readonly image: string;
  /** The release record (JSON, with the previous release). */
  readonly releaseParameter: string;
  /** The released AMI id, which fleets resolve (DataType aws:ec2:image). */
  readonly releaseAmiParameter: string;
  /** The step's name in messages: "release", "promote". */
  readonly step: string;
}

/** What the step of one attempt needs here. */
export interface StepAttempt {
  readonly signal: AbortSignal;
  log(message: string, extra?: object): void;
}

/** The step's answer: output variables and a summary. */
export interface RecordedAnswer {
  readonly variables: Record<string, string>;
  readonly summary: string;
}

/** The release recorded at `place`, or undefined when there is none yet; throws when it does not parse. */
export async function readRelease(place: ReleasePlace, signal: AbortSignal): Promise<ReleaseState | undefined> {
  const text = await place.parameters.get(place.releaseParameter, signal);
  return text === undefined ? undefined : parseReleaseState(place.releaseParameter, text);
}

/**
 * The same job again (redelivery, or the stage retried in this execution): the answer it was given, unchanged, and the
 * hand-off repaired in case the first delivery stopped before writing it. Undefined when the record holds no answer
 * to this execution.
 */
export async function replayAnswer(place: ReleasePlace, current: ReleaseState | undefined, executionId: string, attempt: StepAttempt): Promise<RecordedAnswer | undefined> {
  if (current?.answer?.executionId !== executionId) return undefined;
  attempt.log('redelivered: returning the stored answer', { executionId });
  await putReleasedAmi(place, current.amiId, attempt.signal);
  return { variables: current.answer.variables, summary: `same pipeline execution as the stored answer: ${JSON.stringify(current.answer.variables)}` };
}

/** Keeps the record as it is (without its old answer) and repairs the hand-off to the AMI it names. */
export async function keepRelease(place: ReleasePlace, current: ReleaseState, signal: AbortSignal): Promise<ReleaseState> {
  const { answer: _replaced, ...kept } = current;
  await putReleasedAmi(place, kept.amiId, signal);
  return kept;
}

/**
 * Records `release` as the current release, `current` as the previous one, then writes the AMI parameter: that write
 * is the commit point, fleets only see the new image once it succeeds.
 */
export async function recordRelease(place: ReleasePlace, release: Omit<ReleaseRecord, 'releasedAt'>, current: ReleaseState | undefined, signal: AbortSignal): Promise<ReleaseState> {
  const record: ReleaseState = { ...release, releasedAt: new Date().toISOString(), previous: current ? recordOf(current) : undefined };
  await place.parameters.put(place.releaseParameter, JSON.stringify(record), recordDescription(place), signal);
  await putReleasedAmi(place, record.amiId, signal);
  return record;
}

/**
 * Stores the step's answer in its record, so that the same job delivered again answers the same. The record is read
 * again first: an operator may have rolled back meanwhile, and writing the record read before would undo that
 * rollback. (SSM has no conditional write; this narrows the window to the time between two calls.) `done` says what
 * stands whatever happens here, e.g. "is released".
 */
export async function storeAnswer(place: ReleasePlace, record: ReleaseState, answer: StoredAnswer, attempt: StepAttempt, done: string): Promise<void> {
  try {
    const latest = await readRelease(place, attempt.signal);
    if (!latest || latest.amiId !== record.amiId || latest.executionId !== record.executionId || latest.releasedAt !== record.releasedAt) {
      attempt.log('release record changed since this step read it (an operator rollback?); its answer is not stored', { executionId: answer.executionId });
      return;
    }
    await place.parameters.put(place.releaseParameter, JSON.stringify({ ...record, answer }), recordDescription(place), attempt.signal);
  } catch (err) {
    throw new Error(`${place.image}: ${record.amiId} ${done}, but storing the ${place.step} step's answer failed (${describeError(err)}). Fix: retry the action; it finds the release recorded and completes`);
  }
}

function putReleasedAmi(place: ReleasePlace, amiId: string, signal: AbortSignal): Promise<void> {
  return place.parameters.put(place.releaseAmiParameter, amiId, `Released AMI of ${place.image}; fleets resolve it`, signal, 'aws:ec2:image');
}

function recordDescription(place: ReleasePlace): string {
  return `Release record of ${place.image} (current and previous); do not edit by hand`;
}
