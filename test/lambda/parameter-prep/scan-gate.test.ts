import { describeFinding, judgeFindings, refusalMessage, type ScanFinding } from '../../../lambda/parameter-prep/scan-gate';
import { isCalendarDate, parseScanPolicy } from '../../../lambda/parameter-prep/scan-policy';

const finding = (id: string, severity: string, score?: number): ScanFinding => ({ id, severity, score, packages: [{ name: 'openssl', version: '3.0.8', fixedInVersion: '3.0.9' }] });
const policy = (failOn: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'none', ignore: Array<{ id: string; reason: string; expires: string }> = []) => ({ enabled: true as const, file: 'images/app.yaml', failOn, ignore });
const TODAY = '2026-11-22';

describe('judgeFindings', () => {
  test.each<[string, ScanFinding[], ReturnType<typeof policy>, string[]]>([
    ['nothing found', [], policy('CRITICAL'), []],
    ['a CRITICAL finding over CRITICAL', [finding('CVE-1', 'CRITICAL')], policy('CRITICAL'), ['CVE-1']],
    ['a HIGH finding under CRITICAL', [finding('CVE-2', 'HIGH')], policy('CRITICAL'), []],
    ['HIGH and CRITICAL over HIGH', [finding('CVE-1', 'CRITICAL'), finding('CVE-2', 'HIGH'), finding('CVE-3', 'MEDIUM')], policy('HIGH'), ['CVE-1', 'CVE-2']],
    ['MEDIUM over MEDIUM; LOW never', [finding('CVE-3', 'MEDIUM'), finding('CVE-4', 'LOW')], policy('MEDIUM'), ['CVE-3']],
    ['UNTRIAGED and INFORMATIONAL never block', [finding('CVE-5', 'UNTRIAGED'), finding('CVE-6', 'INFORMATIONAL')], policy('MEDIUM'), []],
    ['none never blocks', [finding('CVE-1', 'CRITICAL')], policy('none'), []],
    ['ignored through its expiry day', [finding('CVE-1', 'CRITICAL')], policy('CRITICAL', [{ id: 'CVE-1', reason: 'r', expires: TODAY }]), []],
    ['counted again the day after', [finding('CVE-1', 'CRITICAL')], policy('CRITICAL', [{ id: 'CVE-1', reason: 'r', expires: '2026-11-21' }]), ['CVE-1']],
    ['an ignore covers only its own id', [finding('CVE-1', 'CRITICAL'), finding('CVE-7', 'CRITICAL')], policy('CRITICAL', [{ id: 'CVE-1', reason: 'r', expires: '2999-01-01' }]), ['CVE-7']],
  ])('%s', (_name, findings, p, blocking) => {
    expect(judgeFindings(findings, p, TODAY).blocking.map((f) => f.id)).toEqual(blocking);
  });

  test('counts leave ignored findings out and list them apart; expired entries are named', () => {
    const verdict = judgeFindings(
      [finding('CVE-1', 'CRITICAL'), finding('CVE-2', 'HIGH'), finding('CVE-3', 'LOW'), finding('CVE-9', 'UNTRIAGED')],
      policy('CRITICAL', [
        { id: 'CVE-1', reason: 'not loaded', expires: '2027-01-31' },
        { id: 'CVE-2', reason: 'old', expires: '2026-01-01' },
      ]),
      TODAY,
    );
    expect(verdict).toMatchObject({
      counts: 'CRITICAL 0, HIGH 1, MEDIUM 0, LOW 1, other 1',
      ignored: 'CVE-1 until 2027-01-31 (not loaded)',
      expired: 'CVE-2 (ignore expired 2026-01-01)',
    });
  });

  test('the worst come first (severity, then score) and at most three are named, saying how many more', () => {
    const verdict = judgeFindings([finding('CVE-L', 'LOW', 3), finding('CVE-H1', 'HIGH', 7.1), finding('CVE-H2', 'HIGH', 8.8), finding('CVE-C', 'CRITICAL', 9.1), finding('CVE-M', 'MEDIUM')], policy('none'), TODAY);
    expect(verdict.worst.split('; ').map((w) => w.split(' ')[0])).toEqual(['CVE-C', 'CVE-H2', 'CVE-H1', 'and']);
    expect(verdict.worst).toMatch(/; and 2 more$/);
  });

  test('a long list stays within one output variable', () => {
    const ignore = Array.from({ length: 40 }, (_, i) => ({ id: `CVE-2026-${1000 + i}`, reason: 'a reason long enough to matter in a list of many entries', expires: '2999-01-01' }));
    const verdict = judgeFindings(ignore.map((e) => finding(e.id, 'HIGH')), policy('CRITICAL', ignore), TODAY);
    expect(verdict.ignored.length).toBeLessThanOrEqual(900);
    expect(verdict.ignored).toMatch(/; and \d+ more$/);
  });
});

describe('describeFinding', () => {
  test.each<[ScanFinding, string]>([
    [finding('CVE-1', 'CRITICAL', 9.8), 'CVE-1 CRITICAL 9.8: openssl 3.0.8 (fixed in 3.0.9)'],
    [{ id: 'CVE-2', severity: 'HIGH', packages: [{ name: 'zlib', fixedInVersion: 'NotAvailable' }] }, 'CVE-2 HIGH: zlib (no fix yet)'],
    [{ id: 'CVE-3', severity: 'MEDIUM', packages: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }] }, 'CVE-3 MEDIUM: a (no fix yet), b (no fix yet) and 2 more'],
    [{ id: 'CVE-4', severity: 'LOW', packages: [] }, 'CVE-4 LOW'],
  ])('%j', (f, text) => expect(describeFinding(f)).toBe(text));
});

test('the refusal names the image, the AMI, the threshold, the file, what the fleet keeps and both fixes', () => {
  const p = policy('HIGH');
  const text = refusalMessage({ image: 'app', amiId: 'ami-1', version: '1.0.3' }, p, judgeFindings([finding('CVE-2', 'HIGH')], p, TODAY));
  expect(text).toMatch(/^app: AMI ami-1 \(version 1\.0\.3\) is not released: Amazon Inspector found 1 finding at or above scanning\.failOn HIGH \(images\/app\.yaml\)\./);
  expect(text).toContain('The fleet keeps its current release (none yet).');
  expect(text).toContain('rebuild=app');
  expect(text).toContain('add its id to scanning.ignore in images/app.yaml with a reason and an expiry date');
});

describe('parseScanPolicy', () => {
  test('reads both forms', () => {
    expect(parseScanPolicy('/p', JSON.stringify(policy('HIGH', [{ id: 'CVE-1', reason: 'r', expires: '2027-01-31' }])))).toEqual(policy('HIGH', [{ id: 'CVE-1', reason: 'r', expires: '2027-01-31' }]));
    expect(parseScanPolicy('/p', JSON.stringify({ enabled: false, file: 'f', reason: 'lab' }))).toEqual({ enabled: false, file: 'f', reason: 'lab' });
  });

  test.each([
    ['not JSON', '{', /not JSON/],
    ['no file', JSON.stringify({ enabled: true, failOn: 'HIGH', ignore: [] }), /"file" is not a string/],
    ['off without a reason', JSON.stringify({ enabled: false, file: 'f' }), /"reason" is missing/],
    ['an unknown failOn', JSON.stringify({ ...policy('HIGH'), failOn: 'LOW' }), /"failOn" is "LOW"/],
    ['an ignore entry without a date', JSON.stringify({ ...policy('HIGH'), ignore: [{ id: 'CVE-1', reason: 'r' }] }), /ignore\[0\] is not \{id, reason, expires: YYYY-MM-DD\}/],
  ])('refuses %s, naming the parameter and the fix', (_name, text, message) => {
    expect(() => parseScanPolicy('/p', text)).toThrow(message);
    expect(() => parseScanPolicy('/p', text)).toThrow(/^SSM parameter \/p does not hold a scan policy .*Fix: let the pipeline update itself/);
  });
});

test.each([
  ['2027-01-31', true],
  ['2028-02-29', true],
  ['2027-02-29', false],
  ['2027-13-01', false],
  ['27-01-31', false],
])('isCalendarDate(%s) is %s', (text, valid) => expect(isCalendarDate(text)).toBe(valid));
