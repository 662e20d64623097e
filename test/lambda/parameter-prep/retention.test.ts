import { planRetention, type RetainedAmi } from '../../../lambda/parameter-prep/retention';

/** AMIs ami-1 (oldest) … ami-n (newest). */
const amis = (n: number, deprecated: number[] = []): RetainedAmi[] =>
  Array.from({ length: n }, (_, i) => ({ id: `ami-${i + 1}`, creationDate: `2026-01-${String(i + 1).padStart(2, '0')}T00:00:00.000Z`, deprecationTime: deprecated.includes(i + 1) ? '2026-02-01T00:00:00.000Z' : undefined }));

describe('planRetention', () => {
  test.each<[string, RetainedAmi[], string[], number, number, { deprecate: string[]; delete: string[] }]>([
    ['fewer than keep: nothing', amis(3), [], 5, 10, { deprecate: [], delete: [] }],
    ['beyond keep: deprecated, newest first', amis(7), [], 5, 10, { deprecate: ['ami-2', 'ami-1'], delete: [] }],
    ['beyond deleteBeyond: deleted', amis(12), [], 5, 10, { deprecate: ['ami-7', 'ami-6', 'ami-5', 'ami-4', 'ami-3'], delete: ['ami-2', 'ami-1'] }],
    ['already deprecated ones are not deprecated again', amis(7, [1]), [], 5, 10, { deprecate: ['ami-2'], delete: [] }],
    ['protected releases are skipped and do not count', amis(7), ['ami-1', 'ami-7'], 5, 10, { deprecate: [], delete: [] }],
    ['an old previous release survives deletion', amis(12), ['ami-1'], 5, 10, { deprecate: ['ami-7', 'ami-6', 'ami-5', 'ami-4', 'ami-3'], delete: ['ami-2'] }],
    ['deleteBeyond equal to keep: no deprecation stage', amis(4), [], 2, 2, { deprecate: [], delete: ['ami-2', 'ami-1'] }],
  ])('%s', (_name, list, protectedIds, keep, deleteBeyond, expected) => {
    expect(planRetention(list, new Set(protectedIds), keep, deleteBeyond)).toEqual(expected);
  });
});
