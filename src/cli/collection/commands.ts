import type { Command } from 'commander';
import { z } from 'zod';
import { CHARGES, createCharges, createCollectionCommands, dunningPolicyOf, extendGraceInput, stopDunningInput } from '../../application/collection/index.js';
import { type Ask, idOf, parseInput } from '../../application/shared/index.js';
import { loadConfig } from '../../config/index.js';
import { createJobs } from '../../jobs/index.js';
import { createSimulatedGateway } from '../../application/payment/index.js';
import { numberArg, print, runAsOperator, type CliContext as Context, type Open } from '../shared/index.js';


/** Refusals name the invoice id as the argument it is. */
const run = <T>(open: Open, check: () => T, work: (context: Context, ask: Ask, checked: T) => Promise<void>) =>
  runAsOperator(open, check, work, { id: 'the invoice id' });

const invoiceArg = (id: string): string => parseInput(z.object({ id: idOf('invoice') }), { id }, 'invoice.invalid').id;

/**
 * `billstream dunning retry|stop|extend-grace INVOICE_ID`: an operator's say
 * over an invoice's collection, each an event on the invoice's stream with
 * the CLI as its actor. `retry` only enqueues the charge job: the server's
 * workers run it.
 */
export const registerDunningCommands = (program: Command, open: Open): void => {
  const dunning = program.command('dunning').description("an invoice's payment attempts and dunning, from the operator side");

  dunning
    .command('retry')
    .argument('<invoiceId>')
    .description('attempt the payment now, as a charge job (the attempt under way, if there is one)')
    .action((id: string) =>
      run(open, () => invoiceArg(id), async ({ db, pool, store, logger, clocks }, ask, invoiceId) => {
        const config = loadConfig(process.env);
        const clock = clocks.domain;
        const jobs = createJobs({ pool, logger });
        // A client of the queue only: it enqueues, and never works a job.
        await jobs.start([CHARGES]);
        try {
          const dunningPolicy = dunningPolicyOf(config);
          const charges = createCharges({ store, clock, gateway: createSimulatedGateway({ db, clock }), jobs, dunning: dunningPolicy });
          const paid = await createCollectionCommands({ store, clock, charges }).pay(invoiceId, ask);
          print(`${paid.enqueued ? 'enqueued' : 'already enqueued'} attempt ${paid.attempt} of ${invoiceId}: job ${paid.jobId}`);
        } finally {
          await jobs.stop(1_000);
        }
      }),
    );

  dunning
    .command('stop')
    .argument('<invoiceId>')
    .description('no more automatic retries, notices or end of grace; the invoice stays open until paid, voided or written off')
    .option('--reason <text>', 'why, for the audit trail')
    .action((id: string, o: { reason?: string }) =>
      run(
        open,
        () => ({ invoiceId: invoiceArg(id), input: parseInput(stopDunningInput, { reason: o.reason }, 'invoice.invalid') }),
        async ({ store, clocks }, ask, { invoiceId, input }) => {
          const commands = createCollectionCommands({ store, clock: clocks.domain, charges: { request: notEnqueued } });
          const result = await commands.stopDunning(invoiceId, input, ask);
          print(result.newEvents.length > 0 ? `stopped dunning of ${invoiceId}` : `dunning of ${invoiceId} was already stopped (unchanged)`);
        },
      ),
    );

  dunning
    .command('extend-grace')
    .argument('<invoiceId>')
    .description("moves the end of the invoice's grace period later")
    .requiredOption('--days <n>', 'whole days to add, 1–365')
    .option('--reason <text>', 'why, for the audit trail')
    .action((id: string, o: { days: string; reason?: string }) =>
      run(
        open,
        () => ({ invoiceId: invoiceArg(id), input: parseInput(extendGraceInput, { days: numberArg(o.days), reason: o.reason }, 'invoice.invalid') }),
        async ({ store, clocks }, ask, { invoiceId, input }) => {
          const commands = createCollectionCommands({ store, clock: clocks.domain, charges: { request: notEnqueued } });
          const result = await commands.extendGrace(invoiceId, input, ask);
          const { newState } = result;
          print(`extended grace of ${invoiceId} by ${input.days} days: it ends ${newState.status === 'NONE' ? '?' : newState.collection?.graceEndsAt}`);
        },
      ),
    );
};

/** stop and extend-grace enqueue nothing. */
const notEnqueued = (): never => {
  throw new Error('this command enqueues no job');
};
