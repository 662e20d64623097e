/**
 * Which AMIs of an image to keep, deprecate or delete. Pure: the handler describes the AMIs and applies the plan.
 * The current and previous release are never touched, whatever their age.
 */

export interface RetainedAmi {
  readonly id: string;
  /** ISO 8601, as EC2 reports it. */
  readonly creationDate: string;
  /** Set when the AMI is already deprecated. */
  readonly deprecationTime?: string;
}

export interface RetentionPlan {
  readonly deprecate: readonly string[];
  readonly delete: readonly string[];
}

/**
 * Newest first: the first `keep` stay as they are, the next ones up to `deleteBeyond` are deprecated, older ones are
 * deleted (deregistered with their snapshots). Protected AMIs (current and previous release) are skipped and do not
 * count against `keep`.
 */
export function planRetention(amis: readonly RetainedAmi[], protectedIds: ReadonlySet<string>, keep: number, deleteBeyond: number): RetentionPlan {
  const candidates = amis.filter((a) => !protectedIds.has(a.id)).sort((a, b) => b.creationDate.localeCompare(a.creationDate) || a.id.localeCompare(b.id));
  const deprecate: string[] = [];
  const remove: string[] = [];
  candidates.forEach((ami, index) => {
    if (index >= deleteBeyond) remove.push(ami.id);
    else if (index >= keep && !ami.deprecationTime) deprecate.push(ami.id);
  });
  return { deprecate, delete: remove };
}
