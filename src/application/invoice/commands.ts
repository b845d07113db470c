import { type Clock } from '../../clock/index.js';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { commandPath, type Aggregate, type Ask } from '../shared/index.js';
import { originOnly, parseInput, reasonInput } from '../shared/index.js';
import type { Database } from '../../db/index.js';
import { invoiceDecider, invoiceStreamName, type InvoiceCommand, type InvoiceEvent, type InvoiceState } from '../../domain/invoice/index.js';
import type { EventStore } from '../../eventstore/index.js';
import { invoiceNumberFor } from './numbering.js';

export const invoices: Aggregate<InvoiceState, InvoiceCommand, InvoiceEvent> = {
  decider: invoiceDecider,
  streamOf: invoiceStreamName,
};

export type InvoiceDeps = Readonly<{ store: EventStore; db: Kysely<Database>; clock: Clock }>;

/** Whether a finalisation took a number for this invoice, recorded or not. */
const holdsNumber = async (db: Kysely<Database>, invoiceId: string): Promise<boolean> =>
  (await db.selectFrom('billing.invoice_numbers').select('invoice_id').where('invoice_id', '=', invoiceId).executeTakeFirst()) !== undefined;

/**
 * Commands people send on invoices; the billing engine creates them. Numbers
 * are given out without gaps (src/application/invoice/numbering.ts), so a number is taken
 * only for an invoice its stream shows as a DRAFT, and a draft that already
 * holds one is finalised with it before anything else happens to it.
 */
export const createInvoiceCommands = (deps: InvoiceDeps) => {
  const path = commandPath(deps.store, deps.clock, invoices);

  /**
   * Numbers a DRAFT for the UTC year of now and finalises it. The commandId is
   * the billing engine's, so the two finalising one draft at once write one
   * event. Anything else goes to the decider without a number to take: an
   * OPEN invoice gets its own (a no-op, answered with the invoice as it is),
   * and the decider refuses the rest (not found, 409 with the allowed
   * transitions) before it reads one. The decider would take a VOID or PAID
   * invoice's own number as a retry too; over HTTP a retry is answered by its
   * Idempotency-Key, so a caller finalising an invoice that moved on is told
   * where it is.
   */
  const finalizeInvoice = async (invoiceId: string, ask: Ask) => {
    const { state, revision } = await path.current(invoiceId);
    const now = deps.clock.now();
    // A stale If-Match is refused by the run below; no number is taken for it.
    if (state.status !== 'DRAFT' || (ask.ifMatch !== undefined && ask.ifMatch !== revision)) {
      const number = state.status === 'OPEN' ? state.number : '';
      return path.run(invoiceId, { type: 'FinalizeInvoice', data: { number, now: now.toISOString() } }, ask);
    }
    const number = await invoiceNumberFor(deps.db, invoiceId, now.getUTCFullYear(), now);
    return path.run(invoiceId, { type: 'FinalizeInvoice', data: { number, now: now.toISOString() } }, { ...ask, commandId: `finalize:${invoiceId}` });
  };

  return {
    current: path.current,

    finalizeInvoice,

    /**
     * Voids an invoice. A DRAFT holding a number (a finalisation that died
     * between taking it and recording it, or is still under way) is finalised
     * with it first, so the number ends on a voided invoice rather than
     * missing from the sequence. A void landing between a finalisation's read
     * of the draft and its taking a number still leaves that number unused.
     */
    voidInvoice: async (invoiceId: string, input: z.input<typeof reasonInput> | undefined, ask: Ask) => {
      const valid = parseInput(reasonInput, input ?? {}, 'invoice.invalid');
      const { state } = await path.current(invoiceId);
      let voidAsk = ask;
      if (state.status === 'DRAFT' && (await holdsNumber(deps.db, invoiceId))) {
        await finalizeInvoice(invoiceId, ask);
        // The caller's revision was the draft's; the void is decided on what the finalisation left.
        voidAsk = originOnly(ask);
      }
      return path.run(invoiceId, { type: 'VoidInvoice', data: { ...valid, now: deps.clock.now().toISOString() } }, voidAsk);
    },
  };
};

export type InvoiceCommands = ReturnType<typeof createInvoiceCommands>;
