import { awsOwnedArnPrefix, compareResolved, compareUpstream, describeChange, parseUpstreamReference, parseUpstreamReferences } from '../../../lambda/parameter-prep/upstream';

const AL2023 = parseUpstreamReference('image/amazon-linux-2023-x86/x.x.x')!;
const UPDATE = parseUpstreamReference('component/update-linux/1.0.x')!;

describe('references', () => {
  test('parse as the step writes them; duplicates count once; "none" is no reference', () => {
    expect(AL2023).toEqual({ kind: 'image', name: 'amazon-linux-2023-x86', selector: 'x.x.x', text: 'image/amazon-linux-2023-x86/x.x.x' });
    expect(parseUpstreamReferences(' image/amazon-linux-2023-x86/x.x.x  component/update-linux/1.0.x image/amazon-linux-2023-x86/x.x.x ').map((r) => r.text)).toEqual([AL2023.text, UPDATE.text]);
    expect(parseUpstreamReferences('none')).toEqual([]);
  });

  test.each(['aws/update-linux/x.x.x', 'component/update-linux', 'image/Amazon-Linux/x.x.x', 'workflow/build-image/x.x.x', 'component/update-linux/1.x'])('%s is not a reference', (text) => {
    expect(parseUpstreamReference(text)).toBeUndefined();
  });
});

describe('compareResolved', () => {
  test.each<[string, string, 'newer' | 'equal' | 'older']>([
    ['2026.11.21/1', '2026.11.14/1', 'newer'],
    ['2026.11.14/1', '2026.11.21/1', 'older'],
    // Node by node, not as text: 10 > 9.
    ['1.0.10/1', '1.0.9/3', 'newer'],
    ['1.0.3/2', '1.0.3/1', 'newer'],
    ['1.0.3/1', '1.0.3/1', 'equal'],
    // A build number only one side knows makes no difference.
    ['1.0.3', '1.0.3/4', 'equal'],
  ])('%s against %s is %s', (a, b, expected) => {
    const cmp = compareResolved(a, b);
    expect(cmp > 0 ? 'newer' : cmp < 0 ? 'older' : 'equal').toBe(expected);
  });
});

describe('compareUpstream', () => {
  const recorded = { [AL2023.text]: '2026.11.14/1', [UPDATE.text]: '1.0.3/1' };

  test('newer versions are changes, equal or older ones are not (an older one means AWS withdrew the newest)', () => {
    expect(compareUpstream([AL2023, UPDATE], recorded, { [AL2023.text]: '2026.11.21/1', [UPDATE.text]: '1.0.2/1' })).toEqual({
      newer: [{ reference: AL2023, from: '2026.11.14/1', to: '2026.11.21/1' }],
      unrecorded: [],
    });
  });

  test('references the last build did not record are listed as such', () => {
    expect(compareUpstream([AL2023, UPDATE], { [AL2023.text]: '2026.11.14/1' }, recorded)).toEqual({ newer: [], unrecorded: [UPDATE] });
    expect(compareUpstream([AL2023], undefined, recorded)).toEqual({ newer: [], unrecorded: [AL2023] });
  });

  test('a reference without a looked-up version is a bug of the caller, not "unchanged"', () => {
    expect(() => compareUpstream([AL2023, UPDATE], recorded, { [AL2023.text]: '2026.11.14/1' })).toThrow('no version was looked up for component/update-linux/1.0.x');
  });
});

test('changes read as the reason says them: versions, or builds when the version is the same', () => {
  expect(describeChange({ reference: AL2023, from: '2026.11.14/1', to: '2026.11.21/1' })).toBe('parent image amazon-linux-2023-x86 2026.11.14 → 2026.11.21');
  expect(describeChange({ reference: UPDATE, from: '1.0.3/1', to: '1.0.3/2' })).toBe('component update-linux 1.0.3/1 → 1.0.3/2');
});

describe('awsOwnedArnPrefix', () => {
  // invokedFunctionArn "indicates if the invoker specified a version number or alias"
  // (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html): a qualified ARN has a suffix.
  test.each([
    ['arn:aws:lambda:eu-west-1:123456789012:function:golden-ami-parameter-prep', 'arn:aws:imagebuilder:eu-west-1:aws:'],
    ['arn:aws:lambda:eu-west-1:123456789012:function:golden-ami-parameter-prep:live', 'arn:aws:imagebuilder:eu-west-1:aws:'],
    ['arn:aws-cn:lambda:cn-north-1:123456789012:function:f', 'arn:aws-cn:imagebuilder:cn-north-1:aws:'],
    ['arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f', 'arn:aws-us-gov:imagebuilder:us-gov-west-1:aws:'],
  ])('%s → %s', (functionArn, prefix) => expect(awsOwnedArnPrefix(functionArn)).toBe(prefix));

  test('an ARN that does not parse is an error, not a guess', () => {
    expect(() => awsOwnedArnPrefix('golden-ami-parameter-prep')).toThrow(/the function's ARN does not parse/);
  });
});
