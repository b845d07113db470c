import { print } from '../cli/shared/index.js';
import { registerProjectionCommands } from '../cli/projection/index.js';
import { registerStreamCommands } from '../cli/stream/index.js';
import { registerUserCommands } from '../cli/user/index.js';
import { openClocks, type Clocks } from '../clock/index.js';
import { Command } from 'commander';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../logger/index.js';
import { migrateToLatest } from '../db/index.js';
import type { Logger } from 'winston';
import { type EventStore } from '../eventstore/index.js';
import { allProjections } from './projections.js';
import { openEventStore, openInfrastructure, type Infrastructure } from './infrastructure.js';
import { registerContractCommands } from '../cli/contract/index.js';
import { registerCustomerCommands } from '../cli/customer/index.js';
import { registerPlanCommands } from '../cli/plan/index.js';
import { registerSubscriptionCommands } from '../cli/subscription/index.js';
import { registerDunningCommands } from '../cli/collection/index.js';
import { registerJobCommands } from '../cli/job/index.js';
import { registerLedgerCommands } from '../cli/ledger/index.js';
import { registerCreditNoteCommands } from '../cli/creditNote/index.js';
import { registerCouponCommands } from '../cli/coupon/index.js';
import { registerTaxRateCommands } from '../cli/taxRate/index.js';
import { registerApiKeyCommands } from '../cli/apiKey/index.js';
import { registerWebhookCommands } from '../cli/webhook/index.js';
import { registerSimulateCommand } from './simulate/index.js';

/**
 * `billstream`, the operator's command. It uses the same configuration as the
 * server: DATABASE_URL, or the embedded PostgreSQL in DATA_DIR (shared with a
 * running server, started and stopped around the command otherwise).
 */
type Context = Infrastructure & { store: EventStore; logger: Logger; clocks: Clocks };

const withInfrastructure = async (work: (context: Context) => Promise<void>): Promise<void> => {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', format: 'pretty' });
  const infra = await openInfrastructure(config, logger);
  const store = openEventStore(config, infra, logger);
  try {
    await store.start?.();
    // The server's clocks: a command happens at the domain's instant, the test clock's under CLOCK=simulated.
    const clocks = await openClocks(infra.db, config);
    await work({ ...infra, store, logger, clocks });
  } finally {
    await store.close();
    await infra.close();
  }
};


const program = new Command('billstream').description('Operate billstream').showHelpAfterError();

program
  .command('migrate')
  .description('apply pending database migrations (start-up does this too)')
  .action(() =>
    withInfrastructure(async ({ db }) => {
      const applied = await migrateToLatest(db);
      print(applied.length === 0 ? 'database is up to date' : `applied ${applied.length} migration(s)`);
    }),
  );

// `billstream plans|customers|contracts|subscriptions|tax-rates|coupons …`: what an ADMIN does over HTTP, through the same commands and schemas.
registerPlanCommands(program, withInfrastructure);
registerCustomerCommands(program, withInfrastructure);
registerContractCommands(program, withInfrastructure);
registerSubscriptionCommands(program, withInfrastructure);
registerTaxRateCommands(program, withInfrastructure);
registerApiKeyCommands(program, withInfrastructure);
registerWebhookCommands(program, withInfrastructure);
registerCouponCommands(program, withInfrastructure);
registerSimulateCommand(program);
registerUserCommands(program, withInfrastructure);
registerProjectionCommands(program, withInfrastructure, allProjections);
registerStreamCommands(program, withInfrastructure);
registerJobCommands(program, withInfrastructure);
registerDunningCommands(program, withInfrastructure);
registerLedgerCommands(program, withInfrastructure);
registerCreditNoteCommands(program, withInfrastructure);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`billstream: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
