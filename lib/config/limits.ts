/**
 * How many images one pipeline holds. Each image adds to the pipeline stack only its execution roles, its support
 * nested stacks (stage-stack-support.ts) and its fleet's two capacity parameters: 6 resources and about 10 KB of
 * template for an image with a fleet, on a base of about 110 resources. Measured with 50 such images (npm run bench,
 * test/pipeline/scale.test.ts): 386 resources and 589 KB, within CloudFormation's 500 resources and 1,000,000 bytes,
 * and 305 CodePipeline actions of the 500 a pipeline may have. 50 is what is tested; the deployment limit check at
 * synth (lib/validation/deployment-limits.ts) names any limit a configuration still passes.
 */
export const MAX_IMAGES = 50;
