import { sql, type Kysely } from 'kysely';

// Saved specs and projects; builds remember the spec and project they came from; each agent
// session records how long it ran and how many features passed before it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('specs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    // Kept beside the content so lists never read the (up to 1 MB) content itself.
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('line_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('specs_owner_created').on('specs').columns(['owner_id', 'created_at desc', 'id desc']).execute();

  await db.schema
    .createTable('projects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('projects_owner_created').on('projects').columns(['owner_id', 'created_at desc', 'id desc']).execute();

  // A build keeps its own copy of the spec's content, so deleting the spec or the project only
  // forgets where the build came from.
  await db.schema.alterTable('builds').addColumn('spec_id', 'text', (c) => c.references('specs.id').onDelete('set null')).execute();
  await db.schema.alterTable('builds').addColumn('project_id', 'text', (c) => c.references('projects.id').onDelete('set null')).execute();
  // A project's builds, newest first (and its build count); partial, as most builds have no project.
  await db.schema
    .createIndex('builds_project_created')
    .on('builds')
    .columns(['project_id', 'created_at desc', 'id desc'])
    .where(sql.ref('project_id'), 'is not', null)
    .execute();
  // Deleting a spec sets its builds' spec_id to null; without this index that scans every build.
  await db.schema.createIndex('builds_spec').on('builds').column('spec_id').where(sql.ref('spec_id'), 'is not', null).execute();

  // Null for sessions recorded before this migration.
  await db.schema.alterTable('build_iterations').addColumn('duration_ms', 'integer').execute();
  await db.schema.alterTable('build_iterations').addColumn('features_passing_before', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('build_iterations').dropColumn('features_passing_before').execute();
  await db.schema.alterTable('build_iterations').dropColumn('duration_ms').execute();
  await db.schema.dropIndex('builds_spec').execute();
  await db.schema.dropIndex('builds_project_created').execute();
  await db.schema.alterTable('builds').dropColumn('project_id').execute();
  await db.schema.alterTable('builds').dropColumn('spec_id').execute();
  await db.schema.dropTable('projects').execute();
  await db.schema.dropTable('specs').execute();
}
