/** A problem an operator can fix: printed as one line, exit code 2, nothing changed. */
export class OperatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OperatorError';
  }
}

/** The one-line instruction when no region is known. */
export function noRegionError(): OperatorError {
  return new OperatorError('no AWS region set. Fix: set AWS_REGION, or region in pipeline.yaml of the configuration');
}

/** Node's codes for a connection that could not be made or was cut: DNS, refused, reset, unreachable, timed out. */
const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EPIPE', 'ESOCKETTIMEDOUT']);
/** TLS failures, typically a proxy or firewall that re-signs HTTPS. */
const TLS_CODES = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']);
const EXPIRED_OR_INVALID_CREDENTIALS = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidSignatureException', 'SignatureDoesNotMatch', 'AuthFailure', 'TokenRefreshRequired', 'InvalidAccessKeyId']);
const NOT_ALLOWED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError', 'UnauthorizedException', 'UnauthorizedAccess']);
const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown', 'RequestThrottled']);

type AwsLikeError = Error & { name?: string; code?: string; hostname?: string; address?: string; port?: number; $metadata?: unknown; cause?: unknown };

/** The first error in a cause chain that carries a Node error code (the SDK wraps some). */
function withCode(err: AwsLikeError | undefined): AwsLikeError | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = e.cause as AwsLikeError | undefined, depth++) if (typeof e.code === 'string') return e;
  return undefined;
}

/**
 * Turns what the AWS SDK throws for things the operator can fix into a one-line instruction (an OperatorError):
 * missing, expired or refused credentials, a missing or malformed region, a network or endpoint that cannot be reached,
 * throttling. Anything else comes back unchanged.
 */
export function explainAwsError(err: unknown): Error {
  if (err instanceof OperatorError) return err;
  const e = err as AwsLikeError;
  const message = (e?.message ?? '').split('\n')[0];
  if (e?.name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new OperatorError('no AWS credentials found. Fix: run `aws configure` or `aws sso login`, or set AWS_PROFILE');
  }
  if (/Region is missing/i.test(message)) return noRegionError();
  if (/invalid region|region .* is not valid/i.test(message) || e?.name === 'EndpointError') {
    return new OperatorError(`the AWS endpoint cannot be formed (${message}). Fix: set AWS_REGION to a region code such as eu-west-1, and unset AWS_ENDPOINT_URL unless you mean to use it`);
  }
  const coded = withCode(e);
  if (coded && NETWORK_CODES.has(coded.code!)) {
    const where = coded.hostname ?? (coded.address ? `${coded.address}${coded.port ? `:${coded.port}` : ''}` : 'the AWS endpoint');
    return new OperatorError(`cannot reach ${where} (${coded.code}). Fix: check the network connection, DNS and proxy (HTTPS_PROXY), that AWS_REGION names a region you use, and AWS_ENDPOINT_URL if you set one`);
  }
  if (coded && TLS_CODES.has(coded.code!)) {
    return new OperatorError(`the TLS certificate of the AWS endpoint is not trusted (${coded.code}). Fix: if a proxy or firewall re-signs HTTPS, set NODE_EXTRA_CA_CERTS to its CA bundle`);
  }
  if (e?.name === 'TimeoutError' || e?.name === 'RequestTimeout' || /socket hang up|timed? ?out/i.test(message)) {
    return new OperatorError(`the AWS endpoint did not answer in time (${message || e.name}). Fix: check the network connection and proxy (HTTPS_PROXY), then run the command again`);
  }
  if (e?.name && EXPIRED_OR_INVALID_CREDENTIALS.has(e.name)) {
    return new OperatorError(`AWS refused the credentials (${e.name}: ${message}). Fix: refresh them (\`aws sso login\`, or new access keys) and check that the system clock is right`);
  }
  if (e?.name && NOT_ALLOWED.has(e.name)) {
    return new OperatorError(`not allowed (${e.name}: ${message}). Fix: use credentials whose role may do this; the action is named in the message`);
  }
  if (e?.name && THROTTLED.has(e.name)) {
    return new OperatorError(`AWS is throttling the calls (${e.name}). Fix: wait a minute and run the command again`);
  }
  return e instanceof Error ? e : new Error(String(e));
}
