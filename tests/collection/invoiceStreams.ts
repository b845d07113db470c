import { randomBytes } from 'node:crypto';
import { customerDecider, customerStreamName } from '../../src/domain/customer/index.js';
import { invoiceDecider, invoiceStreamName, type InvoiceCommand, type InvoiceState } from '../../src/domain/invoice/index.js';
import { foldStream, handleCommand, type EventStore } from '../../src/eventstore/index.js';

export type InvoiceSetup = Readonly<{
  /** The customer's payment method; none attached when null. */
  paymentMethod?: string | null;
  /** The invoice's total in usd cents (one plan_charge line). */
  amount?: number;
  /** Left a DRAFT instead of finalised. */
  draft?: boolean;
}>;

/**
 * Customers and invoices written straight to their streams, as the billing
 * engine leaves them, at `now`; ids are fresh per call, in the API's shapes.
 */
export const invoiceStreams = (store: EventStore, now: Date) => {
  const at = now.toISOString();
  const context = (commandId: string) => ({ correlationId: commandId, commandId, actor: { id: 'system:test' }, source: 'test', occurredAt: now });
  const send = (invoiceId: string, command: InvoiceCommand) =>
    handleCommand(store, invoiceStreamName(invoiceId), invoiceDecider, command, context(`${command.type}:${invoiceId}:${randomBytes(4).toString('hex')}`));

  const create = async ({ paymentMethod = 'pm_ok', amount = 4_500, draft = false }: InvoiceSetup = {}): Promise<string> => {
    const customerId = `cus_${randomBytes(16).toString('hex')}`;
    const invoiceId = `inv_${randomBytes(16).toString('hex')}`;
    const customerStream = customerStreamName(customerId);
    await handleCommand(store, customerStream, customerDecider, { type: 'RegisterCustomer', data: { customerId, name: 'Acme', email: 'ap@acme.example', now: at } }, context(`reg:${customerId}`));
    if (paymentMethod !== null) {
      await handleCommand(store, customerStream, customerDecider, { type: 'AttachPaymentMethod', data: { paymentMethod, now: at } }, context(`pm:${customerId}`));
    }
    const period = { start: at, end: new Date(now.getTime() + 30 * 86_400_000).toISOString() };
    const line = { type: 'plan_charge' as const, itemKey: 'charge:1', description: 'Basic', quantity: 1, unitAmount: amount, amount, currency: 'usd', period };
    await send(invoiceId, {
      type: 'CreateInvoice',
      data: { invoiceId, customerId, subscriptionId: `sub_${randomBytes(16).toString('hex')}`, currency: 'usd', lines: [line], cause: { kind: 'period', periodStart: at }, draft, now: at },
    });
    if (!draft) await send(invoiceId, { type: 'FinalizeInvoice', data: { number: `${now.getUTCFullYear()}-000001`, now: at } });
    return invoiceId;
  };

  return {
    create,
    /** A command on the invoice, sent as the system would. */
    send,
    state: async (invoiceId: string): Promise<InvoiceState> => (await foldStream(store, invoiceStreamName(invoiceId), invoiceDecider)).state,
    /** The invoice's events with their actors, oldest first. */
    events: async (invoiceId: string) => (await store.readStream(invoiceStreamName(invoiceId))).map((e) => ({ type: e.type, data: e.data, metadata: e.metadata })),
  };
};
