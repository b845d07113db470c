import type { Command } from 'commander';
import { reconcileLedger } from '../../application/ledger/index.js';
import { createSimulatedGateway } from '../../application/payment/index.js';
import { formatPosition } from '../../eventstore/index.js';
import { accountBalances, listEntries, totalsByCurrency, type AccountBalance } from '../../projections/ledger/index.js';
import { idArg, print, runAsOperator, type Json, type Open } from '../shared/index.js';

const pad = (text: string | number, width: number) => String(text).padStart(width);

/** Each account's debits, credits and balance, then each currency's sums: a balance of 0, or the ledger is broken. */
const printBalances = (accounts: readonly AccountBalance[]) => {
  if (accounts.length === 0) print('no entries');
  print(`${'account'.padEnd(16)} ${'currency'.padEnd(8)} ${pad('debit', 14)} ${pad('credit', 14)} ${pad('balance', 14)}`);
  for (const a of accounts) print(`${a.account.padEnd(16)} ${a.currency.padEnd(8)} ${pad(a.debit, 14)} ${pad(a.credit, 14)} ${pad(a.balance, 14)}`);
  for (const t of totalsByCurrency(accounts)) print(`${'total'.padEnd(16)} ${t.currency.padEnd(8)} ${pad(t.debit, 14)} ${pad(t.credit, 14)} ${pad(t.balance, 14)}`);
};

/**
 * `billstream ledger trial-balance|customer|reconcile`: the double-entry
 * ledger as the ledger projection has it (amounts in minor units).
 */
export const registerLedgerCommands = (program: Command, open: Open): void => {
  const ledger = program.command('ledger').description('the double-entry ledger: every movement of money');

  ledger
    .command('trial-balance')
    .description("each account's debits, credits and balance; each currency sums to 0")
    .option('--json', 'print JSON')
    .action((options: Json) =>
      open(async ({ db }) => {
        const accounts = await accountBalances(db);
        if (options.json) print(JSON.stringify(accounts));
        else printBalances(accounts);
      }),
    );

  ledger
    .command('customer <customerId>')
    .description("a customer's accounts and entries")
    .option('--json', 'print JSON')
    .action((id: string, options: Json) =>
      runAsOperator(open, () => idArg('customer', id), async ({ db }, _ask, customerId) => {
        const accounts = await accountBalances(db, customerId);
        const entries = await listEntries(db, { customerId, limit: 10_000 });
        if (options.json) {
          print(JSON.stringify({ customerId, accounts, entries: entries.map((e) => ({ ...e, position: formatPosition(e.position) })) }));
          return;
        }
        printBalances(accounts);
        for (const e of entries) {
          print(`${formatPosition(e.position)}  ${e.occurredAt}  ${e.kind.padEnd(22)} ${e.debit.padEnd(15)} → ${e.credit.padEnd(15)} ${pad(e.amount, 12)} ${e.currency}  ${e.invoiceId ?? ''}`);
        }
      }),
    );

  ledger
    .command('reconcile')
    .description('the ledger against the streams and the gateway; exits 1 when anything differs')
    .option('--json', 'print JSON')
    .action((options: Json) =>
      open(async ({ db, store, clocks }) => {
        const r = await reconcileLedger({ db, store, gateway: createSimulatedGateway({ db, clock: clocks.domain }) });
        if (options.json) print(JSON.stringify({ ...r, position: r.position ? formatPosition(r.position) : null }));
        else {
          print(`ledger at ${r.position ? formatPosition(r.position) : 'the start'}: ${r.ok ? 'reconciled' : 'NOT reconciled'}`);
          for (const c of r.checks) {
            print(`${c.ok ? 'ok  ' : 'DIFF'}  ${c.check.padEnd(16)} ${c.currency}  ${c.customerId ?? ''}  ledger ${c.ledger}, expected ${c.expected}`);
          }
          for (const c of r.openClearings) print(`OPEN  clearing of ${c.invoiceId ?? '(no invoice)'}: ${c.balance} ${c.currency}`);
          for (const c of r.heldForDrafts) print(`held  credit applied to draft ${c.invoiceId}: ${-c.balance} ${c.currency}, until it is finalised or voided`);
        }
        if (!r.ok) process.exitCode = 1;
      }),
    );
};
