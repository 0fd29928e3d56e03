import type { Migration } from 'kysely';
import * as initial from './0001_initial.ts';

/** Every migration, in order. Forward-only in production: add a file, never edit one that shipped. */
export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
};
