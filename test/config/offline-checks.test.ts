import { MAX_IMAGES } from '../../lib/config/limits';
import { LINUX_COMPONENT, MINIMAL_LINUX_IMAGE, problemLines, smallConfigDir } from './small-config';

const image = (extra: string) => `${MINIMAL_LINUX_IMAGE}${extra}\n`;
const windowsImage = (extra: string) => `name: web\nversion: "1.0"\nplatform: windows\ncomponents: [aws/update-windows/x.x.x, hello-windows]\n${extra}\n`;
const component = (text: string) => ({ 'components/hello.yaml': text });
const utf16 = (text: string, bom: boolean) => Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);

/**
 * One mistake per rule that used to synthesize cleanly (or end in a stack trace) and fail later in AWS: the files to
 * write over a small configuration, and the one line the user must see.
 */
const MISTAKES: Array<[string, Record<string, string | Buffer | null>, RegExp]> = [
  // Instance types (lib/config/data/ec2-instance-types.json)
  ['a build instance type that does not exist', { 'images/web.yaml': image('buildInstanceTypes: [t3.mirco]') }, /^images\/web\.yaml: buildInstanceTypes\[0\] is not an EC2 instance type \(got "t3\.mirco"\)\. Fix: did you mean t3\.micro\? Otherwise use a type from `aws ec2 describe-instance-types`/],
  ['a fleet instance type that does not exist', { 'images/web.yaml': image('fleet: { instanceType: m5.lage }') }, /^images\/web\.yaml: fleet\.instanceType is not an EC2 instance type \(got "m5\.lage"\)\. Fix: did you mean m5\.large/],
  ['a Graviton build type on an x86 parent', { 'images/web.yaml': image('buildInstanceTypes: [t4g.small]') }, /^images\/web\.yaml: buildInstanceTypes\[0\] is an arm64 type \(Graviton\), but the parent image amazon-linux-2023-x86\/x\.x\.x is x86_64: Image Builder cannot launch it there \(got "t4g\.small"\)\. Fix: use an x86_64 type such as t3\.small, or an arm64 parent image/],
  ['an x86 fleet type on an arm64 parent', { 'images/web.yaml': image('parentImage: amazon-linux-2023-arm64/x.x.x\nbuildInstanceTypes: [t4g.small]\nfleet: { instanceType: t3.micro }') }, /^images\/web\.yaml: fleet\.instanceType is an x86_64 type, but the parent image amazon-linux-2023-arm64\/x\.x\.x is arm64: .*\(got "t3\.micro"\)\. Fix: use an arm64 type such as t4g\.small/],
  ['the default build type on an arm64 parent', { 'images/web.yaml': image('parentImage: amazon-linux-2023-arm64/x.x.x') }, /^images\/web\.yaml: buildInstanceTypes \(default\) is an x86_64 type, but the parent image amazon-linux-2023-arm64\/x\.x\.x is arm64/],
  ['an x86 build type on an arm64 SSM parent', { 'images/web.yaml': image('parentImage: ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64\nbuildInstanceTypes: [c5.large]') }, /^images\/web\.yaml: buildInstanceTypes\[0\] is an x86_64 type, but the parent image ssm:.* is arm64/],
  // AWS-managed components and parent images (lib/config/data/imagebuilder-managed-*.json)
  ['a misspelled AWS-managed component', { 'images/web.yaml': 'name: web\nversion: "1.0"\ncomponents: [aws/update-linx/x.x.x]\n' }, /^images\/web\.yaml: components\[0\] names no AWS-managed component "update-linx" \(got "aws\/update-linx\/x\.x\.x"\)\. Fix: did you mean aws\/update-linux\/x\.x\.x\?/],
  ['a component version Image Builder rejects (x.1.x)', { 'images/web.yaml': 'name: web\nversion: "1.0"\ncomponents: [aws/update-linux/x.1.x]\n' }, /^images\/web\.yaml: components\[0\] version x\.1\.x has a number after an x: every part after the first x must be x too \(got "aws\/update-linux\/x\.1\.x"\)\. Fix: use e\.g\. aws\/update-linux\/x\.x\.x/],
  ['a component version part over 2^30-1', { 'images/web.yaml': 'name: web\nversion: "1.0"\ncomponents: [aws/update-linux/1073741824.0.0]\n' }, /^images\/web\.yaml: components\[0\] version 1073741824\.0\.0 has a part above 1073741823 \(2\^30-1\)/],
  ['a Windows AWS-managed component the data knows, on a Linux image', { 'images/web.yaml': 'name: web\nversion: "1.0"\ncomponents: [aws/chocolatey/x.x.x, aws/windows-activation-test/x.x.x]\n' }, /^images\/web\.yaml: components\[1\] is a windows component, but the image is linux/],
  ['a misspelled parent image', { 'images/web.yaml': image('parentImage: amazn-linux-2023-x86/x.x.x') }, /^images\/web\.yaml: parentImage names no AWS-managed image "amazn-linux-2023-x86" \(got "amazn-linux-2023-x86\/x\.x\.x"\)\. Fix: did you mean amazon-linux-2023-x86\/x\.x\.x\?/],
  ['a parent image version Image Builder rejects', { 'images/web.yaml': image('parentImage: amazon-linux-2023-x86/1.x.0') }, /^images\/web\.yaml: parentImage version 1\.x\.0 has a number after an x.*Fix: use e\.g\. amazon-linux-2023-x86\/1\.x\.x/],
  ['a Windows image with a Linux parent', { 'images/web.yaml': windowsImage('parentImage: amazon-linux-2023-x86/x.x.x') }, /^images\/web\.yaml: parentImage is a Linux image, but platform is windows \(got "amazon-linux-2023-x86\/x\.x\.x"\)\. Fix: use a Windows parent such as windows-server-2022-english-full-base-x86\/x\.x\.x, or set platform: linux/],
  ['a Linux image with a Windows SSM parent', { 'images/web.yaml': image('parentImage: ssm:/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base') }, /^images\/web\.yaml: parentImage is a Windows image, but platform is linux/],
  ['a macOS parent', { 'images/web.yaml': image('parentImage: macos-sonoma-arm64/x.x.x') }, /^images\/web\.yaml: parentImage is a macOS image; this pipeline builds linux and windows images/],
  // Component documents (AWSTOE, lib/config/data/awstoe-actions.json)
  ['an unknown AWSTOE action', component(LINUX_COMPONENT.replace('ExecuteBash', 'ExecuteBsh')), /^components\/hello\.yaml: phases\[0\]\.steps\[0\]\.action is not an AWSTOE action module \(got "ExecuteBsh"\)\. Fix: did you mean ExecuteBash\?/],
  ['a step without an action', component(LINUX_COMPONENT.replace('        action: ExecuteBash\n', '')), /^components\/hello\.yaml: phases\[0\]\.steps\[0\]\.action is required\. Fix: name an AWSTOE action module/],
  ['two steps of one name', component(`${LINUX_COMPONENT}      - name: SayHello\n        action: Reboot\n`), /^components\/hello\.yaml: phases\[0\]\.steps\[1\]\.name is used by another step of this phase/],
  ['a phase Image Builder never runs', component(LINUX_COMPONENT.replace('name: build', 'name: install')), /^components\/hello\.yaml: phases\[0\]\.name is not a phase Image Builder runs \(build, validate, test\): its steps would never run \(got "install"\)/],
  ['no schemaVersion', component(LINUX_COMPONENT.replace('schemaVersion: 1.0\n', '')), /^components\/hello\.yaml: schemaVersion is required by AWSTOE\. Fix: add the line `schemaVersion: 1\.0`/],
  ['another schemaVersion', component(LINUX_COMPONENT.replace('schemaVersion: 1.0', 'schemaVersion: 2.0')), /^components\/hello\.yaml: schemaVersion must be 1\.0, the only AWSTOE document schema version \(got 2\)/],
  ['a parameter without a default', component(LINUX_COMPONENT.replace('phases:', 'parameters:\n  - Greeting:\n      type: string\nphases:')), /^components\/hello\.yaml: parameters\[0\]\.Greeting has no default, and the pipeline passes a value only for ApplicationArtifactS3Uri.*Fix: add `default: <value>` under Greeting/],
  ['a document over 16,000 characters', component(`${LINUX_COMPONENT}# ${'x'.repeat(16000)}\n`), /^components\/hello\.yaml is 16,\d{3} characters long; Image Builder takes a component document of at most 16,000.*Fix: shorten it/],
  ['a Windows-only action in a Linux image', component(LINUX_COMPONENT.replace('ExecuteBash', 'SetRegistry').replace('commands: [echo hello]', '- { path: HKLM:\\\\SOFTWARE\\\\X, name: a, value: b, type: SZ }')), /^images\/web\.yaml: components\[1\] runs windows steps \(SetRegistry\), but the image is linux/],
  // Schedules (EventBridge Scheduler)
  ['a five-field cron', { 'pipeline.yaml': 'operations: { rebuildSchedule: "cron(0 3 * * SUN)" }' }, /^pipeline\.yaml: operations\.rebuildSchedule has 5 fields; EventBridge Scheduler's cron\(\) has 6 .*Fix: EventBridge Scheduler's cron has a year field too: e\.g\. cron\(0 3 \* \* SUN \*\), with \? in day-of-month or day-of-week/],
  ['both day fields set', { 'pipeline.yaml': 'operations: { rebuildSchedule: "cron(0 3 1 * SUN *)" }' }, /^pipeline\.yaml: operations\.rebuildSchedule sets both day-of-month \(1\) and day-of-week \(SUN\); exactly one of them must be \? \(got "cron\(0 3 1 \* SUN \*\)"\)\. Fix: e\.g\. cron\(0 3 \? \* SUN \*\)/],
  ['neither day field ?', { 'pipeline.yaml': 'operations: { rebuildSchedule: "cron(0 3 ? * ? *)" }' }, /^pipeline\.yaml: operations\.rebuildSchedule leaves both day-of-month and day-of-week as \?/],
  ['hour 25', { 'pipeline.yaml': 'operations: { rebuildSchedule: "cron(0 25 ? * SUN *)" }' }, /^pipeline\.yaml: operations\.rebuildSchedule hours has 25, outside 0-23 \(got "cron\(0 25 \? \* SUN \*\)"\)/],
  ['a day name that does not exist', { 'pipeline.yaml': 'operations: { rebuildSchedule: "cron(0 3 ? * SUNDAY *)" }' }, /^pipeline\.yaml: operations\.rebuildSchedule day-of-week has SUNDAY, outside 1-7 or SUN-SAT/],
  ['? in the minutes', { 'pipeline.yaml': 'operations: { rebuildSchedule: "cron(? 3 ? * SUN *)" }' }, /^pipeline\.yaml: operations\.rebuildSchedule minutes cannot be \? \(only day-of-month and day-of-week can\)/],
  ['a year before 1970', { 'pipeline.yaml': 'operations: { rebuildSchedule: "cron(0 3 ? * SUN 1969)" }' }, /^pipeline\.yaml: operations\.rebuildSchedule year has 1969, outside 1970-2199/],
  ['a misspelled time zone', { 'pipeline.yaml': 'operations: { scheduleTimezone: Europe/Berln }' }, /^pipeline\.yaml: operations\.scheduleTimezone is not an IANA time zone \(got "Europe\/Berln"\)\. Fix: did you mean Europe\/Berlin\?/],
  ['a time zone in other letter case', { 'pipeline.yaml': 'operations: { scheduleTimezone: europe/berlin }' }, /^pipeline\.yaml: operations\.scheduleTimezone is not spelled as the IANA time zone database spells it \(got "europe\/berlin"\)\. Fix: write Europe\/Berlin/],
  ['a UTC offset as time zone', { 'pipeline.yaml': 'operations: { scheduleTimezone: "+01:00" }' }, /^pipeline\.yaml: operations\.scheduleTimezone is not valid \(got "\+01:00"\)|^pipeline\.yaml: operations\.scheduleTimezone is not an IANA time zone/],
  // Network (lib/pipeline/pipeline-network.ts: /24 public and /22 private per zone)
  ['a CIDR with host bits set', { 'pipeline.yaml': 'network: { vpcCidr: 10.40.7.0/16 }' }, /^pipeline\.yaml: network\.vpcCidr is not a network address: the bits after \/16 must be 0, or the VPC lands on another network than the one written \(got "10\.40\.7\.0\/16"\)\. Fix: write 10\.40\.0\.0\/16/],
  ['a CIDR too small for two zones', { 'pipeline.yaml': 'network: { vpcCidr: 10.40.0.0/22 }' }, /^pipeline\.yaml: network\.vpcCidr is too small for the subnets the VPC gets: 2 zones × \(a \/24 public and a \/22 private subnet\) need at least a \/20 \(got "10\.40\.0\.0\/22"\)\. Fix: use a \/20 or larger, e\.g\. 10\.40\.0\.0\/20, or lower network\.maxAzs/],
  ['a CIDR too small for one zone', { 'pipeline.yaml': 'network: { vpcCidr: 10.40.0.0/22, maxAzs: 1 }' }, /need at least a \/21 .*Fix: use a \/21 or larger, e\.g\. 10\.40\.0\.0\/21$/],
  ['an octet over 255', { 'pipeline.yaml': 'network: { vpcCidr: 10.400.0.0/16 }' }, /^pipeline\.yaml: network\.vpcCidr has an octet over 255 \(got "10\.400\.0\.0\/16"\)\. Fix: use four numbers from 0 to 255/],
  // Names
  ['a branch name git cannot have', { 'pipeline.yaml': 'source: { branch: "release..1" }' }, /^pipeline\.yaml: source\.branch is not a branch name git accepts: it cannot contain \.\. \(got "release\.\.1"\)\. Fix: use the branch as `git branch` shows it/],
  ['a branch name with a space', { 'pipeline.yaml': 'source: { branch: "my branch" }' }, /^pipeline\.yaml: source\.branch is not a branch name git accepts: it cannot contain a space/],
  ['an SSM parameter under the reserved aws prefix', { 'images/web.yaml': image('distribution: { ssmParameter: /aws/golden/web }') }, /^images\/web\.yaml: distribution\.ssmParameter starts with aws or ssm, which SSM reserves \(in any letter case\) \(got "\/aws\/golden\/web"\)\. Fix: use a prefix of your own/],
  ['an SSM parameter under ssm in capitals', { 'images/web.yaml': image('distribution: { ssmParameter: /SSMstuff/web }') }, /^images\/web\.yaml: distribution\.ssmParameter starts with aws or ssm/],
  ['an SSM parameter sixteen levels deep', { 'images/web.yaml': image(`distribution: { ssmParameter: ${'/a'.repeat(16)} }`) }, /^images\/web\.yaml: distribution\.ssmParameter has 16 levels; SSM allows at most 15/],
  ['an SSM parameter too long with its ARN', { 'pipeline.yaml': 'region: eu-west-1', 'images/web.yaml': image(`distribution: { ssmParameter: /golden/${'x'.repeat(990)} }`) }, /^images\/web\.yaml: distribution\.ssmParameter is 998 characters; with its ARN \(44 characters in the longest distribution region\) SSM allows 967/],
  // Lengths that break once the app appends its own text
  ['a description with no room for the AMI suffix', { 'images/web.yaml': image(`description: ${'d'.repeat(1000)}`) }, /^images\/web\.yaml: description is 1000 characters; the AMI description is this text followed by " \(golden-ami-pipeline golden-ami\)", and Image Builder takes at most 1024\. Fix: shorten it to at most 991 characters/],
  ['an AMI name with characters Image Builder refuses', { 'images/web.yaml': image('distribution: { amiName: "web/{{ imagebuilder:buildDate }}" }') }, /^images\/web\.yaml: distribution\.amiName has characters Image Builder does not accept in an AMI name/],
  // Files the loader would skip, and the directory itself
  ['an image written as JSON', { 'images/api.json': '{"name": "api", "version": "1.0"}' }, /^images\/api\.json is not read: only \.yaml files are image definitions, so it is never built\. Fix: write it as YAML in api\.yaml/],
  ['an image with an upper-case extension', { 'images/api.YAML': 'name: api\nversion: "1.0"\n' }, /^images\/api\.YAML is not read: .*Fix: rename it to api\.yaml \(lower case\)/],
  ['an image in a subfolder', { 'images/team-a/api.yaml': 'name: api\nversion: "1.0"\n' }, /^images\/team-a is a folder; only image files directly in images are read, so nothing in it is built\. Fix: move its \.yaml files up into images/],
  ['a component in a subfolder', { 'components/extra/tool.yaml': LINUX_COMPONENT }, /^components\/extra is a folder; only component files directly in components are read/],
  ['no pipeline.yaml', { 'pipeline.yaml': null }, /^pipeline\.yaml is missing\. Fix: create it \(an empty pipeline\.yaml takes every default\)/],
  ['no images folder', { 'images/web.yaml': null }, /^images is missing\. Fix: create images\/ with one <name>\.yaml per image/],
  ['an empty images folder', { 'images/web.yaml': null, 'images/': '' }, /^images holds no image definition\. Fix: add at least one <name>\.yaml image file/],
  ['too many images', Object.fromEntries(Array.from({ length: MAX_IMAGES }, (_, i) => [`images/web${i}.yaml`, `name: web${i}\nversion: "1.0"\ncomponents: [hello]\n`])), new RegExp(`^images holds ${MAX_IMAGES + 1} images; one pipeline holds at most ${MAX_IMAGES} .*Fix: keep at most ${MAX_IMAGES} image files here`)],
  // Encodings
  ['an image saved as UTF-16 by PowerShell (with a byte-order mark)', { 'images/web.yaml': utf16(MINIMAL_LINUX_IMAGE, true) }, /^images\/web\.yaml is saved as UTF-16; the configuration must be UTF-8\. Fix: save it as UTF-8 without a byte-order mark/],
  ['pipeline.yaml as UTF-16 without a byte-order mark', { 'pipeline.yaml': utf16('name: golden-ami\n', false) }, /^pipeline\.yaml is saved as UTF-16; the configuration must be UTF-8\. Fix: save it as UTF-8/],
  ['a component with a UTF-8 byte-order mark', { 'components/hello.yaml': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(LINUX_COMPONENT)]) }, /^components\/hello\.yaml starts with a UTF-8 byte-order mark.*Fix: save it as UTF-8 without a byte-order mark/],
  ['an image in Windows-1252', { 'images/web.yaml': Buffer.from(`${MINIMAL_LINUX_IMAGE}description: caf\xe9\n`, 'latin1') }, /^images\/web\.yaml is not valid UTF-8 \(saved in another encoding, such as Windows-1252\)\. Fix: save it as UTF-8/],
];

describe('mistakes that used to reach AWS are caught offline, with file, field, value and fix', () => {
  test.each(MISTAKES)('%s', (_name, files, expected) => {
    const problems = problemLines(smallConfigDir(files));
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    for (const p of problems) expect(p).toMatch(/\. Fix: \S/);
  });

  test('a configuration directory that does not exist is one line, not a stack trace', () => {
    expect(problemLines('/nonexistent/golden-ami-config')).toEqual([
      '<dir> is not a configuration directory (it does not exist). Fix: point configDir at a directory holding pipeline.yaml and images/, e.g. -c configDir=pipeline-assets',
    ]);
  });
});

/** What must keep loading: valid values near each rule's edge, and names newer than the data files. */
const ACCEPTED: Array<[string, Record<string, string | Buffer | null>]> = [
  ['a configuration directory without schema/ (the schemas are the product\'s)', {}],
  ['an AWS-managed component newer than the data (far from any known name)', { 'images/web.yaml': 'name: web\nversion: "1.0"\ncomponents: [aws/golden-new-agent-linux/1.0.x]\n' }],
  ['a version the data does not know yet (digits only differ)', { 'images/web.yaml': 'name: web\nversion: "1.0"\ncomponents: [aws/amazon-corretto-25-jdk/x.x.x]\n' }],
  ['AWS-managed names with capitals and underscores', { 'images/web.yaml': 'name: web\nversion: "1.0"\ncomponents: [aws/php-8_2-linux/x.x.x]\n' }],
  ['a managed image not in the data', { 'images/web.yaml': image('parentImage: ubuntu-server-20-lts-x86/x.x.x') }],
  ['an AMI parent (nothing known about it)', { 'images/web.yaml': image('parentImage: ami-0123456789abcdef0\nbuildInstanceTypes: [t4g.small]') }],
  ['a Graviton build on an arm64 parent', { 'images/web.yaml': image('parentImage: amazon-linux-2023-arm64/x.x.x\nbuildInstanceTypes: [c7g.large]\nfleet: { instanceType: t4g.micro }') }],
  ['a type whose architecture the data does not know', { 'images/web.yaml': image('buildInstanceTypes: [u-6tb1.metal]') }],
  ['version selectors 1.x.x and 1.0.2', { 'images/web.yaml': 'name: web\nversion: "1.0"\ncomponents: [aws/update-linux/1.x.x, aws/aws-cli-version-2-linux/1.0.2]\n' }],
  ['a cron with L, W, # and increments', { 'pipeline.yaml': 'operations: { rebuildSchedule: "cron(0/15 1-5 LW * ? 2026-2199)" }' }],
  ['a cron on the first Monday', { 'pipeline.yaml': 'operations: { rebuildSchedule: "cron(0 3 ? JAN-DEC MON#1 *)" }' }],
  ['a rate', { 'pipeline.yaml': 'operations: { rebuildSchedule: rate(7 days) }' }],
  ['no schedule', { 'pipeline.yaml': 'operations: { rebuildSchedule: none, scheduleTimezone: Etc/GMT+5 }' }],
  ['an IANA alias time zone', { 'pipeline.yaml': 'operations: { scheduleTimezone: US/Eastern }' }],
  ['the smallest CIDR for three zones', { 'pipeline.yaml': 'network: { vpcCidr: 10.40.0.0/20, maxAzs: 3, natGateways: 1 }' }],
  ['a branch with a slash', { 'pipeline.yaml': 'source: { branch: release/1.0 }' }],
  ['a 967-character SSM parameter in us-east-1 (1011 with its ARN)', { 'pipeline.yaml': 'region: us-east-1', 'images/web.yaml': image(`distribution: { ssmParameter: /golden/${'x'.repeat(959)} }`) }],
  ['an image .yml file', { 'images/web.yaml': null, 'images/web.yml': MINIMAL_LINUX_IMAGE }],
  ['notes and hidden files beside the images', { 'images/README.md': '# notes', 'images/.gitkeep': '' }],
  ['a parameter with a default, and the artifact parameter without one', { 'components/hello.yaml': LINUX_COMPONENT.replace('phases:', 'parameters:\n  - Greeting:\n      type: string\n      default: hi\n  - ApplicationArtifactS3Uri:\n      type: string\nphases:') }],
  [`${MAX_IMAGES} images`, Object.fromEntries(Array.from({ length: MAX_IMAGES }, (_, i) => [`images/web${i}.yaml`, `name: web${i}\nversion: "1.0"\ncomponents: [hello]\n`]))],
];

describe('what must keep loading', () => {
  test.each(ACCEPTED)('%s', (_name, files) => {
    const all = { ...files };
    if (Object.keys(files).some((f) => f.startsWith('images/web') && f !== 'images/web.yaml' && f !== 'images/web.yml')) all['images/web.yaml'] = null;
    expect(problemLines(smallConfigDir(all))).toEqual([]);
  });
});
