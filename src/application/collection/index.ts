import { CHARGES } from './charge.js';
import { NOTICES } from './notices.js';
import { REFUNDS } from '../refund/index.js';

export { CHARGES, createCharges, type ChargeJob, type Charges } from './charge.js';
export { NOTICES, createNotices, noticeKey, type NoticeJob, type Notices } from './notices.js';
export { listNoticesSent, type NoticesSentTable } from './noticesSent.js';
export { createCollectionCommands, type CollectionCommands } from './operator.js';
export { COLLECTIONS_PROCESS, createCollectionsProcess, type CollectionsProcess } from './process.js';
export { GRACE_REMINDERS, TRIAL_REMINDER_DAYS } from './reminders.js';

/** The queues of side effects: every role may enqueue into them; workers run them. */
export const COLLECTION_QUEUES = [CHARGES, NOTICES, REFUNDS] as const;

export type { NoticeSentTables } from './noticesSent.js';
export { extendGraceInput, stopDunningInput } from './operator.js';
export { dunningPolicyOf } from './dunning.js';
