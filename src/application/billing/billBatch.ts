import pLimit from 'p-limit';
import { contextOf, type Origin } from '../shared/index.js';
import { customerDecider, customerStreamName, type CustomerEvent, type CustomerState } from '../../domain/customer/index.js';
import { invoiceDecider, invoiceStreamName, priceLines, type InvoiceEvent, type InvoiceState } from '../../domain/invoice/index.js';
import { transfersCredit } from './creditTransfers.js';
import { ConflictError, InternalError } from '../../domain/shared/index.js';
import { subscriptionStreamName } from '../../domain/subscription/index.js';
import { eventsToAppend, fold, type BatchWrites, type EventToAppend, type RecordedEvent, type StreamAppend } from '../../eventstore/index.js';
import type { BilledInvoice, BillingDeps, BillingOutcome } from './types.js';
import { creditGrantCommandId, creditGrantFor, numbersWithin } from '../invoice/index.js';
import { creditAppliedLine, owedInvoices, type OwedBySubscription, type OwedInvoice } from './owedInvoices.js';
import { priceOwed, taxLookup, type TaxLookup } from './pricing.js';

export type BatchOutcomes = Map<string, PromiseSettledResult<BillingOutcome>>;

/** A batch read and computed, nothing written yet. */
export type Prepared = Readonly<{
  until: Date;
  outcomes: BatchOutcomes;
  owed: ReadonlyMap<string, OwedBySubscription>;
  missing: ReadonlyMap<string, readonly OwedInvoice[]>;
  /** The invoices the batch read that exist already, by id: where a change's credit may go. */
  known: ReadonlyMap<string, InvoiceState>;
  oneByOneIds: readonly string[];
}>;

/**
 * Billing many subscriptions in two steps, so that a run can read and compute
 * the next batch while the last one is being written. `complete` calls run one
 * at a time: each decides on its customers as the one before left them.
 */
export type ManyBilling = Readonly<{
  prepare: (subscriptionIds: readonly string[], until: Date) => Promise<Prepared>;
  complete: (prepared: Prepared, origin: Origin, concurrency: number) => Promise<BatchOutcomes>;
}>;

export type OneByOne = (subscriptionId: string, until: Date, origin: Origin) => Promise<BillingOutcome>;

type CustomerWork = { streamName: string; recorded: readonly RecordedEvent[]; state: CustomerState; revision: bigint | undefined; events: EventToAppend[] };
type InvoiceWork = { invoiceId: string; created: EventToAppend[]; state: InvoiceState; finalize: boolean; number?: string };

/**
 * Something the batch leaves to one-by-one billing: an earlier one-by-one
 * billing of this subscription stopped half way, or a change's credit goes to
 * an invoice still unpaid (another stream, src/application/billing/creditTransfers.ts).
 * A signal within this file, not a race: isRace must not take it for one.
 */
class ResumeOneByOne extends InternalError {
  constructor() {
    super('billing.resume_one_by_one', 'billed one by one: begun that way, or crediting an unpaid invoice');
  }
}

/** A unique violation, a deadlock, a serialization failure: PostgreSQL's words for "another writer got there first". */
const RACES = new Set(['23505', '40P01', '40001']);
/** Another writer got there first: a stream moved on, or an invoice was numbered meanwhile. */
const isRace = (err: unknown): boolean => err instanceof ConflictError || RACES.has((err as { code?: string }).code ?? '');

const fulfilled = (value: BillingOutcome): PromiseFulfilledResult<BillingOutcome> => ({ status: 'fulfilled', value });
const rejected = (reason: unknown): PromiseRejectedResult => ({ status: 'rejected', reason });

/**
 * Bills a batch of subscriptions in a few round trips: their streams, the
 * invoices they owe and their customers are each read in one query, every
 * invoice and credit is decided in memory by the same deciders and under the
 * same commandIds as one-by-one billing (src/application/billing/billSubscription.ts),
 * and all of it is numbered and appended in one transaction. So a batch is
 * written whole or not at all, and a crash anywhere leaves nothing half done.
 *
 * What the batch cannot settle alone goes one by one: a subscription whose
 * earlier one-by-one billing stopped half way, or a decision that fails; and
 * when another writer moved a stream on before the commit, the whole batch.
 */
export const createBatchBilling = (deps: BillingDeps & { batch: BatchWrites }, oneByOne: OneByOne): ManyBilling => {
  const decideInvoice = async (
    owing: OwedInvoice,
    subscriptionId: string,
    subscription: OwedBySubscription,
    customer: CustomerWork,
    invoices: ReadonlyMap<string, InvoiceState>,
    taxes: TaxLookup,
    origin: Origin,
    now: Date,
  ): Promise<InvoiceWork> => {
    const { invoiceId, currency } = owing;
    const { customerId } = subscription;
    const priced = await priceOwed(owing, subscription, customer, async (id) => invoices.get(id), taxes);
    const { owed, discounts, taxRates } = priced;
    // A credit of time on an invoice unpaid, voided or credited already is decided with that invoice (creditTransfers.ts): one by one.
    if (owed.credits.some((c) => transfersCredit(invoices.get(c.invoiceId), c))) throw new ResumeOneByOne();
    const at = (commandId: string) => ({ ...contextOf(origin, now), commandId });
    const recordedFor = (commandId: string) => customer.recorded.some((r) => r.metadata.commandId === commandId);
    if (recordedFor(`credit:${invoiceId}`) || recordedFor(creditGrantCommandId(invoiceId))) throw new ResumeOneByOne();
    const apply = (events: readonly CustomerEvent[], commandId: string) => {
      customer.state = events.reduce(customerDecider.evolve, customer.state);
      customer.events.push(...eventsToAppend(events, at(commandId)));
    };

    const lines = [...priced.lines];
    const balance = customer.state.status === 'registered' ? (customer.state.credit[currency] ?? 0) : 0;
    const credit = Math.min(balance, priceLines(lines, currency, discounts, taxRates).total);
    if (credit > 0) {
      const events = customerDecider.decide({ type: 'ApplyCredit', data: { amount: credit, currency, invoiceId, now: now.toISOString() } }, customer.state);
      apply(events, `credit:${invoiceId}`);
      const applied = events.find((e) => e.type === 'CustomerCreditApplied');
      lines.push(creditAppliedLine(owed, applied?.type === 'CustomerCreditApplied' ? applied.data.amount : credit));
    }
    const draft = customer.state.status === 'registered' && customer.state.draftInvoices;
    const created: readonly InvoiceEvent[] = invoiceDecider.decide(
      {
        type: 'CreateInvoice',
        data: { invoiceId, customerId, subscriptionId, currency, lines, discounts, taxRates, cause: owed.cause, draft, now: now.toISOString() },
      },
      invoiceDecider.initialState(),
    );
    const state = created.reduce(invoiceDecider.evolve, invoiceDecider.initialState());
    const finalize = state.status === 'DRAFT' && state.autoFinalize;
    // Finalised in the same transaction: its excess is granted with it (a draft under review grants nothing yet).
    const grant = finalize && creditGrantFor(state, now);
    if (grant) apply(customerDecider.decide(grant.command, customer.state), grant.commandId);
    return { invoiceId, created: eventsToAppend(created, at(`create:${invoiceId}`)), state, finalize };
  };

  /** Decides, numbers and appends in one transaction (which throws when another writer won a race); answers what it wrote, and what goes one by one. */
  const write = async (
    owed: ReadonlyMap<string, OwedBySubscription>,
    missing: ReadonlyMap<string, readonly OwedInvoice[]>,
    known: ReadonlyMap<string, InvoiceState>,
    origin: Origin,
    now: Date,
  ) => {
    const names = [...new Set([...missing.keys()].map((id) => customerStreamName(owed.get(id)!.customerId)))];
    const customers = new Map<string, CustomerWork>();
    for (const [streamName, recorded] of await deps.batch.readStreams(names)) {
      customers.set(streamName, { streamName, recorded, ...fold(customerDecider, recorded), events: [] });
    }
    const decided = new Map<string, InvoiceWork[]>();
    const oneByOneIds: string[] = [];
    const taxes = taxLookup(deps.store);
    for (const [subscriptionId, invoices] of missing) {
      const subscription = owed.get(subscriptionId)!;
      const customer = customers.get(customerStreamName(subscription.customerId))!;
      const before = { state: customer.state, events: customer.events.length };
      try {
        // The invoices as this subscription's billing leaves them, one after another: a change's credit looks at those before it.
        const states = new Map(known);
        const works: InvoiceWork[] = [];
        for (const i of invoices) {
          const work = await decideInvoice(i, subscriptionId, subscription, customer, states, taxes, origin, now);
          states.set(work.invoiceId, work.state);
          works.push(work);
        }
        decided.set(subscriptionId, works);
      } catch {
        // Its own run answers why (or finishes what was begun); the others go on.
        customer.state = before.state;
        customer.events.length = before.events;
        oneByOneIds.push(subscriptionId);
      }
    }
    const works = [...decided.values()].flat();
    if (works.length === 0) return { decided, oneByOneIds };
    await deps.batch.transaction(async (tx) => {
      const finalizing = works.filter((w) => w.finalize).map((w) => w.invoiceId);
      const numbers = await numbersWithin(deps.db, tx, finalizing, now.getUTCFullYear(), now);
      const appends: StreamAppend[] = works.map((w) => {
        const number = numbers.get(w.invoiceId);
        if (number === undefined) return { streamName: invoiceStreamName(w.invoiceId), events: w.created, expectedRevision: 'no_stream' };
        w.number = number;
        const finalized = invoiceDecider.decide({ type: 'FinalizeInvoice', data: { number, now: now.toISOString() } }, w.state);
        const context = { ...contextOf(origin, now), commandId: `finalize:${w.invoiceId}` };
        return { streamName: invoiceStreamName(w.invoiceId), events: [...w.created, ...eventsToAppend(finalized, context)], expectedRevision: 'no_stream' };
      });
      for (const c of customers.values()) {
        if (c.events.length > 0) appends.push({ streamName: c.streamName, events: c.events, expectedRevision: c.revision ?? 'no_stream' });
      }
      // One order for every writer (by stream name), so two batches never wait on each other's rows in a cycle.
      await tx.append(appends.sort((a, b) => (a.streamName < b.streamName ? -1 : a.streamName > b.streamName ? 1 : 0)));
    });
    return { decided, oneByOneIds };
  };

  const billed = (w: InvoiceWork): BilledInvoice => {
    if (w.state.status === 'NONE') throw new Error(`invoice ${w.invoiceId} was not created`);
    return { invoiceId: w.invoiceId, total: w.state.total, currency: w.state.currency, ...(w.number !== undefined && { number: w.number }) };
  };

  /** Reads and computes, writing nothing: what each subscription owes, and which of it is not invoiced yet. */
  const prepare = async (subscriptionIds: readonly string[], until: Date): Promise<Prepared> => {
    const outcomes: BatchOutcomes = new Map();
    const owed = new Map<string, OwedBySubscription>();
    const streams = await deps.batch.readStreams(subscriptionIds.map(subscriptionStreamName));
    for (const id of subscriptionIds) {
      try {
        const o = owedInvoices(id, streams.get(subscriptionStreamName(id))!, until);
        if (o) owed.set(id, o);
        else outcomes.set(id, fulfilled({ invoices: [], nextDueAt: undefined, revision: undefined }));
      } catch (err) {
        outcomes.set(id, rejected(err));
      }
    }

    const invoices = await deps.batch.readStreams([...owed.values()].flatMap((o) => o.invoices.map((i) => invoiceStreamName(i.invoiceId))));
    const missing = new Map<string, OwedInvoice[]>();
    const known = new Map<string, InvoiceState>();
    const oneByOneIds: string[] = [];
    for (const [id, o] of owed) {
      const states = o.invoices.map((i) => fold(invoiceDecider, invoices.get(invoiceStreamName(i.invoiceId))!).state);
      o.invoices.forEach((i, k) => states[k]!.status !== 'NONE' && known.set(i.invoiceId, states[k]!));
      // One-by-one billing stopped half way (an invoice not finalised): it finishes what it began.
      const halfWay = (s: InvoiceState) => s.status === 'DRAFT' && s.autoFinalize;
      if (states.some(halfWay)) oneByOneIds.push(id);
      else if (states.some((s) => s.status === 'NONE')) missing.set(id, o.invoices.filter((_, k) => states[k]!.status === 'NONE'));
      else outcomes.set(id, fulfilled({ invoices: [], nextDueAt: o.nextDueAt, revision: o.revision }));
    }
    return { until, outcomes, owed, missing, known, oneByOneIds };
  };

  /** Decides and writes what `prepare` found missing; then the rest one by one. */
  const complete = async (prepared: Prepared, origin: Origin, concurrency: number): Promise<BatchOutcomes> => {
    const { until, owed, missing } = prepared;
    const outcomes: BatchOutcomes = new Map(prepared.outcomes);
    const oneByOneIds = [...prepared.oneByOneIds];
    if (missing.size > 0) {
      try {
        const result = await write(owed, missing, prepared.known, origin, deps.clock.now());
        oneByOneIds.push(...result.oneByOneIds);
        for (const [id, works] of result.decided) {
          const o = owed.get(id)!;
          outcomes.set(id, fulfilled({ invoices: works.map(billed), nextDueAt: o.nextDueAt, revision: o.revision }));
        }
      } catch (err) {
        if (!isRace(err)) {
          for (const id of missing.keys()) outcomes.set(id, rejected(err));
        } else {
          // Nothing of the batch was written: each subscription on its own sees what the other writer did.
          oneByOneIds.push(...missing.keys());
        }
      }
    }

    const limit = pLimit(concurrency);
    await Promise.all(
      oneByOneIds.map((id) =>
        limit(async () => {
          outcomes.set(id, await oneByOne(id, until, origin).then(fulfilled, rejected));
        }),
      ),
    );
    return outcomes;
  };

  return { prepare, complete };
};
