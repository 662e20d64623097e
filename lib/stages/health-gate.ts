import { Token } from 'aws-cdk-lib';

/**
 * Health gate of a fleet instance: first-boot user data polls the application on the instance and then tells
 * CloudFormation, with cfn-signal, whether the instance is healthy. An Auto Scaling group with a creation policy or a
 * rolling update with WaitOnResourceSignals waits for these signals; a batch without enough success signals within the
 * pause time fails the update and CloudFormation rolls the group back.
 *
 * Both scripts behave the same way:
 * - poll `http://127.0.0.1:<port><path>` every `pollIntervalSeconds` (each request limited to the same time) until it
 *   answers 2xx (a redirect is not healthy) or `timeoutSeconds` have passed since the script started;
 * - then call cfn-signal exactly once, with exit code 0 (healthy) or 1 (not healthy);
 * - a non-zero cfn-signal result is logged and otherwise ignored: outside a create or a rollout CloudFormation refuses
 *   signals, and an instance launched by scaling must not fail its user data for that.
 *
 * cfn-signal options are the documented long forms (`--exit-code`, `--stack`, `--resource`, `--region`; note that `-s`
 * is `--success`, not `--stack`): https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-signal.html
 */

/** What the gate waits for: an HTTP answer of the application on the instance itself. */
export interface HealthGateCheck {
  /** Absolute HTTP path, e.g. `/health` (letters, digits and `._~/-`, as the image schema allows). */
  readonly path: string;
  /** Port the application listens on, 1 to 65535. */
  readonly port: number;
  /** Seconds from the start of the script until the gate gives up and signals failure (whole seconds, ≥ 1). */
  readonly timeoutSeconds: number;
  /**
   * Seconds between two polls, and the limit of one request (whole seconds, ≥ 1).
   * @default 5
   */
  readonly pollIntervalSeconds?: number;
}

/** The resource the signal is for. Values may be CDK tokens (e.g. `Aws.STACK_NAME`); CloudFormation substitutes them. */
export interface SignalTarget {
  /** Name or id of the stack, e.g. `Aws.STACK_NAME`. */
  readonly stackName: string;
  /** Logical id of the resource that waits for signals (the Auto Scaling group). */
  readonly resourceLogicalId: string;
  /** Region of the stack, e.g. `Aws.REGION`. */
  readonly region: string;
}

/**
 * A load balancer in front of the fleet: after the application answers on the instance, the gate also waits (within
 * the same deadline) until the target group reports this instance `healthy`, so a rollout goes on only with instances
 * the load balancer sends traffic to. The instance role may call elasticloadbalancing:DescribeTargetHealth.
 */
export interface TargetGroupWait {
  /** ARN of the fleet's target group (a token such as `targetGroup.ref`). */
  readonly targetGroupArn: string;
}

/** The instance metadata service (IMDSv2), for the instance id; the tests point the gate at a stand-in. */
export const IMDS_ENDPOINT = 'http://169.254.169.254';

/** Default seconds between polls (and per-request limit); the value the first Linux gate used. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 5;

/**
 * Where the AWS Windows AMIs keep the CloudFormation helper scripts. The AMIs ship the AWS CloudFormation helpers
 * (https://docs.aws.amazon.com/AWSEC2/latest/WindowsGuide/aws-windows-ami.html) under
 * `%ProgramFiles%\Amazon\cfn-bootstrap`, which their installer also puts on the system PATH (seen in environment dumps
 * of EC2 Windows instances; AWS's pages name no path, so the gate tries PATH first).
 */
export const WINDOWS_CFN_SIGNAL_RELATIVE_PATH = 'Amazon\\cfn-bootstrap\\cfn-signal.exe';

/** Where Amazon Linux keeps cfn-signal (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-helper-scripts-reference.html). */
export const LINUX_CFN_SIGNAL_PATH = '/opt/aws/bin/cfn-signal';

/**
 * Longest time, in seconds, from the start of the gate script until it calls cfn-signal (not counting a dnf install of
 * cfn-signal on an image that lacks it): the deadline plus one poll interval, because the last request (or the sleep
 * before the deadline check) may start just before the deadline. The rollout's pause time must exceed this plus the time
 * an instance needs to boot and start its user data.
 */
export function healthGateWorstCaseSeconds(check: HealthGateCheck): number {
  const { timeoutSeconds, pollIntervalSeconds } = validateCheck(check);
  return timeoutSeconds + pollIntervalSeconds;
}

/**
 * Bash lines for `ec2.UserData.forLinux()`. They define and call the function `golden_ami_health_gate` (0 when the
 * application became healthy, 1 when it did not or no cfn-signal could be found), without `exit`: lines added after the
 * gate still run, also under `set -e`.
 *
 * cfn-signal is looked up on PATH first, then at /opt/aws/bin (Amazon Linux); only if neither has it, the gate installs
 * `aws-cfn-bootstrap` with dnf and looks again.
 */
export function linuxHealthGate(check: HealthGateCheck, target: SignalTarget, loadBalancer?: TargetGroupWait): string[] {
  const { path, port, timeoutSeconds, pollIntervalSeconds } = validateCheck(check);
  const { stackName, resourceLogicalId, region } = validateTarget(target);
  const interval = pollIntervalSeconds;
  const targetHealth = loadBalancer
    ? [
        // Only once the application answers: then wait, within the same deadline, for the load balancer's verdict.
        '  if [ "$status" -eq 0 ]; then',
        '    status=1',
        `    local imds="\${GOLDEN_AMI_IMDS_ENDPOINT:-${IMDS_ENDPOINT}}" token instance state`,
        `    token=$(curl -sS --max-time ${interval} -X PUT "$imds/latest/api/token" -H 'X-aws-ec2-metadata-token-ttl-seconds: 600') || token=`,
        `    instance=$(curl -sS --max-time ${interval} -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/instance-id") || instance=`,
        '    while [ -n "$instance" ] && [ "$SECONDS" -lt "$deadline" ]; do',
        `      state=$(aws elbv2 describe-target-health --region '${region}' --target-group-arn '${loadBalancer.targetGroupArn}' --targets "Id=$instance" --query 'TargetHealthDescriptions[0].TargetHealth.State' --output text 2>&1) || state="unknown ($state)"`,
        '      if [ "$state" = healthy ]; then status=0; break; fi',
        '      echo "health gate: target group reports $instance $state after $SECONDS s"',
        `      sleep ${interval}`,
        '    done',
        '    [ -n "$instance" ] || echo "health gate: no instance id from the instance metadata service" >&2',
        '  fi',
      ]
    : [];
  return [
    '# golden-ami-pipeline health gate: wait until the application answers 2xx, then signal CloudFormation once',
    'golden_ami_find_cfn_signal() {',
    '  command -v cfn-signal && return 0',
    `  if [ -x ${LINUX_CFN_SIGNAL_PATH} ]; then echo ${LINUX_CFN_SIGNAL_PATH}; return 0; fi`,
    '  return 1',
    '}',
    'golden_ami_health_gate() {',
    `  local url='http://127.0.0.1:${port}${path}'`,
    `  local deadline=$((SECONDS + ${timeoutSeconds}))`,
    '  local status=1 code cfn_signal',
    '  while [ "$SECONDS" -lt "$deadline" ]; do',
    // -w prints 000 when nothing answered; -f is not used because it would take a 3xx for healthy.
    `    code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time ${interval} "$url") || code=000`,
    '    case "$code" in 2??) status=0; break ;; esac',
    `    echo "health gate: $url answered $code after $SECONDS s"`,
    '    [ "$SECONDS" -lt "$deadline" ] || break',
    `    sleep ${interval}`,
    '  done',
    ...targetHealth,
    `  if [ "$status" -eq 0 ]; then echo "health gate: healthy after $SECONDS s"; else echo "health gate: not healthy within ${timeoutSeconds} s"; fi`,
    '  cfn_signal=$(golden_ami_find_cfn_signal) || cfn_signal=',
    '  if [ -z "$cfn_signal" ]; then',
    '    echo "health gate: cfn-signal not found; installing aws-cfn-bootstrap"',
    '    dnf install -y aws-cfn-bootstrap || echo "health gate: dnf could not install aws-cfn-bootstrap" >&2',
    '    cfn_signal=$(golden_ami_find_cfn_signal) || cfn_signal=',
    '  fi',
    '  if [ -z "$cfn_signal" ]; then',
    '    echo "health gate: no cfn-signal; CloudFormation gets no signal from this instance" >&2',
    '    return 1',
    '  fi',
    `  "$cfn_signal" --exit-code "$status" --stack '${stackName}' --resource '${resourceLogicalId}' --region '${region}' \\`,
    '    || echo "health gate: cfn-signal was refused (expected outside a create or a rollout)"',
    '  return "$status"',
    '}',
    // Not a bare call: under `set -e` a failed gate would stop the lines after it.
    'golden_ami_health_gate || echo "health gate: finished without a success signal"',
  ];
}

/**
 * PowerShell lines for `ec2.UserData.forWindows()` (CDK wraps them in `<powershell>…</powershell>`; EC2Launch v2 runs
 * them with Windows PowerShell 5.1, so nothing here needs PowerShell 7). They define and call the function
 * `Invoke-GoldenAmiHealthGate`, without `exit`: lines added after the gate still run.
 *
 * cfn-signal.exe is looked up on PATH first, then under `%ProgramFiles%\Amazon\cfn-bootstrap` (where the AWS Windows AMIs
 * have it). The gate does not install it: an image without it gets no signal, and the rollout fails on its pause time.
 *
 * User data (not persisted) is an EC2Launch v2 "once" task: it runs when the AMI boots for the first time after Sysprep
 * (https://docs.aws.amazon.com/AWSEC2/latest/WindowsGuide/ec2launch-v2-overview.html). An image captured with
 * `C:\ProgramData\Amazon\EC2Launch\state\.run-once` still present skips it; Image Builder runs Sysprep before it
 * snapshots a Windows image, and an image built any other way must end with `ec2launch.exe reset` (and `sysprep`).
 */
export function windowsHealthGate(check: HealthGateCheck, target: SignalTarget, loadBalancer?: TargetGroupWait): string[] {
  const { path, port, timeoutSeconds, pollIntervalSeconds } = validateCheck(check);
  const { stackName, resourceLogicalId, region } = validateTarget(target);
  const interval = pollIntervalSeconds;
  // AWS Tools for Windows PowerShell ship on the AWS Windows AMIs (Get-ELB2TargetHealth).
  const targetHealth = loadBalancer
    ? [
        '  if ($status -eq 0) {',
        '    $status = 1',
        '    $instance = $null',
        '    try {',
        `      $token = Invoke-RestMethod -Method Put -Uri '${IMDS_ENDPOINT}/latest/api/token' -Headers @{ 'X-aws-ec2-metadata-token-ttl-seconds' = '600' } -TimeoutSec ${interval} -UseBasicParsing`,
        `      $instance = Invoke-RestMethod -Uri '${IMDS_ENDPOINT}/latest/meta-data/instance-id' -Headers @{ 'X-aws-ec2-metadata-token' = $token } -TimeoutSec ${interval} -UseBasicParsing`,
        '    } catch {',
        '      Write-Output "health gate: no instance id from the instance metadata service: $($_.Exception.Message)"',
        '    }',
        `    while ($null -ne $instance -and $clock.Elapsed.TotalSeconds -lt ${timeoutSeconds}) {`,
        "      $state = 'unknown'",
        '      try {',
        `        $state = [string](Get-ELB2TargetHealth -TargetGroupArn '${loadBalancer.targetGroupArn}' -Target @{ Id = $instance } -Region '${region}' -ErrorAction Stop | Select-Object -First 1).TargetHealth.State`,
        '      } catch {',
        '        $state = "unknown ($($_.Exception.Message))"',
        '      }',
        "      if ($state -eq 'healthy') { $status = 0; break }",
        '      Write-Output "health gate: target group reports $instance $state"',
        `      Start-Sleep -Seconds ${interval}`,
        '    }',
        '  }',
      ]
    : [];
  return [
    '# golden-ami-pipeline health gate: wait until the application answers 2xx, then signal CloudFormation once',
    'function Invoke-GoldenAmiHealthGate {',
    // The progress bar makes Invoke-WebRequest in Windows PowerShell 5.1 many times slower.
    "  $ProgressPreference = 'SilentlyContinue'",
    `  $url = 'http://127.0.0.1:${port}${path}'`,
    '  $status = 1',
    '  $clock = [System.Diagnostics.Stopwatch]::StartNew()',
    `  while ($clock.Elapsed.TotalSeconds -lt ${timeoutSeconds}) {`,
    '    $code = 0',
    '    try {',
    // No redirects: a 3xx is not healthy. -ErrorAction Stop turns 4xx/5xx, refusals and time-outs into the catch.
    `      $response = Invoke-WebRequest -Uri $url -UseBasicParsing -TimeoutSec ${interval} -MaximumRedirection 0 -ErrorAction Stop`,
    '      $code = [int]$response.StatusCode',
    '    } catch {',
    '      Write-Output "health gate: $url did not answer 2xx: $($_.Exception.Message)"',
    '    }',
    '    if ($code -ge 200 -and $code -lt 300) { $status = 0; break }',
    `    if ($clock.Elapsed.TotalSeconds -ge ${timeoutSeconds}) { break }`,
    `    Start-Sleep -Seconds ${interval}`,
    '  }',
    ...targetHealth,
    '  $elapsed = [int]$clock.Elapsed.TotalSeconds',
    `  if ($status -eq 0) { Write-Output "health gate: healthy after $elapsed s" } else { Write-Output "health gate: not healthy within ${timeoutSeconds} s" }`,
    '  $cfnSignal = $null',
    "  $onPath = Get-Command -Name 'cfn-signal.exe' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1",
    '  if ($null -ne $onPath) { $cfnSignal = $onPath.Path }',
    '  if ($null -eq $cfnSignal) {',
    `    $installed = Join-Path -Path $env:ProgramFiles -ChildPath '${WINDOWS_CFN_SIGNAL_RELATIVE_PATH}'`,
    '    if (Test-Path -LiteralPath $installed -PathType Leaf) { $cfnSignal = $installed }',
    '  }',
    '  if ($null -eq $cfnSignal) {',
    "    Write-Output 'health gate: cfn-signal.exe not found; CloudFormation gets no signal from this instance'",
    '    return',
    '  }',
    `  & $cfnSignal --exit-code $status --stack '${stackName}' --resource '${resourceLogicalId}' --region '${region}'`,
    '  if ($LASTEXITCODE -ne 0) { Write-Output "health gate: cfn-signal.exe was refused with $LASTEXITCODE (expected outside a create or a rollout)" }',
    '}',
    'Invoke-GoldenAmiHealthGate',
  ];
}

/** `HealthGateCheck` with its default applied. */
type ResolvedCheck = Required<HealthGateCheck>;

// The image schema's pattern: nothing a shell or PowerShell would interpret inside single quotes.
const PATH_PATTERN = /^\/[A-Za-z0-9._~/-]*$/;
// CloudFormation's own limits for these values; none of them can hold a quote.
const TARGET_PATTERNS: Record<keyof SignalTarget, { pattern: RegExp; allowed: string }> = {
  stackName: { pattern: /^[A-Za-z][-A-Za-z0-9]*$/, allowed: 'a letter, then letters, digits and hyphens' },
  resourceLogicalId: { pattern: /^[A-Za-z0-9]+$/, allowed: 'letters and digits' },
  region: { pattern: /^[a-z]{2}(-[a-z]+)+-\d+$/, allowed: 'a region name such as eu-west-1' },
};

function validateCheck(check: HealthGateCheck): ResolvedCheck {
  const resolved: ResolvedCheck = { ...check, pollIntervalSeconds: check.pollIntervalSeconds ?? DEFAULT_POLL_INTERVAL_SECONDS };
  if (!Token.isUnresolved(resolved.path) && !PATH_PATTERN.test(resolved.path)) {
    throw new Error(`health gate: healthCheck.path must be an absolute path of letters, digits and ._~/- (got ${JSON.stringify(resolved.path)}); use e.g. /health`);
  }
  checkInteger('healthCheck.port', resolved.port, 1, 65535);
  checkInteger('healthCheck.timeoutSeconds', resolved.timeoutSeconds, 1);
  checkInteger('pollIntervalSeconds', resolved.pollIntervalSeconds, 1);
  return resolved;
}

function checkInteger(field: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`;
    throw new Error(`health gate: ${field} must be ${range} (got ${value}); fix the value or leave it to its default`);
  }
}

function validateTarget(target: SignalTarget): SignalTarget {
  for (const field of Object.keys(TARGET_PATTERNS) as (keyof SignalTarget)[]) {
    const value = target[field];
    const { pattern, allowed } = TARGET_PATTERNS[field];
    // A token becomes a value CloudFormation itself accepted for the stack (name, region, logical id).
    if (!Token.isUnresolved(value) && !pattern.test(value)) {
      throw new Error(`health gate: signal target ${field} must be ${allowed} (got ${JSON.stringify(value)}); pass the value CloudFormation uses, or a token such as Aws.STACK_NAME`);
    }
  }
  return target;
}
