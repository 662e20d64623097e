/** A setting of a fleet in its image file (`fleet.<setting>`). */
export type FleetSetting = 'instanceType' | 'minSize' | 'maxSize' | 'rollingUpdate' | 'healthCheck' | 'loadBalancer' | 'ingress';

/**
 * Where the settings of one fleet are written in its image file, for messages, and which of its problems it reports.
 *
 * The image's own fleet writes everything under `fleet.` and reports every problem. The fleet in an environment takes
 * the settings the environment sets from `fleet.environments.<name>.` and the others from `fleet.`; it reports a
 * problem of its settings only when one of them is the environment's own, since a problem of the inherited settings
 * alone is the image's fleet's too and already reported there. What depends on the environment itself (its region,
 * its network) is checked separately, for every environment.
 */
export interface FleetFields {
  /** The environment, or undefined for the image's own fleet. */
  readonly environment?: string;
  /** The path of a setting, e.g. fleet.maxSize, fleet.environments.production.maxSize, fleet.loadBalancer.allowFrom. */
  at(setting: FleetSetting, below?: string): string;
  /** Whether a problem that involves these settings is this fleet's to report. */
  reports(...settings: FleetSetting[]): boolean;
}

/** The image's own fleet: `fleet.<setting>`, every problem reported. */
export const IMAGE_FLEET: FleetFields = {
  at: (setting, below) => `fleet.${setting}${below ? `.${below}` : ''}`,
  reports: () => true,
};

/** The fleet in environment `name`, which sets `own` itself (the keys of its `fleet.environments.<name>`). */
export function environmentFleet(name: string, own: readonly string[]): FleetFields {
  const set = new Set(own);
  return {
    environment: name,
    at: (setting, below) => `fleet.${set.has(setting) ? `environments.${name}.` : ''}${setting}${below ? `.${below}` : ''}`,
    reports: (...settings) => settings.some((s) => set.has(s)),
  };
}
