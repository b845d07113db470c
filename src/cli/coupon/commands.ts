import type { Command } from 'commander';
import { z } from 'zod';
import { couponExists, couponInput, coupons, createCouponCommands, presentCoupon } from '../../application/coupon/index.js';
import { idOf, parseInput, pointInTimeInput, stateAt } from '../../application/shared/index.js';
import type { CouponEvent, CouponState } from '../../domain/coupon/index.js';
import { NotFoundError } from '../../domain/shared/index.js';
import { foldStream, type HandleCommandResult } from '../../eventstore/index.js';
import { streamsOfCategory } from '../../projections/stream/index.js';
import { listOptions, numberArg, print, printPage, runAsOperator, showOptions, type Json, type ListOptions, type Open, type Shown } from '../shared/index.js';

/** `billstream coupons …`: coupons, as an ADMIN or a MANAGER keeps them over HTTP, through the same commands and schemas. */
type CouponView = ReturnType<typeof presentCoupon>;

const off = (c: CouponView) => (c.percentOff !== null ? `${c.percentOff}%` : `${c.amountOff} ${c.currency}`);
const lasting = (c: CouponView) => (c.duration === 'repeating' ? `for ${c.durationInPeriods} periods` : c.duration);

export const couponLine = (c: CouponView) =>
  `${c.couponId} (${c.name}, ${off(c)} off ${lasting(c)}, redeemed ${c.timesRedeemed}${c.maxRedemptions !== null ? ` of ${c.maxRedemptions}` : ''}` +
  `${c.redeemBy !== null ? `, redeem by ${c.redeemBy}` : ''}${c.status === 'ARCHIVED' ? ', archived' : ''})`;

type CreateOptions = Json &
  Readonly<{ name: string; percentOff?: string; amountOff?: string; currency?: string; duration: string; periods?: string; maxRedemptions?: string; redeemBy?: string }>;

/** Refusals name the flags as the CLI spells them. */
const NAMES = { id: 'the coupon id', durationInPeriods: '--periods' };
const notFound = () => new NotFoundError('coupon.not_found', 'the coupon does not exist');
const couponArg = (id: string) => parseInput(z.object({ id: idOf('coupon') }), { id }, 'coupon.invalid').id;

const printCoupon = (state: CouponState, revision: bigint | undefined, text: (line: string) => string, json: boolean | undefined) => {
  if (!couponExists(state) || revision === undefined) throw notFound();
  const view = presentCoupon(state, revision);
  print(json ? JSON.stringify(view) : text(couponLine(view)));
};
/** A command's answer: the coupon as it left it, or "unchanged" when it appended nothing. */
const printOutcome = (verb: string, r: HandleCommandResult<CouponState, CouponEvent>, json: boolean | undefined) =>
  printCoupon(r.newState, r.nextExpectedRevision, (line) => (r.newEvents.length === 0 ? `coupon ${line} unchanged` : `${verb} coupon ${line}`), json);

export const registerCouponCommands = (program: Command, open: Open): void => {
  const group = program.command('coupons').description('coupons: a discount redeemed on a customer or a subscription');

  group
    .command('create')
    .description('create a coupon: a percentage or an amount off, never edited afterwards')
    .requiredOption('--name <name>', 'shown name')
    .option('--percent-off <percent>', 'a percentage off, up to two decimals, such as 12.5')
    .option('--amount-off <minor units>', 'an amount off, in minor units (with --currency)')
    .option('--currency <code>', 'ISO 4217, lower case, such as usd: the amount off is in it')
    .requiredOption('--duration <duration>', 'once, repeating or forever')
    .option('--periods <n>', 'billing periods a repeating coupon lasts')
    .option('--max-redemptions <n>', 'how many times it may be redeemed in all')
    .option('--redeem-by <instant>', 'the ISO instant after which it is redeemed no more')
    .option('--json', 'print JSON in the API shape')
    .action((o: CreateOptions) =>
      runAsOperator(
        open,
        () =>
          parseInput(
            couponInput,
            {
              name: o.name,
              percentOff: o.percentOff,
              amountOff: numberArg(o.amountOff),
              currency: o.currency,
              duration: o.duration,
              durationInPeriods: numberArg(o.periods),
              maxRedemptions: numberArg(o.maxRedemptions),
              redeemBy: o.redeemBy,
            },
            'coupon.invalid',
          ),
        async ({ store, clocks }, ask, input) =>
          printOutcome('created', await createCouponCommands({ store, clock: clocks.domain }).create(input, ask), o.json),
        NAMES,
      ),
    );

  listOptions(group.command('list').description('coupons by id (oldest first), each folded from its stream; the streams read model names them')).action(
    (o: ListOptions) =>
      runAsOperator(
        open,
        () => parseInput(z.object({ limit: z.number().int().min(1).max(1000), after: idOf('coupon').optional() }), { limit: numberArg(o.limit), after: o.after }, 'coupon.invalid'),
        async ({ db, store }, _ask, { limit, after }) => {
          const names = await streamsOfCategory(db, 'coupon', limit, after === undefined ? undefined : coupons.streamOf(after));
          const folded = await Promise.all(names.map((name) => foldStream(store, name, coupons.decider)));
          const rows = folded.flatMap((f) => (couponExists(f.state) && f.revision !== undefined ? [{ state: f.state, revision: f.revision }] : []));
          printPage(rows, limit, (r) => r.state.couponId, (r, revision) => presentCoupon(r.state, revision), couponLine, o.json);
        },
      ),
  );

  showOptions(group.command('show').argument('<couponId>').description('a coupon, folded from its stream')).action((id: string, o: Shown) =>
    runAsOperator(
      open,
      () => ({ couponId: couponArg(id), at: parseInput(pointInTimeInput, { asOf: o.asOf, revision: o.revision }, 'coupon.invalid') }),
      async ({ store }, _ask, { couponId, at }) => {
        const travelling = at.asOf !== undefined || at.revision !== undefined;
        const point = { ...(at.asOf !== undefined && { asOf: new Date(at.asOf) }), ...(at.revision !== undefined && { revision: BigInt(at.revision) }) };
        const folded = travelling ? await stateAt(store, coupons, couponId, point, notFound) : await foldStream(store, coupons.streamOf(couponId), coupons.decider);
        printCoupon(folded.state, folded.revision, (line) => `coupon ${line}`, o.json);
      },
      NAMES,
    ),
  );

  group
    .command('archive')
    .argument('<couponId>')
    .description('archive a coupon: redeemed no more; the discounts it gave stay')
    .option('--json', 'print JSON in the API shape')
    .action((id: string, o: Json) =>
      runAsOperator(
        open,
        () => couponArg(id),
        async ({ store, clocks }, ask, couponId) => printOutcome('archived', await createCouponCommands({ store, clock: clocks.domain }).archive(couponId, ask), o.json),
        NAMES,
      ),
    );
};
