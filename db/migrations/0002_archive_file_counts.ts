import type { Kysely } from 'kysely';

// How many files each stored workspace archive holds, counted while it streams to storage.
// Nullable: archives stored before this migration were never counted.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('artifacts').addColumn('file_count', 'integer').execute();
  await db.schema.alterTable('checkpoints').addColumn('file_count', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('checkpoints').dropColumn('file_count').execute();
  await db.schema.alterTable('artifacts').dropColumn('file_count').execute();
}
