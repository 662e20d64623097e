import type { ImageConfig } from '../../lib/config/model';
import { upstreamReferences } from '../../lib/pipeline/upstream-references';
import { parseUpstreamReferences } from '../../lambda/parameter-prep/upstream';

const image = (parentImage: string, components: ImageConfig['components']) => ({ parentImage, components }) as ImageConfig;
const own = { kind: 'document', name: 'app-service' } as ImageConfig['components'][number];

describe('upstreamReferences', () => {
  test('the AWS-managed parent image and components, as the recipe names them; own components are not upstream', () => {
    const refs = upstreamReferences(
      image('amazon-linux-2023-x86/x.x.x', [
        { kind: 'managed', name: 'update-linux', version: 'x.x.x' },
        own,
        // A fixed version still gets new builds, which the scheduled run compares too.
        { kind: 'managed', name: 'aws-cli-version-2-linux', version: '1.0.4' },
      ]),
    );
    expect(refs).toEqual(['image/amazon-linux-2023-x86/x.x.x', 'component/update-linux/x.x.x', 'component/aws-cli-version-2-linux/1.0.4']);
    // The function parses exactly what the step passes.
    expect(parseUpstreamReferences(refs.join(' ')).map((r) => r.text)).toEqual(refs);
  });

  test.each(['ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64', 'ami-0123456789abcdef0'])('a parent given as %s has no Image Builder version to compare', (parent) => {
    expect(upstreamReferences(image(parent, [own]))).toEqual([]);
  });
});
