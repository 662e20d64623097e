/**
 * What the release gate reads from AWS: whether Amazon Inspector scans EC2 in this account and region, the scan state
 * Image Builder recorded with the image build, and its findings.
 *
 * Image Builder's test-instance scan (TEST_INSTANCE_CVE, what the image stacks ask for) "requires that Amazon Inspector
 * is activated for your account"; Image Builder keeps a copy of the findings with the image, listed by
 * ListImageScanFindings filtered on imageBuildVersionArn, at most 25 a page
 * (https://docs.aws.amazon.com/imagebuilder/latest/userguide/integ-inspector.html,
 * https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_ListImageScanFindings.html). Nothing here ever
 * turns a scan that did not happen into a pass: every state but COMPLETED is an error that says what to do.
 */
import type * as Inspector2Sdk from '@aws-sdk/client-inspector2';
import { pages, send } from './attempt';
import type { ScanFinding } from './scan-gate';
import type { Imagebuilder } from './upstream-lookup';

/** The Inspector client, with the lazily loaded SDK module it came from. */
export interface Inspector2 {
  readonly client: Inspector2Sdk.Inspector2Client;
  readonly sdk: typeof Inspector2Sdk;
}

/** ListImageScanFindings' largest page. */
const FINDINGS_PAGE_SIZE = 25;
/** Findings read at most for one image (a thousand pages would outlast the function; a real image has far fewer). */
export const MAX_FINDINGS = 5000;

/** How to turn scanning on, or off for one image, in the words of a message. */
export function inspectorFix(region: string, image: string, file: string): string {
  return `activate Amazon Inspector's EC2 scanning (aws inspector2 enable --resource-types EC2 --region ${region}), or turn the scan of ${image} off in ${file} (scanning.enabled: false, with scanning.reason)`;
}

/**
 * Throws unless Amazon Inspector scans EC2 instances in the caller's account and this region. BatchGetAccountStatus
 * without account ids answers for the caller (https://docs.aws.amazon.com/inspector/v2/APIReference/API_BatchGetAccountStatus.html);
 * status ENABLED is the one state in which a test instance gets scanned.
 */
export async function requireInspectorForEc2(inspector: () => Promise<Inspector2>, signal: AbortSignal, what: { image: string; file: string; region: string }): Promise<void> {
  const { client, sdk } = await inspector();
  const out = await send(client, new sdk.BatchGetAccountStatusCommand({}), signal);
  const failed = out.failedAccounts?.[0];
  if (failed) {
    throw new Error(`${what.image}: Amazon Inspector could not report its status for account ${failed.accountId} (${failed.errorCode}: ${failed.errorMessage}). Fix: ${inspectorFix(what.region, what.image, what.file)}`);
  }
  const account = out.accounts?.[0];
  const ec2 = account?.resourceState?.ec2?.status;
  if (ec2 !== 'ENABLED') {
    throw new Error(
      `${what.image}: the image is to be scanned, but Amazon Inspector does not scan EC2 in account ${account?.accountId ?? '(unknown)'}, region ${what.region} (EC2 scanning: ${ec2 ?? 'not reported'}; Inspector: ${account?.state?.status ?? 'not reported'}), so the scan cannot run. Fix: ${inspectorFix(what.region, what.image, what.file)}`,
    );
  }
}

/** The scan Image Builder recorded with one image build version. */
export interface BuildScan {
  /** Did the build ask for a scan (the image's imageScanningConfiguration)? */
  readonly requested: boolean;
  /** PENDING, SCANNING, COLLECTING, COMPLETED, ABANDONED, FAILED or TIMED_OUT; undefined when Image Builder gives none. */
  readonly status?: string;
  readonly reason?: string;
}

/** The scan state of the image build version `buildArn` (GetImage). */
export async function buildScan(imagebuilder: () => Promise<Imagebuilder>, buildArn: string, signal: AbortSignal): Promise<BuildScan> {
  const { client, sdk } = await imagebuilder();
  const image = (await send(client, new sdk.GetImageCommand({ imageBuildVersionArn: buildArn }), signal)).image;
  return { requested: image?.imageScanningConfiguration?.imageScanningEnabled === true, status: image?.scanState?.status, reason: image?.scanState?.reason };
}

/**
 * Every finding of the image build version `buildArn`. Throws rather than judge part of them: past MAX_FINDINGS, or
 * when reading them takes longer than `budgetMs` (a page is 25 findings; the release's other steps need their time).
 */
export async function buildFindings(imagebuilder: () => Promise<Imagebuilder>, buildArn: string, signal: AbortSignal, budgetMs: number): Promise<ScanFinding[]> {
  const started = Date.now();
  const { client, sdk } = await imagebuilder();
  const findings: ScanFinding[] = [];
  const input = { filters: [{ name: 'imageBuildVersionArn', values: [buildArn] }] };
  for await (const page of pages(sdk.paginateListImageScanFindings, client, input, signal, FINDINGS_PAGE_SIZE)) {
    for (const f of page.findings ?? []) {
      const details = f.packageVulnerabilityDetails;
      findings.push({
        id: details?.vulnerabilityId ?? f.title ?? '(no id)',
        severity: f.severity ?? 'UNTRIAGED',
        score: f.inspectorScore,
        packages: (details?.vulnerablePackages ?? []).map((p) => ({ name: p.name ?? '(unnamed)', version: p.version, fixedInVersion: p.fixedInVersion })),
      });
    }
    if (findings.length > MAX_FINDINGS) {
      throw new Error(`the scan of ${buildArn} has more than ${MAX_FINDINGS} findings; the release step does not judge part of a scan. Fix: review them in the Image Builder console (Security findings) and update the image's packages`);
    }
    // Only a read that is not done yet has run out of time.
    if (page.nextToken && Date.now() - started > budgetMs) {
      throw new Error(
        `reading the findings of ${buildArn} took more than ${Math.round(budgetMs / 1000)} s (${findings.length} read so far); the release step does not judge part of a scan. Fix: retry the action; if it happens again, review the findings in the Image Builder console (Security findings) and update the image's packages`,
      );
    }
  }
  return findings;
}

/** Why a scan that is not COMPLETED blocks the release, and what to do; undefined when it is COMPLETED. */
export function incompleteScan(scan: BuildScan, what: { image: string; amiId: string; buildArn: string; region: string; file: string }): string | undefined {
  const start = `${what.image}: AMI ${what.amiId} is not released:`;
  if (!scan.requested) {
    return `${start} its build (${what.buildArn}) was not scanned for vulnerabilities, and ${what.file} asks for a scan. Fix: rebuild it (start the pipeline with the variable rebuild=${what.image}); the new build is scanned`;
  }
  switch (scan.status) {
    case 'COMPLETED':
      return undefined;
    case 'PENDING':
    case 'SCANNING':
    case 'COLLECTING':
      return `${start} Image Builder's vulnerability scan of ${what.buildArn} is still ${scan.status}. Fix: retry this action in a few minutes`;
    default:
      return `${start} the vulnerability scan of ${what.buildArn} did not complete (${scan.status ?? 'no scan state'}${scan.reason ? `: ${scan.reason}` : ''}), and an image is never released on a scan that did not happen. Fix: ${inspectorFix(what.region, what.image, what.file)}; then rebuild (rebuild=${what.image})`;
  }
}
