/** A problem an operator can fix: printed as one line, exit code 2, nothing changed. */
export class OperatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OperatorError';
  }
}

/** The one-line instruction when no region is known. */
export function noRegionError(): OperatorError {
  return new OperatorError('no AWS region set. Fix: set AWS_REGION, or region in pipeline-assets/pipeline.yaml');
}

/** Turns what the AWS SDK throws for missing credentials or region into a one-line instruction. */
export function explainAwsError(err: unknown): Error {
  const e = err as Error & { name?: string };
  if (e?.name === 'CredentialsProviderError' || /Could not load credentials/i.test(e?.message ?? '')) {
    return new OperatorError('no AWS credentials found. Fix: run `aws configure` or `aws sso login`, or set AWS_PROFILE');
  }
  if (/Region is missing/i.test(e?.message ?? '')) {
    return noRegionError();
  }
  return e instanceof Error ? e : new Error(String(e));
}
