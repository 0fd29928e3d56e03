import type { Db } from './connect.ts';
import type { UserRow } from './schema.ts';

export interface User {
  id: string;
  email: string;
  name: string | null;
  createdAt: string;
}

export function toUser(row: Pick<UserRow, 'id' | 'email' | 'name' | 'created_at'>): User {
  return { id: row.id, email: row.email, name: row.name, createdAt: row.created_at.toISOString() };
}

export async function insertUser(db: Db, user: { id: string; email: string; name: string | null; passwordHash: string }): Promise<User | undefined> {
  const row = await db
    .insertInto('users')
    .values({ id: user.id, email: user.email, name: user.name, password_hash: user.passwordHash })
    .onConflict((oc) => oc.column('email').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row && toUser(row);
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}
