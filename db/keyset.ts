/**
 * Where a newest-first page ended: lists order by (created_at desc, id desc) and the next page
 * starts strictly after this pair, so rows added meanwhile never shift or repeat items.
 */
export interface KeysetCursor {
  createdAt: Date;
  id: string;
}
