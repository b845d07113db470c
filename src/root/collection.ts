import type { Kysely } from 'kysely';
import type { Logger } from 'winston';
import {
  CHARGES,
  createCharges,
  createCollectionCommands,
  createCollectionsProcess,
  createNotices,
  dunningPolicyOf,
  NOTICES,
} from '../application/collection/index.js';
import { createMailer } from '../application/notice/index.js';
import { createCreditNotes } from '../application/creditNote/index.js';
import { createRefunds, REFUNDS } from '../application/refund/index.js';
import { createSimulatedGateway, type PaymentGateway } from '../application/payment/index.js';
import type { Clock } from '../clock/index.js';
import type { Config } from '../config/index.js';
import type { Database } from '../db/index.js';
import type { EventStore } from '../eventstore/index.js';
import type { Jobs } from '../jobs/index.js';
import { collectionTriggers } from '../scheduler/collection/index.js';

export type CollectionsDeps = Readonly<{
  config: Pick<Config, 'DUNNING_SCHEDULE_DAYS' | 'GRACE_PERIOD_DAYS' | 'DATA_DIR' | 'SMTP_URL' | 'MAIL_FROM' | 'WORKER_CONCURRENCY' | 'PAYMENT_ATTEMPT_TIMEOUT_MINUTES' | 'OVERPAYMENT'>;
  db: Kysely<Database>;
  store: EventStore;
  clock: Clock;
  logger: Logger;
  /** Started on COLLECTION_QUEUES. */
  jobs: Jobs;
  wrapGateway?: (gateway: PaymentGateway) => PaymentGateway;
}>;

/**
 * Collections as one process runs it: the charge and notice jobs, the
 * process manager that asks for them, the dunning triggers, and the
 * commands operators and API clients send. The gateway and the mailer are
 * chosen by the configuration (PAYMENT_GATEWAY, SMTP_URL).
 */
export const assembleCollections = (deps: CollectionsDeps) => {
  const { config, db, store, clock, logger, jobs } = deps;
  const dunning = dunningPolicyOf(config);
  const simulated = createSimulatedGateway({ db, clock });
  const gateway = deps.wrapGateway ? deps.wrapGateway(simulated) : simulated;
  const charges = createCharges({ store, clock, gateway, jobs, dunning });
  const creditNotes = createCreditNotes({ store, db, clock });
  const refunds = createRefunds({ store, clock, gateway, jobs });
  const notices = createNotices({ db, store, clock, jobs, mailer: createMailer(config), mailFrom: config.MAIL_FROM });
  return {
    /** The configured gateway: the ledger's reconciliation reads its record of money moved. */
    gateway,
    creditNotes,
    process: createCollectionsProcess({ db, store, logger, charges, notices, creditNotes, refunds, overpayment: config.OVERPAYMENT }),
    triggers: (schedules?: Parameters<typeof collectionTriggers>[0]['schedules']) =>
      collectionTriggers({
        db,
        store,
        clock,
        charges,
        notices,
        logger,
        attemptTimeoutMs: config.PAYMENT_ATTEMPT_TIMEOUT_MINUTES * 60_000,
        ...(schedules && { schedules }),
      }),
    commands: createCollectionCommands({ store, clock, charges }),
    /** Runs the charge and notice jobs in this process. */
    work: async () => {
      await jobs.work(CHARGES.name, charges.run, { concurrency: config.WORKER_CONCURRENCY });
      await jobs.work(NOTICES.name, notices.run, { concurrency: config.WORKER_CONCURRENCY });
      await jobs.work(REFUNDS.name, refunds.run, { concurrency: config.WORKER_CONCURRENCY });
    },
  };
};
