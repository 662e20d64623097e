import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { IPolicyValidationContext, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { GuardRuleSet, referencedLogicalIds } from '../../lib/validation/guard-input';
import { guardRulePaths } from '../../lib/validation/guard-rules';
import { RobustCfnGuardValidator } from '../../lib/validation/robust-cfn-guard';
import { fixtureAssembly, PRESYNTHESIZED_FIXTURES } from '../helpers/fixture-assembly';

const rules = (...texts: string[]) => new GuardRuleSet(texts.map((text, i) => ({ file: `rule-${i}.guard`, text })));

/** The shape of a Control Tower rule file (ct-s3-pr-2.guard, abridged). */
const CONTROL_TOWER_STYLE = `
let S3_BUCKET_TYPE = "AWS::S3::Bucket"
let s3_buckets = Resources.*[ Type == %S3_BUCKET_TYPE ]
rule s3_bucket_logging_enabled_check when is_cfn_template(this) %s3_buckets not empty {
  check(%s3_buckets.Properties) <<[CT.S3.PR.2]: Require Resources to log>>
}
rule query_for_resource(doc, resource_key, referenced_resource_type) {
    let referenced_resource = %doc.Resources[ keys == %resource_key ]
    %referenced_resource not empty
    %referenced_resource {
        Type == %referenced_resource_type
    }
}
rule is_cfn_template(doc) { %doc { AWSTemplateFormatVersion exists or Resources exists } }
`;

describe('GuardRuleSet', () => {
  test('the rule directories the app runs can be reduced, and name the types they select', () => {
    const set = GuardRuleSet.fromPaths(guardRulePaths());
    expect(set.unreducibleQueries).toEqual([]);
    expect(set.reducible).toBe(true);
    for (const type of ['aws::s3::bucket', 'aws::iam::role', 'aws::lambda::permission', 'aws::ec2::securitygroup']) expect(set.resourceTypes.has(type)).toBe(true);
    expect(set.resourceTypes.has('aws::codepipeline::pipeline')).toBe(false);
  });

  test('a Control Tower style rule file can be reduced: comments and messages are not queries', () => {
    expect(rules(`# Resources.* in a comment\n${CONTROL_TOWER_STYLE}`).unreducibleQueries).toEqual([]);
  });

  test.each([
    ['an unfiltered query', 'let all = Resources.*\nrule r { %all.Properties exists }', 'unfiltered query'],
    ['a filter on properties', 'let some = Resources.*[ Properties.Encrypted exists ]', 'not a type comparison'],
    ['a type compared with a regex', 'let EC2 = /AWS::EC2::.*/\nlet ec2 = Resources.*[ Type == %EC2 ]', 'not bound to literal types'],
    ['a negated type', 'let T = "AWS::S3::Bucket"\nlet others = Resources.*[ Type != %T ]', 'not a type comparison'],
    ['a count of all resources', 'rule r { Resources not empty }', 'unfiltered query'],
    ['a looked-up resource whose properties are read', 'rule q(doc, k) {\n let x = %doc.Resources[ keys == %k ]\n %x.Properties.Name exists\n}', 'used beyond existence and type'],
  ])('%s makes the rule set unreducible', (_title, text, problem) => {
    const set = rules(CONTROL_TOWER_STYLE, text);
    expect(set.reducible).toBe(false);
    expect(set.unreducibleQueries.join('\n')).toContain(problem);
  });

  test('a rule set that cannot be reduced gets the template whole', () => {
    const template = { Resources: { Topic: { Type: 'AWS::SNS::Topic' } } };
    expect(rules('let all = Resources.*').reduce(template)).toBe(template);
  });

  test('reduce keeps the selected types whole, a stub of what they reference, every other section, and nothing else', () => {
    const template = {
      AWSTemplateFormatVersion: '2010-09-09',
      Parameters: { Stage: { Type: 'String' } },
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
      Resources: {
        Logs: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'logs' } },
        Data: {
          Type: 'aws::s3::BUCKET',
          DependsOn: 'Queue',
          Properties: {
            LoggingConfiguration: { DestinationBucketName: { Ref: 'Logs' } },
            NotificationConfiguration: { TopicConfigurations: [{ Topic: { Ref: 'Topic' }, Event: { 'Fn::GetAtt': ['Function', 'Arn'] } }] },
            Tags: [{ Key: 'k', Value: { 'Fn::Sub': '${Parameter}-${Role.Arn}-${Stage}' } }, { Key: 'v', Value: { 'Fn::GetAtt': 'Key.Arn' } }],
          },
        },
        Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'x'.repeat(100) } },
        Function: { Type: 'AWS::CodeBuild::Fleet', Properties: {} },
        Parameter: { Type: 'AWS::SSM::Parameter', Properties: { Value: 'y' } },
        Role: { Type: 'AWS::IAM::Role', Properties: { Path: '/' } },
        Key: { Type: 'AWS::KMS::Alias', Properties: {} },
        Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
        Pipeline: { Type: 'AWS::CodePipeline::Pipeline', Properties: { Stages: [] } },
      },
      Outputs: { Out: { Value: { Ref: 'Pipeline' } } },
    };
    const reduced = rules(CONTROL_TOWER_STYLE).reduce(template);
    expect(reduced).toEqual({
      AWSTemplateFormatVersion: '2010-09-09',
      Parameters: template.Parameters,
      Conditions: template.Conditions,
      Resources: {
        Logs: template.Resources.Logs,
        Data: template.Resources.Data,
        Topic: { Type: 'AWS::SNS::Topic' },
        Function: { Type: 'AWS::CodeBuild::Fleet' },
        Parameter: { Type: 'AWS::SSM::Parameter' },
        Role: { Type: 'AWS::IAM::Role' },
        Key: { Type: 'AWS::KMS::Alias' },
        Queue: { Type: 'AWS::SQS::Queue' },
      },
      Outputs: template.Outputs,
    });
  });

  test('references are found through Ref, Fn::GetAtt in both forms, Fn::Sub and DependsOn', () => {
    expect([
      ...referencedLogicalIds({
        DependsOn: ['A', 'B'],
        Properties: { X: { Ref: 'C' }, Y: { 'Fn::GetAtt': ['D', 'Arn'] }, Z: { 'Fn::GetAtt': 'E.Arn' }, W: { 'Fn::Sub': ['${F}/${G.Arn}/${!Literal}', { G: 'g' }] } },
      }),
    ].sort()).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G']);
  });
});

describe('cfn-guard on reduced templates', () => {
  /** Runs the plugin exactly as CDK does, in this thread, on the given template files. */
  function guardReport(templatePaths: string[]): PolicyValidationPluginReport {
    const plugin = new RobustCfnGuardValidator({ controlTowerRulesEnabled: false, rules: guardRulePaths() });
    return plugin.validate({ templatePaths } as IPolicyValidationContext);
  }

  test.each(PRESYNTHESIZED_FIXTURES)('finds exactly what it finds on the whole templates of the %s fixture (findings acknowledged in the app included)', (fixture) => {
    const { outdir, assembly } = fixtureAssembly(fixture);
    const originals = assembly.stacksRecursively.map((s) => s.templateFullPath);
    const set = GuardRuleSet.fromPaths(guardRulePaths());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-guard-input-'));
    const reduced = originals.map((file) => {
      const target = path.join(dir, path.relative(outdir, file));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, JSON.stringify(set.reduce(JSON.parse(fs.readFileSync(file, 'utf8')))));
      return target;
    });
    expect(reduced.reduce((n, f) => n + fs.statSync(f).size, 0)).toBeLessThan(originals.reduce((n, f) => n + fs.statSync(f).size, 0));

    const relative = (report: PolicyValidationPluginReport, root: string) =>
      report.violations.map((v) => ({ ...v, violatingResources: v.violatingResources.map((r) => ({ ...r, templatePath: path.relative(root, r.templatePath ?? '') })) }));
    const whole = guardReport(originals);
    expect(whole.violations.length).toBeGreaterThan(0);
    expect(relative(guardReport(reduced), dir)).toEqual(relative(whole, outdir));
  });
});
