import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Timestamps are written as Date (or left to the database default) and read as Date. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** JSON columns are written as serialized strings and read back parsed. */
type Json<T> = ColumnType<T, string, string>;

export type BuildStatus = 'queued' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';
export type BuildPhase = 'provisioning' | 'initializing' | 'coding' | 'checkpointing' | 'saving' | 'cleanup';

export interface BuildOptions {
  model: string;
  maxIterations: number;
  maxCostUsd: number;
  /** ISO time after which no new session starts, or null. */
  deadline: string | null;
  stallLimit: number;
  sandbox: 'local' | 'e2b';
}

export interface BuildErrorInfo {
  code: string;
  message: string;
}

export interface Feature {
  category: string;
  description: string;
  steps: string[];
  passes: boolean;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string | null;
  password_hash: string;
  created_at: Generated<Date>;
}

export interface SessionsTable {
  /** sha256 of the cookie value: a stolen database does not yield live sessions. */
  token_hash: string;
  user_id: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: Generated<Date>;
  last_used_at: NullableTimestamp;
}

export interface BuildsTable {
  id: string;
  owner_id: string;
  name: string;
  spec_content: string;
  status: BuildStatus;
  phase: BuildPhase | null;
  iteration: Generated<number>;
  features_total: Generated<number>;
  features_passing: Generated<number>;
  input_tokens: Generated<number>;
  output_tokens: Generated<number>;
  cost_usd: Generated<number>;
  options: Json<BuildOptions>;
  error: Json<BuildErrorInfo | null> | null;
  sandbox_id: string | null;
  workflow_id: string;
  workflow_run_id: string | null;
  /** The saved spec the build was started from (its content is copied into spec_content); null once that spec is deleted. */
  spec_id: string | null;
  project_id: string | null;
  /** Last event sequence number handed out; bumped under a row lock so seq strictly increases. */
  event_seq: Generated<number>;
  created_at: Generated<Date>;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  updated_at: Generated<Date>;
}

export interface BuildEventsTable {
  build_id: string;
  seq: number;
  /** Idempotency key: a retried activity that re-sends an event adds nothing. */
  key: string;
  at: Generated<Date>;
  type: string;
  iteration: number;
  data: Json<Record<string, unknown>>;
}

export interface FeatureSnapshotsTable {
  build_id: string;
  iteration: number;
  features: Json<Feature[]>;
  total: number;
  passing: number;
  created_at: Generated<Date>;
}

export interface BuildIterationsTable {
  build_id: string;
  iteration: number;
  kind: string;
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cost_usd: number;
  turns: number;
  stop_reason: string;
  features_passing: number;
  features_total: number;
  /** Wall time of the session; null for sessions recorded before it was measured. */
  duration_ms: number | null;
  /** Features passing when the session started; null for sessions recorded before it was kept. */
  features_passing_before: number | null;
  created_at: Generated<Date>;
}

export interface SpecsTable {
  id: string;
  owner_id: string;
  name: string;
  content: string;
  size_bytes: number;
  line_count: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ProjectsTable {
  id: string;
  owner_id: string;
  name: string;
  description: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CheckpointsTable {
  build_id: string;
  iteration: number;
  storage_key: string;
  size_bytes: number;
  sha256: string;
  /** Files in the archive; null for checkpoints stored before files were counted. */
  file_count: number | null;
  created_at: Generated<Date>;
}

export interface ArtifactsTable {
  build_id: string;
  storage_key: string;
  format: string;
  size_bytes: ColumnType<number, number, number>;
  sha256: string;
  /** Files in the archive; null for artifacts stored before files were counted. */
  file_count: number | null;
  /** When the artifact was last (re)saved: a resumed build saves it again. */
  created_at: Generated<Date>;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  specs: SpecsTable;
  projects: ProjectsTable;
  builds: BuildsTable;
  build_events: BuildEventsTable;
  feature_snapshots: FeatureSnapshotsTable;
  build_iterations: BuildIterationsTable;
  checkpoints: CheckpointsTable;
  artifacts: ArtifactsTable;
}

export type UserRow = Selectable<UsersTable>;
export type BuildRow = Selectable<BuildsTable>;
export type NewBuild = Insertable<BuildsTable>;
export type BuildUpdate = Updateable<BuildsTable>;
export type BuildEventRow = Selectable<BuildEventsTable>;
