/**
 * How many images one pipeline can hold today. Each image adds its stages, roles and parameters to the pipeline stack:
 * about 48 KB of template and 14 resources per image (FACTS, 2026-11; cdk.out of the shipped two images: 176,931
 * bytes). CloudFormation rejects a template over 1,000,000 bytes, which this stack passes at 20 images, well before its
 * 500-resource limit (~29 images). So 19. Past 12 images the image wave also has more than 50 CodePipeline actions,
 * which CDK Pipelines splits into stages that run one after the other: slower, not broken.
 * Issue 15 raises this; change it here only.
 */
export const MAX_IMAGES = 19;
