/**
 * Plain `pg` INSERTs into a bare table, as a reference subject: what the same
 * server does with no event-store logic at all (no ids, metadata, revision
 * checks, stream table or notifications). Appends only: it has no readAll or
 * projection, so the suite skips those for it.
 *
 * It sets no pg type parsers and reads no rows back, so Emmett's process-wide
 * parsers cannot affect it; it still runs before billstream (see eventstore.ts).
 */
import pg from 'pg';
import { benchEventData } from './billstream.js';
import type { Subject } from './workloads.js';

const SCHEMA = `create table raw_events (
  id bigint generated always as identity primary key,
  stream_name text not null,
  data jsonb not null
)`;

// Named statements: each is parsed and planned once per connection.
const INSERT_ONE = {
  name: 'raw_insert_one',
  text: 'insert into raw_events (stream_name, data) values ($1, $2::jsonb)',
} as const;

const INSERT_MANY = {
  name: 'raw_insert_many',
  text: `insert into raw_events (stream_name, data)
         select * from unnest($1::text[], $2::jsonb[])`,
} as const;

export const openRawPg = async (connectionString: string): Promise<Subject> => {
  // Same pool size as the event stores'.
  const pool = new pg.Pool({ connectionString, max: 40, application_name: 'raw-pg-bench' });
  pool.on('error', () => undefined);
  await pool.query(SCHEMA);

  return {
    label: 'raw pg',

    writer(streamName) {
      let i = 0;
      // The same payload as the event stores' `data`, serialised here as they must too.
      const data = () => JSON.stringify(benchEventData(i++));
      return async (count) => {
        // Autocommit: one statement, one transaction.
        if (count === 1) {
          await pool.query({ ...INSERT_ONE, values: [streamName, data()] });
          return;
        }
        const names = Array.from({ length: count }, () => streamName);
        const payloads = Array.from({ length: count }, data);
        await pool.query({ ...INSERT_MANY, values: [names, payloads] });
      };
    },

    async countEvents() {
      const { rows } = await pool.query<{ n: string }>('select count(*)::text as n from raw_events');
      return Number(rows[0]?.n ?? 0);
    },

    async close() {
      await pool.end();
    },
  };
};
