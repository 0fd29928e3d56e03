import type { Db } from './connect.ts';
import { toUser, type User } from './users.ts';

export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export async function insertApiToken(db: Db, token: { id: string; userId: string; name: string; tokenHash: string }): Promise<ApiToken> {
  const row = await db
    .insertInto('api_tokens')
    .values({ id: token.id, user_id: token.userId, name: token.name, token_hash: token.tokenHash })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { id: row.id, name: row.name, createdAt: row.created_at.toISOString(), lastUsedAt: null };
}

export async function listApiTokens(db: Db, userId: string): Promise<ApiToken[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'last_used_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at.toISOString(), lastUsedAt: r.last_used_at?.toISOString() ?? null }));
}

export async function deleteApiToken(db: Db, userId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('api_tokens').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function findTokenUser(db: Db, tokenHash: string): Promise<User | undefined> {
  const row = await db
    .updateTable('api_tokens')
    .set({ last_used_at: new Date() })
    .from('users')
    .whereRef('users.id', '=', 'api_tokens.user_id')
    .where('api_tokens.token_hash', '=', tokenHash)
    .returning(['users.id', 'users.email', 'users.name', 'users.created_at'])
    .executeTakeFirst();
  return row && toUser(row);
}
