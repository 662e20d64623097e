import * as path from 'path';
import { AssetHashType } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';

/** Props for esbuildCode. */
export interface EsbuildCodeProps {
  /** The handler's TypeScript entry file; the bundle is `index.js`, so the handler is `index.<export>`. */
  readonly entry: string;
  /** Runtime the bundle targets (its bundling image is what CDK would fall back to; local bundling never does). */
  readonly runtime: lambda.Runtime;
  /** esbuild `target`, e.g. `node24`. */
  readonly target: string;
  /** Modules left out of the bundle (the runtime provides them). */
  readonly externalModules: readonly string[];
}

/** The repository root: the directory of package-lock.json, NodejsFunction's default project root. */
const PROJECT_ROOT = path.join(__dirname, '..', '..');

/**
 * A Lambda function's code bundled in-process by esbuild's API: the same bundle NodejsFunction makes with
 * `minify: true, sourceMap: false` (same esbuild options, same output, same asset hash), without the `npx --no-install
 * esbuild` process NodejsFunction spawns for each function on every synth (≈0.4 s each). Give it to NodejsFunction as
 * `code`, with `handler: 'index.handler'`.
 */
export function esbuildCode(props: EsbuildCodeProps): lambda.Code {
  return lambda.Code.fromAsset(path.dirname(props.entry), {
    // Hash what is deployed, as NodejsFunction does: the bundle, not the sources next to the entry.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the API; local bundling below either succeeds or throws, so no container ever runs.
      image: props.runtime.bundlingImage,
      local: {
        tryBundle(outputDir: string): boolean {
          const esbuild = loadEsbuild();
          esbuild.buildSync({
            absWorkingDir: PROJECT_ROOT,
            entryPoints: [props.entry],
            bundle: true,
            platform: 'node',
            target: props.target,
            outfile: path.join(outputDir, 'index.js'),
            minify: true,
            external: [...props.externalModules],
            logLevel: 'warning',
          });
          return true;
        },
      },
    },
  });
}

/** esbuild, loaded when a bundle is made (a synth that skips bundling never needs it). */
function loadEsbuild(): typeof import('esbuild') {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('esbuild') as typeof import('esbuild');
  } catch (err) {
    throw new Error(`esbuild is needed to bundle the Lambda functions and could not be loaded (${(err as Error).message}). Fix: run npm ci in ${PROJECT_ROOT}`);
  }
}

/**
 * What every function of this app shares: the handler `lambda/<name>/index.ts` bundled by esbuildCode with the AWS SDK
 * left to the runtime, Node.js 24 on Graviton, 256 MB. Spread into NodejsFunction's props beside what is the
 * function's own (name, timeout, logs, environment).
 */
export function appFunctionBasics(lambdaDirectory: string): Pick<nodejs.NodejsFunctionProps, 'code' | 'handler' | 'runtime' | 'architecture' | 'memorySize'> {
  const runtime = lambda.Runtime.NODEJS_24_X;
  return {
    code: esbuildCode({ entry: path.join(PROJECT_ROOT, 'lambda', lambdaDirectory, 'index.ts'), runtime, target: 'node24', externalModules: ['@aws-sdk/*'] }),
    handler: 'index.handler',
    runtime,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
  };
}
