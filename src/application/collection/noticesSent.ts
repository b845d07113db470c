import type { Db, Instant } from '../../db/index.js';


/** One row per notice sent (migrations/…_notices_sent): its job's key, its message id, and what it was about. */
export type NoticesSentTable = {
  key: string;
  name: string;
  message_id: string;
  recipient: string;
  customer_id: string;
  invoice_id: string | null;
  subscription_id: string | null;
  /** Domain time: a simulated clock's instant under simulation. */
  sent_at: Instant;
};

export const wasSent = async (db: Db, key: string): Promise<boolean> =>
  (await db.selectFrom('collections.notices_sent').select('key').where('key', '=', key).executeTakeFirst()) !== undefined;

export const recordSent = async (
  db: Db,
  row: Readonly<{ key: string; name: string; messageId: string; recipient: string; customerId: string; invoiceId?: string; subscriptionId?: string; sentAt: Date }>,
): Promise<void> => {
  await db
    .insertInto('collections.notices_sent')
    .values({
      key: row.key,
      name: row.name,
      message_id: row.messageId,
      recipient: row.recipient,
      customer_id: row.customerId,
      invoice_id: row.invoiceId ?? null,
      subscription_id: row.subscriptionId ?? null,
      sent_at: row.sentAt,
    })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
};

/** The notices sent, oldest first: to a customer, or about an invoice or a subscription. */
export const listNoticesSent = (db: Db, filter: Readonly<{ customerId?: string; invoiceId?: string; subscriptionId?: string }> = {}) =>
  db
    .selectFrom('collections.notices_sent')
    .selectAll()
    .$if(filter.customerId !== undefined, (q) => q.where('customer_id', '=', filter.customerId!))
    .$if(filter.invoiceId !== undefined, (q) => q.where('invoice_id', '=', filter.invoiceId!))
    .$if(filter.subscriptionId !== undefined, (q) => q.where('subscription_id', '=', filter.subscriptionId!))
    .orderBy('sent_at')
    .orderBy('key')
    .execute();

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type NoticeSentTables = {
  'collections.notices_sent': NoticesSentTable;
};
