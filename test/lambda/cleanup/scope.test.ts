import { type CleanupProperties, deletionScope, parseCleanupProperties, pruneScope } from '../../../lambda/cleanup/scope';

const properties = (images: CleanupProperties['Images'], overrides: Partial<CleanupProperties> = {}): CleanupProperties => ({
  PipelineName: 'golden-ami',
  Images: images,
  Buckets: ['artifacts-bucket', 'access-log-bucket'],
  SharedAmis: 'keep',
  Egress: 'false',
  ...overrides,
});
const APP = { Name: 'app-linux', Fleet: 'true', Regions: ['eu-west-1'] };
const WIN = { Name: 'windows-iis', Fleet: 'false', Regions: ['eu-west-1', 'us-east-1'] };

describe('deletionScope', () => {
  test('names every stage stack and image parameter exactly, and every region AMIs went to', () => {
    expect(deletionScope(properties([APP, WIN]))).toEqual({
      pipelineName: 'golden-ami',
      fleetStacks: ['golden-ami-fleet-app-linux'],
      imageStacks: ['golden-ami-image-app-linux', 'golden-ami-image-windows-iis'],
      amis: { regions: ['eu-west-1', 'us-east-1'] },
      parameters: [
        '/golden-ami/golden-ami/images/app-linux/version',
        '/golden-ami/golden-ami/images/app-linux/build-state',
        '/golden-ami/golden-ami/images/app-linux/release',
        '/golden-ami/golden-ami/images/app-linux/release-ami',
        '/golden-ami/golden-ami/images/windows-iis/version',
        '/golden-ami/golden-ami/images/windows-iis/build-state',
        '/golden-ami/golden-ami/images/windows-iis/release',
        '/golden-ami/golden-ami/images/windows-iis/release-ami',
      ],
      buckets: ['artifacts-bucket', 'access-log-bucket'],
      sharedAmis: 'keep',
    });
    expect(deletionScope(properties([APP, WIN])).egressStack).toBeUndefined();
  });

  test("every image's distribution parameter, by its exact name, in each of its regions; none for an image without one", () => {
    const app = { ...APP, Regions: ['eu-west-1', 'us-east-1'], SsmParameter: '/golden-images/app-linux/latest' };
    const win = { ...WIN, SsmParameter: '/golden-images/windows-iis/latest' };
    expect(deletionScope(properties([app, win])).distributionParameters).toEqual([
      { region: 'eu-west-1', names: ['/golden-images/app-linux/latest', '/golden-images/windows-iis/latest'] },
      { region: 'us-east-1', names: ['/golden-images/app-linux/latest', '/golden-images/windows-iis/latest'] },
    ]);
    expect(deletionScope(properties([app, WIN])).distributionParameters).toEqual([
      { region: 'eu-west-1', names: ['/golden-images/app-linux/latest'] },
      { region: 'us-east-1', names: ['/golden-images/app-linux/latest'] },
    ]);
    expect(deletionScope(properties([APP, WIN])).distributionParameters).toBeUndefined();
  });

  test('with an egress stack: it is deleted too, by its exact name', () => {
    expect(deletionScope(properties([APP, WIN], { Egress: 'true' })).egressStack).toBe('golden-ami-egress');
  });
});

describe('pruneScope', () => {
  test('nothing removed: nothing to prune', () => {
    expect(pruneScope(properties([APP, WIN]), properties([APP, WIN]))).toBeUndefined();
  });

  test('an added image prunes nothing', () => {
    expect(pruneScope(properties([APP]), properties([APP, WIN]))).toBeUndefined();
  });

  test('a removed image: its fleet and image stacks, its AMIs in its regions, its parameters; never the buckets', () => {
    expect(pruneScope(properties([APP, WIN]), properties([WIN]))).toEqual({
      pipelineName: 'golden-ami',
      fleetStacks: ['golden-ami-fleet-app-linux'],
      imageStacks: ['golden-ami-image-app-linux'],
      amis: { regions: ['eu-west-1'], images: ['app-linux'] },
      amisLeftBehind: undefined,
      parameters: [
        '/golden-ami/golden-ami/images/app-linux/version',
        '/golden-ami/golden-ami/images/app-linux/build-state',
        '/golden-ami/golden-ami/images/app-linux/release',
        '/golden-ami/golden-ami/images/app-linux/release-ami',
      ],
      buckets: [],
      sharedAmis: 'keep',
    });
  });

  test('a removed fleet: only the fleet stack; the image and its AMIs stay', () => {
    expect(pruneScope(properties([APP, WIN]), properties([{ ...APP, Fleet: 'false' }, WIN]))).toEqual({
      pipelineName: 'golden-ami',
      fleetStacks: ['golden-ami-fleet-app-linux'],
      imageStacks: [],
      amis: undefined,
      parameters: [],
      buckets: [],
      sharedAmis: 'keep',
    });
  });

  test("a region removed from an image's distribution: that image's AMIs there, nothing else", () => {
    const before = { ...WIN, Regions: ['eu-west-1', 'us-east-1', 'ap-southeast-2'] };
    expect(pruneScope(properties([APP, before]), properties([APP, WIN]))).toEqual({
      pipelineName: 'golden-ami',
      fleetStacks: [],
      imageStacks: [],
      amis: undefined,
      amisLeftBehind: [{ image: 'windows-iis', regions: ['ap-southeast-2'] }],
      parameters: [],
      buckets: [],
      sharedAmis: 'keep',
    });
  });

  test('egress no longer on demand (switched to always, or no fleet left): the egress stack, nothing else', () => {
    expect(pruneScope(properties([APP, WIN], { Egress: 'true' }), properties([APP, WIN], { Egress: 'false' }))).toEqual({
      pipelineName: 'golden-ami',
      fleetStacks: [],
      egressStack: 'golden-ami-egress',
      imageStacks: [],
      parameters: [],
      buckets: [],
      sharedAmis: 'keep',
    });
  });

  test('the last fleet removed: its fleet stack and the egress stack', () => {
    const scope = pruneScope(properties([APP, WIN], { Egress: 'true' }), properties([{ ...APP, Fleet: 'false' }, WIN], { Egress: 'false' }));
    expect([scope?.fleetStacks, scope?.egressStack]).toEqual([['golden-ami-fleet-app-linux'], 'golden-ami-egress']);
  });

  test.each([
    ['kept', 'true', 'true'],
    ['never had one', 'false', 'false'],
    ['gets one', 'false', 'true'],
  ])('egress stack %s: nothing to prune', (_name, before, after) => {
    expect(pruneScope(properties([APP, WIN], { Egress: before }), properties([APP, WIN], { Egress: after }))).toBeUndefined();
  });

  test('the first update after the egress stack existed: previous properties without Egress read as none, nothing pruned', () => {
    const { Egress: _, ...older } = properties([APP, WIN]);
    const previous = parseCleanupProperties(older);
    expect(previous.Egress).toBe('false');
    expect(pruneScope(previous, properties([APP, WIN], { Egress: 'true' }))).toBeUndefined();
  });

  describe('distribution parameters (distribution.ssmParameter)', () => {
    const LATEST = '/golden-images/windows-iis/latest';
    const win = { ...WIN, SsmParameter: LATEST };

    test('a removed image: its parameter in each of its regions', () => {
      expect(pruneScope(properties([APP, win]), properties([APP]))?.distributionParameters).toEqual([
        { region: 'eu-west-1', names: [LATEST] },
        { region: 'us-east-1', names: [LATEST] },
      ]);
    });

    test('a renamed parameter: the old name in each region, never the new one; nothing else is pruned', () => {
      expect(pruneScope(properties([APP, win]), properties([APP, { ...WIN, SsmParameter: '/golden-images/iis/latest' }]))).toEqual({
        pipelineName: 'golden-ami',
        fleetStacks: [],
        imageStacks: [],
        parameters: [],
        distributionParameters: [
          { region: 'eu-west-1', names: [LATEST] },
          { region: 'us-east-1', names: [LATEST] },
        ],
        buckets: [],
        sharedAmis: 'keep',
      });
    });

    test('a parameter removed from the image: its name in each region', () => {
      expect(pruneScope(properties([APP, win]), properties([APP, WIN]))?.distributionParameters).toEqual([
        { region: 'eu-west-1', names: [LATEST] },
        { region: 'us-east-1', names: [LATEST] },
      ]);
    });

    test('a region removed from the distribution: the name there only (and that region\'s AMIs)', () => {
      const scope = pruneScope(properties([APP, win]), properties([APP, { ...win, Regions: ['eu-west-1'] }]));
      expect(scope?.distributionParameters).toEqual([{ region: 'us-east-1', names: [LATEST] }]);
      expect(scope?.amisLeftBehind).toEqual([{ image: 'windows-iis', regions: ['us-east-1'] }]);
    });

    test('a name another image now writes in that region stays', () => {
      const app = { ...APP, Regions: ['eu-west-1'], SsmParameter: LATEST };
      expect(pruneScope(properties([APP, win]), properties([app]))?.distributionParameters).toEqual([{ region: 'us-east-1', names: [LATEST] }]);
    });

    test('unchanged, or added: nothing to prune', () => {
      expect(pruneScope(properties([APP, win]), properties([APP, win]))).toBeUndefined();
      expect(pruneScope(properties([APP, WIN]), properties([APP, win]))).toBeUndefined();
    });

    test('previous properties written before SsmParameter existed read as none: nothing to prune', () => {
      const previous = parseCleanupProperties(properties([APP, WIN]));
      expect(previous.Images.map((i) => i.SsmParameter)).toEqual([undefined, undefined]);
      expect(pruneScope(previous, properties([APP, win]))).toBeUndefined();
    });
  });

  test('a renamed pipeline prunes nothing of the old name', () => {
    expect(pruneScope(properties([APP, WIN]), properties([], { PipelineName: 'golden-ami-2' }))).toBeUndefined();
  });
});

describe('parseCleanupProperties', () => {
  test('reads what the pipeline stack writes', () => {
    expect(parseCleanupProperties(properties([APP]))).toEqual(properties([APP]));
    const withParameter = properties([{ ...APP, SsmParameter: '/golden-images/app-linux/latest' }]);
    expect(parseCleanupProperties(withParameter)).toEqual(withParameter);
  });

  test.each<[string, unknown, RegExp]>([
    ['no properties', undefined, /PipelineName must be a pipeline name/],
    ['a fleet flag that is not a string', properties([{ ...APP, Fleet: true as unknown as string }]), /Fleet "true" or "false"/],
    ['regions missing', properties([{ Name: 'x', Fleet: 'false' } as never]), /needs its Regions/],
    ['an SsmParameter that is not a name', properties([{ ...APP, SsmParameter: 42 as unknown as string }]), /SsmParameter must be a parameter name/],
    ['an empty SsmParameter', properties([{ ...APP, SsmParameter: '' }]), /SsmParameter must be a parameter name/],
    ['unknown shared-AMI policy', properties([APP], { SharedAmis: 'maybe' as never }), /SharedAmis must be keep or delete/],
    ['an egress flag that is not "true" or "false"', properties([APP], { Egress: true as unknown as string }), /Egress must be "true" or "false"/],
  ])('%s is refused with the fix', (_name, raw, expected) => {
    expect(() => parseCleanupProperties(raw)).toThrow(expected);
    expect(() => parseCleanupProperties(raw)).toThrow(/redeploy it with cdk deploy/);
  });
});

describe('environments (pipeline.yaml environments)', () => {
  // As the pipeline stack writes them with environments: no fleet in the pipeline's account, each fleet in every environment.
  const app = { ...APP, Fleet: 'false', Regions: ['us-east-1', 'eu-west-1'] };
  const win = { ...WIN, Fleet: 'false' };
  const TEST = { Name: 'test', Account: '222222222222', Region: 'us-east-1', Fleets: ['app-linux', 'windows-iis'] };
  const PRODUCTION = { Name: 'production', Account: '333333333333', Region: 'eu-west-1', Fleets: ['app-linux', 'windows-iis'] };
  const withEnvironments = (environments: CleanupProperties['Environments'], images = [app, win], overrides: Partial<CleanupProperties> = {}) =>
    properties(images, { Environments: environments, ...overrides });
  const fleetIn = (e: { Account: string; Region: string }, image: string) => ({
    stackName: `golden-ami-fleet-${image}`,
    account: e.Account,
    region: e.Region,
    roleName: `golden-ami-fleet-${image}-cleanup`,
  });
  const environmentStackOf = (e: { Name: string; Account: string; Region: string }) => ({
    stackName: `golden-ami-environment-${e.Name}`,
    account: e.Account,
    region: e.Region,
    roleName: 'golden-ami-environment-cleanup',
    roleInStack: true,
  });

  test('deletion: every fleet stack in every environment through its clean-up role there, each environment stack through its own, the AMI key stack of each region', () => {
    const scope = deletionScope(withEnvironments([TEST, PRODUCTION]));
    expect(scope.fleetStacks).toEqual([]);
    expect(scope.environmentFleetStacks).toEqual([fleetIn(TEST, 'app-linux'), fleetIn(TEST, 'windows-iis'), fleetIn(PRODUCTION, 'app-linux'), fleetIn(PRODUCTION, 'windows-iis')]);
    expect(scope.environmentStacks).toEqual([environmentStackOf(TEST), environmentStackOf(PRODUCTION)]);
    expect(scope.amiKeyStacks).toEqual([
      { stackName: 'golden-ami-ami-key', region: 'eu-west-1' },
      { stackName: 'golden-ami-ami-key', region: 'us-east-1' },
    ]);
    // The AMIs in the environments' regions are the images' (their Regions include them).
    expect(scope.amis).toEqual({ regions: ['eu-west-1', 'us-east-1'] });
  });

  test('deletion: one AMI key stack per region however many environments are in it', () => {
    const staging = { ...TEST, Name: 'staging', Account: '444444444444' };
    expect(deletionScope(withEnvironments([TEST, staging])).amiKeyStacks).toEqual([{ stackName: 'golden-ami-ami-key', region: 'us-east-1' }]);
  });

  test('properties written before environments were cleaned up (no Environments) read as none: nothing in other accounts', () => {
    const raw = { ...properties([APP, WIN]) } as Record<string, unknown>;
    delete raw.Environments;
    const parsed = parseCleanupProperties(raw);
    expect(parsed.Environments).toBeUndefined();
    const scope = deletionScope(parsed);
    expect(scope.environmentFleetStacks).toBeUndefined();
    expect(scope.environmentStacks).toBeUndefined();
    expect(scope.amiKeyStacks).toBeUndefined();
    // And a prune from such properties to the same configuration prunes nothing.
    expect(pruneScope(parsed, parseCleanupProperties(properties([APP, WIN])))).toBeUndefined();
  });

  test('prune: nothing changed, or an environment added: nothing to prune', () => {
    expect(pruneScope(withEnvironments([TEST, PRODUCTION]), withEnvironments([TEST, PRODUCTION]))).toBeUndefined();
    expect(pruneScope(withEnvironments([TEST]), withEnvironments([TEST, PRODUCTION]))).toBeUndefined();
  });

  test('prune: an environment removed: its fleet stacks, then its environment stack, and the AMI key stack of a region no environment is in any more', () => {
    const scope = pruneScope(withEnvironments([TEST, PRODUCTION]), withEnvironments([TEST]))!;
    expect(scope.environmentFleetStacks).toEqual([fleetIn(PRODUCTION, 'app-linux'), fleetIn(PRODUCTION, 'windows-iis')]);
    expect(scope.environmentStacks).toEqual([environmentStackOf(PRODUCTION)]);
    expect(scope.amiKeyStacks).toEqual([{ stackName: 'golden-ami-ami-key', region: 'eu-west-1' }]);
    expect(scope.fleetStacks).toEqual([]);
    expect(scope.imageStacks).toEqual([]);
    expect(scope.parameters).toEqual([]);
    expect(scope.buckets).toEqual([]);
  });

  test("prune: an environment removed from a region another environment stays in: that region's AMI key stack stays", () => {
    const staging = { ...TEST, Name: 'staging', Account: '444444444444' };
    const scope = pruneScope(withEnvironments([TEST, staging]), withEnvironments([TEST]))!;
    expect(scope.environmentStacks).toEqual([environmentStackOf(staging)]);
    expect(scope.amiKeyStacks).toBeUndefined();
  });

  test('prune: an environment moved to another account is another environment: the stacks in the old account go', () => {
    const moved = { ...PRODUCTION, Account: '555555555555' };
    const scope = pruneScope(withEnvironments([TEST, PRODUCTION]), withEnvironments([TEST, moved]))!;
    expect(scope.environmentFleetStacks).toEqual([fleetIn(PRODUCTION, 'app-linux'), fleetIn(PRODUCTION, 'windows-iis')]);
    expect(scope.environmentStacks).toEqual([environmentStackOf(PRODUCTION)]);
    expect(scope.amiKeyStacks).toBeUndefined();
  });

  test('prune: an image (or its fleet) removed: its fleet stack in every environment; the environment stacks stay', () => {
    const without = (e: typeof TEST) => ({ ...e, Fleets: ['app-linux'] });
    const scope = pruneScope(withEnvironments([TEST, PRODUCTION]), withEnvironments([without(TEST), without(PRODUCTION)]))!;
    expect(scope.environmentFleetStacks).toEqual([fleetIn(TEST, 'windows-iis'), fleetIn(PRODUCTION, 'windows-iis')]);
    expect(scope.environmentStacks).toBeUndefined();
    expect(scope.amiKeyStacks).toBeUndefined();
  });

  test('prune: the last environment removed (fleets back in the pipeline account): every environment stack and AMI key stack', () => {
    const scope = pruneScope(withEnvironments([TEST, PRODUCTION]), properties([{ ...APP, Regions: ['eu-west-1'] }, WIN]))!;
    expect(scope.environmentStacks).toEqual([environmentStackOf(TEST), environmentStackOf(PRODUCTION)]);
    expect(scope.amiKeyStacks).toEqual([
      { stackName: 'golden-ami-ami-key', region: 'eu-west-1' },
      { stackName: 'golden-ami-ami-key', region: 'us-east-1' },
    ]);
  });

  test('parse: reads the environments the pipeline stack writes, and refuses what it would not write', () => {
    const written = withEnvironments([TEST, PRODUCTION]);
    expect(parseCleanupProperties(written)).toEqual(written);
    expect(() => parseCleanupProperties(withEnvironments([{ ...TEST, Account: '2222' }]))).toThrow(/12-digit Account/);
    expect(() => parseCleanupProperties(withEnvironments([{ ...TEST, Fleets: undefined as never }]))).toThrow(/needs its Fleets/);
    expect(() => parseCleanupProperties({ ...properties([APP]), Environments: 'test' })).toThrow(/Environments must be a list/);
  });
});
