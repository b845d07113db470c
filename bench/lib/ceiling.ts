/**
 * The HTTP bench's ceiling: a bare Koa app (same HTTP stack, same JSON body
 * parser) on the same PostgreSQL, doing only the I/O a request needs at least:
 * one INSERT for a command, one SELECT by primary key for a read. No
 * authentication, rate limit, event store, projection or logging.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import pg from 'pg';

const SCHEMA = `
create table if not exists ceiling_users (
  user_id text primary key, email text not null, display_name text not null, role text not null,
  active boolean not null, revision bigint not null, registered_at timestamptz not null, updated_at timestamptz not null);
create table if not exists ceiling_role_changes (
  id bigint generated always as identity primary key, user_id text not null, role text not null,
  at timestamptz not null default now())`;

// Named statements: parsed and planned once per connection, as the event store's are.
const INSERT = { name: 'ceiling_insert', text: 'insert into ceiling_role_changes (user_id, role) values ($1, $2)' };
const SELECT = { name: 'ceiling_select', text: 'select * from ceiling_users where user_id = $1' };

export type Ceiling = Readonly<{ url: string; userIds: string[]; close: () => Promise<void> }>;

export const startCeiling = async (connectionString: string, poolSize: number, users: number): Promise<Ceiling> => {
  const pool = new pg.Pool({ connectionString, max: poolSize, application_name: 'bench-ceiling' });
  await pool.query(SCHEMA);
  const userIds = Array.from({ length: users }, () => `usr_${randomBytes(16).toString('hex')}`);
  await pool.query(
    `insert into ceiling_users
     select id, id || '@example.com', 'User', 'USER', true, 0, now(), now() from unnest($1::text[]) as id`,
    [userIds],
  );

  const router = new Router();
  router.patch('/v1/users/:id/role', async (ctx) => {
    const { role } = ctx.request.body as { role?: string };
    await pool.query({ ...INSERT, values: [ctx.params.id, role ?? 'USER'] });
    ctx.body = { data: { userId: ctx.params.id, role } };
  });
  router.get('/v1/users/:id', async (ctx) => {
    const { rows } = await pool.query({ ...SELECT, values: [ctx.params.id] });
    if (!rows[0]) ctx.status = 404;
    else ctx.body = { data: rows[0] };
  });
  const app = new Koa();
  app.use(bodyParser());
  app.use(router.routes());
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    userIds,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.end();
    },
  };
};
