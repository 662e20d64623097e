import {
  orphanedSnapshots,
  parseRetention,
  planRetention,
  protectedAmiIds,
  releasedAmi,
  type ImageAmi,
  type RetainedAmi,
  type RetentionPlan,
} from '../../../lambda/parameter-prep/retention';

/** AMIs ami-1 (oldest) … ami-n (newest), listed in EC2's order, which is none in particular: here, oldest first. */
const amis = (n: number, deprecated: number[] = []): RetainedAmi[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `ami-${i + 1}`,
    creationDate: `2026-01-${String(i + 1).padStart(2, '0')}T00:00:00.000Z`,
    deprecationTime: deprecated.includes(i + 1) ? '2026-02-01T00:00:00.000Z' : undefined,
  }));
const SETTINGS = { keep: 5, deleteBeyond: 10 };
const counts = (plan: RetentionPlan) => [plan.keep.length, plan.deprecate.length + plan.alreadyDeprecated.length, plan.delete.length];

describe('planRetention: every count from 1 to 20 AMIs (keep 5, deleteBeyond 10)', () => {
  // [AMIs, kept, deprecated, deleted], written out rather than computed, so the table is the documentation.
  const NONE_PROTECTED: Array<[number, number, number, number]> = [
    [1, 1, 0, 0], [2, 2, 0, 0], [3, 3, 0, 0], [4, 4, 0, 0], [5, 5, 0, 0],
    [6, 5, 1, 0], [7, 5, 2, 0], [8, 5, 3, 0], [9, 5, 4, 0], [10, 5, 5, 0],
    [11, 5, 5, 1], [12, 5, 5, 2], [13, 5, 5, 3], [14, 5, 5, 4], [15, 5, 5, 5],
    [16, 5, 5, 6], [17, 5, 5, 7], [18, 5, 5, 8], [19, 5, 5, 9], [20, 5, 5, 10],
  ];
  test.each(NONE_PROTECTED)('%i AMIs, none protected: %i kept, %i deprecated, %i deleted', (n, kept, deprecated, deleted) => {
    const plan = planRetention(amis(n), new Set(), SETTINGS);
    expect(counts(plan)).toEqual([kept, deprecated, deleted]);
    // Always the oldest go first.
    expect(plan.delete).toEqual(Array.from({ length: deleted }, (_, i) => `ami-${deleted - i}`));
  });

  // The usual case: the newest is the current release and the one before it the previous: protection changes nothing,
  // because both already stand among the newest `keep`. (The bug fixed here: protected AMIs were taken out before
  // counting, so 12 AMIs gave 7 kept, 5 deprecated and none deleted.)
  test.each(NONE_PROTECTED)('%i AMIs, current and previous the two newest: %i kept, %i deprecated, %i deleted', (n, kept, deprecated, deleted) => {
    const plan = planRetention(amis(n), new Set([`ami-${n}`, `ami-${n - 1}`]), SETTINGS);
    expect(counts(plan)).toEqual([kept, deprecated, deleted]);
  });

  // The previous release is the oldest AMI (e.g. retention was just switched on): it stays wherever it stands, and
  // takes only its own place — nobody younger is pushed into a stricter tier.
  const PREVIOUS_IS_OLDEST: Array<[number, number, number, number]> = [
    [1, 1, 0, 0], [2, 2, 0, 0], [3, 3, 0, 0], [4, 4, 0, 0], [5, 5, 0, 0],
    [6, 6, 0, 0], [7, 6, 1, 0], [8, 6, 2, 0], [9, 6, 3, 0], [10, 6, 4, 0],
    [11, 6, 5, 0], [12, 6, 5, 1], [13, 6, 5, 2], [14, 6, 5, 3], [15, 6, 5, 4],
    [16, 6, 5, 5], [17, 6, 5, 6], [18, 6, 5, 7], [19, 6, 5, 8], [20, 6, 5, 9],
  ];
  test.each(PREVIOUS_IS_OLDEST)('%i AMIs, current the newest and previous the oldest: %i kept, %i deprecated, %i deleted', (n, kept, deprecated, deleted) => {
    const plan = planRetention(amis(n), new Set([`ami-${n}`, 'ami-1']), SETTINGS);
    expect(counts(plan)).toEqual([kept, deprecated, deleted]);
    expect(plan.keep).toContain('ami-1');
    expect(plan.delete).not.toContain('ami-1');
    expect(plan.deprecate).not.toContain('ami-1');
  });

  // Both releases in the deprecation tier (an operator rolled back to an old image, and newer builds followed).
  const BOTH_IN_DEPRECATION_TIER: Array<[number, number, number, number]> = [
    [8, 7, 1, 0], [9, 7, 2, 0], [10, 7, 3, 0], [11, 7, 3, 1], [12, 7, 3, 2], [13, 7, 3, 3], [14, 7, 3, 4],
    [15, 7, 3, 5], [16, 7, 3, 6], [17, 7, 3, 7], [18, 7, 3, 8], [19, 7, 3, 9], [20, 7, 3, 10],
  ];
  test.each(BOTH_IN_DEPRECATION_TIER)('%i AMIs, releases 6th and 8th newest: %i kept, %i deprecated, %i deleted', (n, kept, deprecated, deleted) => {
    const plan = planRetention(amis(n), new Set([`ami-${n - 5}`, `ami-${n - 7}`]), SETTINGS);
    expect(counts(plan)).toEqual([kept, deprecated, deleted]);
  });

  test('12 AMIs: exactly which ones', () => {
    expect(planRetention(amis(12), new Set(['ami-12', 'ami-11']), SETTINGS)).toEqual({
      keep: ['ami-12', 'ami-11', 'ami-10', 'ami-9', 'ami-8'],
      deprecate: ['ami-7', 'ami-6', 'ami-5', 'ami-4', 'ami-3'],
      alreadyDeprecated: [],
      delete: ['ami-2', 'ami-1'],
      undeprecate: [],
    });
  });
});

describe('planRetention: edge cases', () => {
  test('no AMIs: nothing to do', () => {
    expect(planRetention([], new Set(['ami-1']), SETTINGS)).toEqual({ keep: [], deprecate: [], alreadyDeprecated: [], delete: [], undeprecate: [] });
  });

  test('already deprecated ones are not deprecated again, but still count', () => {
    const plan = planRetention(amis(7, [1, 2]), new Set(), SETTINGS);
    expect(plan).toMatchObject({ deprecate: [], alreadyDeprecated: ['ami-2', 'ami-1'], delete: [] });
  });

  test('an already deprecated AMI beyond deleteBeyond is deleted', () => {
    expect(planRetention(amis(11, [1]), new Set(), SETTINGS).delete).toEqual(['ami-1']);
  });

  test('a deprecated current or previous release gets its deprecation cancelled and is kept', () => {
    const plan = planRetention(amis(8, [2]), new Set(['ami-8', 'ami-2']), SETTINGS);
    expect(plan.undeprecate).toEqual(['ami-2']);
    expect(plan.keep).toContain('ami-2');
    expect(plan.alreadyDeprecated).not.toContain('ami-2');
  });

  test('the order EC2 lists them in does not matter', () => {
    const shuffled = [...amis(12)].sort((a, b) => a.id.localeCompare(b.id));
    expect(planRetention(shuffled, new Set(), SETTINGS)).toEqual(planRetention(amis(12), new Set(), SETTINGS));
  });

  test('equal creation dates are ordered by id, so two runs make the same plan', () => {
    const same = ['ami-c', 'ami-a', 'ami-b'].map((id) => ({ id, creationDate: '2026-01-01T00:00:00.000Z' }));
    expect(planRetention(same, new Set(), { keep: 1, deleteBeyond: 2 })).toMatchObject({ keep: ['ami-a'], deprecate: ['ami-b'], delete: ['ami-c'] });
  });

  test('deleteBeyond equal to keep: no deprecation tier', () => {
    expect(planRetention(amis(4), new Set(), { keep: 2, deleteBeyond: 2 })).toMatchObject({ keep: ['ami-4', 'ami-3'], deprecate: [], delete: ['ami-2', 'ami-1'] });
  });

  test('keep 0: every AMI but the releases is deprecated', () => {
    expect(planRetention(amis(3), new Set(['ami-3']), { keep: 0, deleteBeyond: 10 })).toMatchObject({ keep: ['ami-3'], deprecate: ['ami-2', 'ami-1'], delete: [] });
  });

  test('keep 0 and deleteBeyond 0: only the releases remain', () => {
    expect(planRetention(amis(4), new Set(['ami-4', 'ami-3']), { keep: 0, deleteBeyond: 0 })).toMatchObject({ keep: ['ami-4', 'ami-3'], delete: ['ami-2', 'ami-1'] });
  });

  test('a protected id that is not among the AMIs changes nothing', () => {
    expect(planRetention(amis(12), new Set(['ami-99']), SETTINGS)).toEqual(planRetention(amis(12), new Set(), SETTINGS));
  });
});

describe('parseRetention', () => {
  test('whole numbers with keep <= deleteBeyond', () => expect(parseRetention('5', '10')).toEqual({ keep: 5, deleteBeyond: 10 }));
  test.each([
    ['2.5', '10'],
    ['-1', '10'],
    ['5', '3'],
    ['five', '10'],
  ])('refuses %s/%s with both values and the fix', (keep, beyond) => {
    expect(() => parseRetention(keep, beyond)).toThrow(new RegExp(`keepImages/deleteBeyond must be whole numbers .* \\(got "${keep}"/"${beyond}"\\)\\. Fix: set operations\\.amiRetention`));
  });
});

describe('which AMIs are the releases', () => {
  const ami = (id: string, version?: string): ImageAmi => ({ id, creationDate: '2026-01-01T00:00:00.000Z', version, snapshotIds: [] });
  const releases = { amiId: 'ami-home-3', version: '1.0.3', previous: { amiId: 'ami-home-2', version: '1.0.2' } };
  const copies = [ami('ami-copy-3', '1.0.3'), ami('ami-copy-2', '1.0.2'), ami('ami-copy-1', '1.0.1'), ami('ami-untagged')];

  test('in the pipeline region by AMI id, from the release record', () => {
    expect(protectedAmiIds(copies, releases, true)).toEqual(new Set(['ami-home-3', 'ami-home-2']));
    expect(releasedAmi([ami('ami-home-3', '9.9.9')], releases, true)?.id).toBe('ami-home-3');
  });

  test('in a distribution region by the golden-ami:version tag of the copies', () => {
    expect(protectedAmiIds(copies, releases, false)).toEqual(new Set(['ami-copy-3', 'ami-copy-2']));
    expect(releasedAmi(copies, releases, false)?.id).toBe('ami-copy-3');
  });

  test('a first release has no previous one', () => {
    expect(protectedAmiIds(copies, { amiId: 'ami-home-3', version: '1.0.3' }, false)).toEqual(new Set(['ami-copy-3']));
  });

  test("copies tagged as a configured environment's current or previous release, however old, and not those of an environment no longer configured", () => {
    const old = (id: string, environments: string[]): ImageAmi => ({ id, creationDate: '2026-01-01T00:00:00Z', version: '1.0.0', environments, snapshotIds: [] });
    const withEnvironments = [...copies, old('ami-prod-current', ['production']), old('ami-test-previous', ['test']), old('ami-gone', ['staging'])];
    expect(protectedAmiIds(withEnvironments, releases, false, ['test', 'production'])).toEqual(new Set(['ami-copy-3', 'ami-copy-2', 'ami-prod-current', 'ami-test-previous']));
    // Without environments configured, the tags change nothing.
    expect(protectedAmiIds(withEnvironments, releases, false)).toEqual(new Set(['ami-copy-3', 'ami-copy-2']));
  });
});

describe('orphanedSnapshots', () => {
  const ami = (id: string, snapshotIds: string[]): ImageAmi => ({ id, creationDate: '', snapshotIds });

  test('tagged snapshots no remaining AMI uses, except the ones already handled', () => {
    const remaining = [ami('ami-1', ['snap-a']), ami('ami-2', ['snap-b', 'snap-c'])];
    expect(orphanedSnapshots(['snap-a', 'snap-b', 'snap-d', 'snap-e', 'snap-d'], remaining, new Set(['snap-e']))).toEqual(['snap-d']);
  });
});
