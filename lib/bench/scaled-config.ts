import type { GoldenAmiConfig, ImageConfig } from '../config/model';

/**
 * A configuration of `count` images, each a copy of `template` (by default the first image of `base` with a fleet)
 * named `<template>-01`, `<template>-02`, …: how the bench and the scale tests grow a pipeline without committing
 * dozens of image files.
 */
export function scaledConfig(base: GoldenAmiConfig, count: number, template?: ImageConfig): GoldenAmiConfig {
  const model = template ?? base.images.find((i) => i.fleet) ?? base.images[0];
  if (!model) throw new Error('scaledConfig needs a configuration with at least one image');
  const width = String(count).length;
  const images = Array.from({ length: count }, (_, i) => {
    const name = `${model.name}-${String(i + 1).padStart(Math.max(2, width), '0')}`;
    return { ...model, name, file: model.file.replace(/[^/\\]+$/, `${name}.yaml`) };
  });
  return { ...base, images };
}
