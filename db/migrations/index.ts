import type { Migration } from 'kysely';
import * as initial from './0001_initial.ts';
import * as archiveFileCounts from './0002_archive_file_counts.ts';
import * as specsProjects from './0003_specs_projects.ts';

/** Every migration, in order. Forward-only in production: add a file, never edit one that shipped. */
export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_archive_file_counts': archiveFileCounts,
  '0003_specs_projects': specsProjects,
};
