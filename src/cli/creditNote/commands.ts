import { InvalidArgumentError, type Command } from 'commander';
import { z } from 'zod';
import { createCreditNotes, creditNoteInput, presentCreditNote } from '../../application/creditNote/index.js';
import { idOf, parseInput } from '../../application/shared/index.js';
import { listCreditNotes } from '../../projections/creditNote/index.js';
import { listRefunds } from '../../projections/refund/index.js';
import { numberArg, print, runAsOperator, type Open } from '../shared/index.js';

type IssueOptions = Readonly<{ reason: string; amount?: string; line?: string[]; refund?: string; credit?: string; outOfBand?: string; memo?: string; json?: boolean }>;

const lineArg = (value: string, previous: string[] = []): string[] => {
  if (!/^[^=]+=\d+$/.test(value)) throw new InvalidArgumentError('ITEM_KEY=AMOUNT, the amount in minor units');
  return [...previous, value];
};
const idArg = (kind: 'invoice' | 'creditNote' | 'customer', id: string) => parseInput(z.object({ id: idOf(kind) }), { id }, `${kind === 'creditNote' ? 'credit_note' : kind}.invalid`).id;

const line = (n: ReturnType<typeof presentCreditNote>) =>
  `${n.number}  ${n.creditNoteId}  ${n.status}  ${n.amount} ${n.currency} on ${n.invoiceId} (${n.reason}): before payment ${n.prePayment}, refund ${n.refund}, credit ${n.credit}, out of band ${n.outOfBand}`;

/**
 * `billstream credit-notes issue|void|list` and `billstream refunds list`:
 * what an ADMIN does over HTTP, through the same commands and schemas. A
 * credit note's refunds are run by the server's workers.
 */
export const registerCreditNoteCommands = (program: Command, open: Open): void => {
  const notes = program.command('credit-notes').description('credit notes: money given back on an invoice');

  notes
    .command('issue')
    .argument('<invoiceId>')
    .description('credit an invoice by lines or by an amount; the part beyond what is due split into --refund, --credit and --out-of-band')
    .requiredOption('--reason <reason>', 'duplicate, fraudulent, order_change, product_unsatisfactory or other')
    .option('--amount <minor>', 'an amount, spread over the lines in proportion to what is left of each')
    .option('--line <key=amount>', 'a line and the amount credited on it (repeatable)', lineArg)
    .option('--refund <minor>', 'refunded to the card')
    .option('--credit <minor>', "credited to the customer's balance")
    .option('--out-of-band <minor>', 'given back outside billstream')
    .option('--memo <text>', 'a note for the customer')
    .option('--json', 'print JSON')
    .action((id: string, o: IssueOptions) =>
      runAsOperator(
        open,
        () => ({
          invoiceId: idArg('invoice', id),
          input: parseInput(
            creditNoteInput,
            {
              reason: o.reason,
              ...(o.amount !== undefined && { amount: numberArg(o.amount) }),
              ...(o.line && { lines: o.line.map((l) => ({ itemKey: l.slice(0, l.lastIndexOf('=')), amount: Number(l.slice(l.lastIndexOf('=') + 1)) })) }),
              ...(o.refund !== undefined && { refund: numberArg(o.refund) }),
              ...(o.credit !== undefined && { credit: numberArg(o.credit) }),
              ...(o.outOfBand !== undefined && { outOfBand: numberArg(o.outOfBand) }),
              ...(o.memo !== undefined && { memo: o.memo }),
            },
            'credit_note.invalid',
          ),
        }),
        async ({ db, store, clocks }, ask, { invoiceId, input }) => {
          const { state, revision } = await createCreditNotes({ store, db, clock: clocks.domain }).issue(invoiceId, input, ask);
          if (state.status === 'NONE') return;
          const shown = presentCreditNote(state, revision!);
          print(o.json ? JSON.stringify(shown) : `issued ${line(shown)}`);
        },
      ),
    );

  notes
    .command('void')
    .argument('<creditNoteId>')
    .description('void a credit note that refunded nothing and credited no balance')
    .action((id: string) =>
      runAsOperator(open, () => idArg('creditNote', id), async ({ db, store, clocks }, ask, creditNoteId) => {
        const { state, revision } = await createCreditNotes({ store, db, clock: clocks.domain }).void(creditNoteId, ask);
        if (state.status !== 'NONE') print(`voided ${line(presentCreditNote(state, revision!))}`);
      }),
    );

  notes
    .command('list')
    .description('credit notes in the order they were issued, from the read model')
    .option('--invoice <invoiceId>')
    .option('--customer <customerId>')
    .option('--json', 'print JSON')
    .action((o: { invoice?: string; customer?: string; json?: boolean }) =>
      runAsOperator(
        open,
        () => ({ ...(o.invoice && { invoiceId: idArg('invoice', o.invoice) }), ...(o.customer && { customerId: idArg('customer', o.customer) }) }),
        async ({ db }, _ask, filter) => {
          const rows = await listCreditNotes(db, { ...filter, limit: 10_000 });
          if (rows.length === 0 && !o.json) print('no credit notes');
          for (const r of rows) {
            const shown = { number: r.number, creditNoteId: r.credit_note_id, status: r.status, amount: Number(r.amount), currency: r.currency, invoiceId: r.invoice_id, reason: r.reason };
            print(o.json ? JSON.stringify(shown) : `${shown.number}  ${shown.creditNoteId}  ${shown.status}  ${shown.amount} ${shown.currency} on ${shown.invoiceId} (${shown.reason})`);
          }
        },
      ),
    );

  program
    .command('refunds')
    .description('refunds that credit notes and overpayments asked for')
    .command('list')
    .option('--invoice <invoiceId>')
    .option('--json', 'print JSON')
    .action((o: { invoice?: string; json?: boolean }) =>
      runAsOperator(open, () => (o.invoice ? { invoiceId: idArg('invoice', o.invoice) } : {}), async ({ db }, _ask, filter) => {
        const rows = await listRefunds(db, { ...filter, limit: 10_000 });
        if (rows.length === 0 && !o.json) print('no refunds');
        for (const r of rows) {
          const shown = { refundId: r.refund_id, status: r.status, amount: Number(r.amount), currency: r.currency, chargeId: r.charge_id, invoiceId: r.invoice_id, cause: r.cause_kind };
          print(o.json ? JSON.stringify(shown) : `${shown.refundId}  ${shown.status}  ${shown.amount} ${shown.currency} of ${shown.chargeId} on ${shown.invoiceId} (${shown.cause})`);
        }
      }),
    );
};
