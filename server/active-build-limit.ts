import { claimActiveBuildSlot } from '../db/builds.ts';
import type { Db } from '../db/connect.ts';
import { ApiError } from './errors.ts';

/**
 * Runs `claim` (inserting a build, or queueing a failed or cancelled one again) if the owner has
 * fewer than `max` builds queued, running or paused; otherwise answers 429 saying so.
 */
export async function claimOrRefuse(db: Db, ownerId: string, max: number, claim: (trx: Db) => Promise<void>): Promise<void> {
  const result = await claimActiveBuildSlot(db, ownerId, max, claim);
  if (!result.claimed) {
    throw new ApiError(
      429,
      'too_many_active_builds',
      `You already have ${result.active} builds queued, running or paused, and at most ${max} may be at once. Cancel one, or wait for one to finish, then try again.`,
    );
  }
}
