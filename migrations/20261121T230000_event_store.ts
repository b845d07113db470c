import { sql, type Kysely } from 'kysely';

/**
 * The PostgreSQL event store.
 *
 * Readers order events by (transaction_id, global_position) and only read rows
 * whose transaction_id is below the oldest transaction still running
 * (pg_snapshot_xmin). A row below that horizon can no longer be joined by a
 * late commit, so a reader never skips one and never sees one twice.
 *
 * Within one stream, a higher revision always has a higher transaction id, so
 * the read order keeps revision order. The common append (an exact revision or
 * no_stream) is a plain INSERT that writes revision R+1 only when R is already
 * visible, so its transaction id comes after R's; the function below, for
 * `any`, `stream_exists` and conflicts, takes a per-stream advisory lock
 * before its first write for the same reason. (This comment was corrected
 * after the fast path was added; the schema is unchanged.)
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema if not exists es`.execute(db);

  await sql`
    create table es.events (
      transaction_id  xid8        not null default pg_current_xact_id(),
      global_position bigint      not null generated always as identity,
      stream_name     text        not null,
      revision        bigint      not null,
      event_id        uuid        not null,
      type            text        not null,
      data            jsonb       not null,
      metadata        jsonb       not null,
      recorded_at     timestamptz not null default now(),
      primary key (transaction_id, global_position),
      constraint events_stream_revision_key unique (stream_name, revision),
      constraint events_event_id_key unique (event_id),
      constraint events_revision_check check (revision >= 0)
    )`.execute(db);

  // One round trip per append. Returns the new last revision and the position of
  // the last event; on a retry of the same eventIds returns the earlier result.
  await sql`
    create function es.append_to_stream(
      p_stream    text,
      p_expected  text,          -- 'any' | 'no_stream' | 'stream_exists' | '<revision>'
      p_ids       uuid[],
      p_types     text[],
      p_data      jsonb[],
      p_metadata  jsonb[]
    ) returns table (
      o_revision bigint, o_transaction_id xid8, o_position bigint,
      o_stream text, o_event_id uuid, o_outcome text
    )
    language plpgsql volatile as $fn$
    declare
      v_current bigint;
    begin
      perform pg_advisory_xact_lock(hashtextextended(p_stream, 0));

      -- A retried write: the first id already exists. The caller checks the rest.
      if exists (select 1 from es.events e where e.event_id = p_ids[1]) then
        return query
          select e.revision, e.transaction_id, e.global_position, e.stream_name, e.event_id, 'retry'::text
            from es.events e
           where e.event_id = any(p_ids)
           order by e.revision;
        return;
      end if;

      select e.revision into v_current
        from es.events e
       where e.stream_name = p_stream
       order by e.revision desc
       limit 1;

      if p_expected = 'no_stream' and v_current is not null
         or p_expected = 'stream_exists' and v_current is null
         or p_expected not in ('any', 'no_stream', 'stream_exists')
            and v_current is distinct from p_expected::bigint then
        return query select v_current, null::xid8, null::bigint, p_stream, null::uuid,
                            'wrong_expected_revision'::text;
        return;
      end if;

      return query
        insert into es.events (stream_name, revision, event_id, type, data, metadata)
        select p_stream, coalesce(v_current, -1) + u.ord, u.id, u.type, u.data, u.metadata
          from unnest(p_ids, p_types, p_data, p_metadata) with ordinality
               as u(id, type, data, metadata, ord)
        order by u.ord
        returning revision, transaction_id, global_position, stream_name, event_id, 'appended'::text;
    end
    $fn$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema es cascade`.execute(db);
}
