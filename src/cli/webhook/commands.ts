import type { Command } from 'commander';
import { sql } from 'kysely';
import { z } from 'zod';
import { idOf, parseInput } from '../../application/shared/index.js';
import { listOptions, numberArg, print, runAsOperator, type ListOptions, type Open } from '../shared/index.js';

/** `billstream webhooks …`: the endpoints and their delivery log, as an operator reads them (managed over HTTP). */
const NAMES = { id: 'the endpoint id' };
const endpointArg = (id: string) => parseInput(z.object({ id: idOf('webhookEndpoint') }), { id }, 'webhook_endpoint.invalid').id;

export const registerWebhookCommands = (program: Command, open: Open): void => {
  const group = program.command('webhooks').description('outbound webhooks: endpoints and their delivery log');

  listOptions(group.command('list').description('the endpoints, by id, with what waits and what failed')).action((o: ListOptions) =>
    runAsOperator(
      open,
      () => parseInput(z.object({ limit: z.number().int().min(1).max(1000), after: idOf('webhookEndpoint').optional() }), { limit: numberArg(o.limit), after: o.after }, 'webhook_endpoint.invalid'),
      async ({ db }, _ask, { limit, after }) => {
        const rows = await db
          .selectFrom('read.webhook_endpoints as e')
          .select((eb) => [
            'e.endpoint_id',
            'e.url',
            'e.event_types',
            'e.enabled',
            'e.disabled_reason',
            eb.selectFrom('webhooks.deliveries as d').select(sql<string>`count(*)`.as('n')).whereRef('d.endpoint_id', '=', 'e.endpoint_id').where('d.status', '=', 'pending').as('pending'),
            eb.selectFrom('webhooks.deliveries as d').select(sql<string>`count(*)`.as('n')).whereRef('d.endpoint_id', '=', 'e.endpoint_id').where('d.status', '=', 'failed').as('retrying'),
            eb.selectFrom('webhooks.deliveries as d').select(sql<string>`count(*)`.as('n')).whereRef('d.endpoint_id', '=', 'e.endpoint_id').where('d.status', '=', 'exhausted').as('exhausted'),
          ])
          .$if(after !== undefined, (q) => q.where('e.endpoint_id', '>', after!))
          .orderBy('e.endpoint_id')
          .limit(limit)
          .execute();
        for (const r of rows) {
          const state = r.enabled ? 'enabled' : `disabled (${r.disabled_reason})`;
          print(o.json ? JSON.stringify(r) : `${r.endpoint_id} ${r.url} [${r.event_types.join(' ')}] ${state}; pending ${r.pending}, retrying ${r.retrying}, exhausted ${r.exhausted}`);
        }
      },
    ),
  );

  group
    .command('attempts')
    .argument('<endpointId>')
    .description("an endpoint's delivery log, newest first: each attempt's message, status and duration")
    .option('--limit <n>', 'rows, 1–1000', '50')
    .option('--json', 'print JSON lines, bodies included')
    .action((id: string, o: Readonly<{ limit?: string; json?: boolean }>) =>
      runAsOperator(
        open,
        () => ({ endpointId: endpointArg(id), limit: parseInput(z.object({ limit: z.number().int().min(1).max(1000) }), { limit: numberArg(o.limit) }, 'webhook_endpoint.invalid').limit }),
        async ({ db }, _ask, { endpointId, limit }) => {
          const rows = await db
            .selectFrom('webhooks.attempts as a')
            .innerJoin('webhooks.messages as m', 'm.message_id', 'a.message_id')
            .select(['a.attempted_at', 'a.message_id', 'm.type', 'a.attempt', 'a.status_code', 'a.error', 'a.duration_ms', 'a.request_body', 'a.response_body'])
            .where('a.endpoint_id', '=', endpointId)
            .orderBy('a.attempt_id', 'desc')
            .limit(limit)
            .execute();
          for (const r of rows) {
            const at = new Date(r.attempted_at).toISOString();
            print(o.json ? JSON.stringify({ ...r, attempted_at: at }) : `${at} ${r.message_id} ${r.type} #${r.attempt} ${r.status_code ?? r.error} ${r.duration_ms} ms`);
          }
        },
        NAMES,
      ),
    );
};
