import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm';
import { parseReleaseState, type ReleaseState } from '../../lambda/parameter-prep/state';

/** The release record of an image, or undefined when the image was never released. */
export async function readReleaseRecord(ssm: SSMClient, parameterName: string): Promise<ReleaseState | undefined> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: parameterName }));
    return out.Parameter?.Value === undefined ? undefined : parseReleaseState(parameterName, out.Parameter.Value);
  } catch (err) {
    if (err instanceof ParameterNotFound || (err as Error).name === 'ParameterNotFound') return undefined;
    throw err;
  }
}
