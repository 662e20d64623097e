import * as fs from 'fs';
import * as path from 'path';
import { acknowledgedFindings, acknowledgedFindingsMarkdown } from '../../lib/docs/acknowledged-findings';
import { pipelineDot, renderSvg, roleName } from '../../lib/docs/pipeline-diagram';
import { roleInventoryMarkdown, templatesIn } from '../../lib/docs/role-inventory';
import { applicationArtifactDir } from '../../bin/application-artifact';
import { loadConfig } from '../../lib/config/load-config';
import { fixtureAssembly } from '../helpers/fixture-assembly';
import { REPO_ROOT, SHIPPED_CONFIG_DIR, synthApp } from '../helpers/synth-app';

// Environment-agnostic, as bin/docs.ts builds it. The staleness checks synthesize what `npm run docs` does (the user's
// configuration and application); what the docs must show is checked on the test fixture, whatever the user ships.
const agnostic = { account: undefined as never, region: undefined as never };
const shipped = synthApp(loadConfig(SHIPPED_CONFIG_DIR), agnostic, applicationArtifactDir(undefined));
const { app, pipelineTemplate } = synthApp(undefined, agnostic);
const committed = (file: string) => fs.readFileSync(path.join(REPO_ROOT, 'docs', file), 'utf8');

describe('docs/architecture.svg', () => {
  test('is current (regenerate with npm run docs)', async () => {
    expect(await renderSvg(pipelineDot(shipped.pipelineTemplate.toJSON() as never))).toBe(committed('architecture.svg'));
  });

  test('shows every action of the pipeline with its stage and role', () => {
    const dot = pipelineDot(pipelineTemplate.toJSON() as never);
    for (const stage of ['1. Source', '2. Build', '3. UpdatePipeline', '4. Assets', '5. Egress', '6. BuildImage', '7. DeployImage']) expect(dot).toContain(`label="${stage}"`);
    expect(dot.match(/ \[label=/g)).toHaveLength(19);
    expect(dot).toContain('role: golden-ami-image-windows-iis-cfn-deploy');
    expect(dot).toContain('role: SupportImageapplinuxPrepareActionRole');
    expect(dot).toContain('parameter-prep (lane)');
  });

  test('names roles readably', () => {
    expect(roleName({ 'Fn::GetAtt': ['PipelineSourceCodeCommitCodePipelineActionRole48F8DEFA', 'Arn'] })).toBe('SourceCodeCommitActionRole');
    expect(roleName({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/golden-ami-fleet-app-linux-deploy']] })).toBe('golden-ami-fleet-app-linux-deploy');
    expect(roleName(undefined)).toBe('pipeline role');
  });
});

describe('docs/environments.svg', () => {
  // Drawn from the environments example (test/fixtures/environments), which names its accounts and regions.
  const dot = () => pipelineDot(fixtureAssembly('environments').pipelineTemplate.toJSON() as never);

  test('is current (regenerate with npm run docs)', async () => {
    expect(await renderSvg(dot())).toBe(committed('environments.svg'));
  });

  test('shows the environments, then the build, then test, the approval and production, with their accounts and regions', () => {
    const text = dot();
    for (const stage of ['5. Environments', '6. BuildImage', '7. Deploy-test', '8. Deploy-production']) expect(text).toContain(`label="${stage}"`);
    expect(text).toContain('Approve-production\\nmanual approval');
    expect(text).toContain('Promote-production-app-linux\\nparameter-prep (promote)');
    expect(text).toContain('stack golden-ami-fleet-app-linux\\n(account 333333333333, eu-west-1)\\nrole: golden-ami-fleet-app-linux-cfn-deploy');
    expect(text).toContain('stack golden-ami-environment-test\\n(account 222222222222)');
  });
});

describe('docs/roles.md', () => {
  test('is current (regenerate with npm run docs)', () => {
    expect(roleInventoryMarkdown(templatesIn(shipped.app.outdir))).toBe(committed('roles.md'));
  });

  test('lists every role of every stack with who assumes it', () => {
    const inventory = roleInventoryMarkdown(templatesIn(app.outdir));
    const roles = Object.values(templatesIn(app.outdir)).flatMap((t) => Object.values(t.Resources).filter((r) => r.Type === 'AWS::IAM::Role'));
    expect(inventory).toContain(`${roles.length} roles.`);
    expect(inventory).toMatch(/\| golden-ami-image-app-linux-cfn-deploy \| golden-ami-pipeline\/Support-Image-app-linux \| role PipelineRole \| cloudformation:CreateChangeSet/);
    expect(inventory).toMatch(/\| golden-ami-fleet-app-linux-cleanup \| golden-ami-pipeline\/Support-Fleet-app-linux \| role CleanupFunctionServiceRole \| cloudformation:DeleteStack, cloudformation:DescribeStackEvents, cloudformation:DescribeStacks on arn:\$\{Partition\}:cloudformation:\$\{Region\}:\$\{AccountId\}:stack\/golden-ami-fleet-app-linux\/\* \|/);
    expect(inventory).toMatch(/\| golden-ami-image-app-linux-cfn-exec \| golden-ami-pipeline \| cloudformation\.amazonaws\.com \| imagebuilder:CancelImageCreation, imagebuilder:CreateComponent/);
    const boundary = 'boundary: golden-ami-instance-boundary<br>';
    expect(inventory).toMatch(new RegExp(`\\| golden-ami-image-app-linux-instance \\| golden-ami-image-app-linux \\| ec2\\.amazonaws\\.com \\| ${boundary}managed: AmazonSSMManagedInstanceCore<br>managed: EC2InstanceProfileForImageBuilder<br>s3:GetObject on `));
    // The Windows image bakes no application: its build role has no artifact grant.
    expect(inventory).toContain(`| golden-ami-image-windows-iis-instance | golden-ami-image-windows-iis | ec2.amazonaws.com | ${boundary}managed: AmazonSSMManagedInstanceCore<br>managed: EC2InstanceProfileForImageBuilder |`);
  });
});

describe('docs/acknowledged-findings.md', () => {
  test('is current (regenerate with npm run docs)', () => {
    expect(acknowledgedFindingsMarkdown(shipped.app)).toBe(committed('acknowledged-findings.md'));
  });

  test('every acknowledgement names a full finding id and gives a reason of its own', () => {
    const findings = acknowledgedFindings(app);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      // cdk-nag ids carry the finding in brackets where the rule reports several (IAM4, IAM5); guard ids name the rule;
      // CloudFormation-Validate ones are aws-cdk-lib's own, on its FlowLog construct, and the validator's budget on the
      // Egress stack's condition (W9052).
      expect(f.id).toMatch(/^(AwsSolutions-(IAM4|IAM5)\[[^\]]+\]|AwsSolutions-(S1|AS3)|NIST\.800\.53\.R5-[A-Za-z0-9]+|cdk-validator-cfnguard::[a-z0-9_]+|CloudFormation-Validate::(F300[23]|W9052))$/);
      expect(f.reason.length).toBeGreaterThan(40);
    }
  });
});
