-- Jobs enqueued together are ranked as they are inserted. Until now every job was inserted timed
-- (rank NULL) and the next lease_jobs ranked it - an UPDATE of every job (its row and three index
-- entries written again), all under the queue's clock row lock, before the lease could take
-- anything. A batch enqueue now takes the clock row's lock itself, ranks the jobs that came due
-- before it (as a lease would first), and inserts its own jobs ranked: the same ranks a lease
-- right after would give them, because the virtual time moves only under this lock and the new
-- jobs are the last to become visible. A single or delayed enqueue stays as it was (timed, ranked
-- by the next lease), so a stream of single creates does not queue on the clock row.
--
-- The ranking of due jobs moves into its own function, rank_due, which lease_jobs calls too; the
-- rest of lease_jobs is V5's, same signature.
--
-- A call ranks only when a job is due: rank_due's statements cost about 120 us a call even when
-- they find nothing (pg_stat_statements, the call against its own statements), a cheap EXISTS on
-- jobs_timed does not.
--
-- These functions name every table with its schema instead of pinning search_path with a SET
-- clause, which costs a configuration change on every call and another on return.

-- Ranks the due timed jobs of p_queue at virtual time p_vtime (the caller holds the clock row's
-- lock): the n-th due job of a group, in the order they became visible, gets
-- max(vtime, the group's last rank + 1) + n - 1, computed into arrays and written by id (V5).
CREATE FUNCTION "${flyway:defaultSchema}".rank_due(p_queue text, p_vtime bigint)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    due_ids   bigint[];
    due_ranks bigint[];
BEGIN
    SELECT array_agg(r.id), array_agg(r.rank) INTO due_ids, due_ranks
    FROM (
        SELECT d.id, greatest(p_vtime, coalesce(g.last_rank + 1, p_vtime)) + d.n - 1 AS rank
        FROM (SELECT j.id, j.grp,
                     row_number() OVER (PARTITION BY j.grp ORDER BY j.visible_at, j.id) AS n
              FROM "${flyway:defaultSchema}".jobs j
              WHERE j.queue = p_queue AND j.rank IS NULL AND j.visible_at <= now()
              ORDER BY j.visible_at, j.id
              LIMIT 10000) d
        LEFT JOIN "${flyway:defaultSchema}".queue_groups g ON g.queue = p_queue AND g.grp = d.grp
    ) r;
    IF due_ids IS NOT NULL THEN
        WITH updated AS (
            UPDATE "${flyway:defaultSchema}".jobs j SET rank = u.rank, lease_token = NULL
            FROM unnest(due_ids, due_ranks) AS u(id, rank)
            -- checked again: a holder may have extended its lease since the snapshot
            WHERE j.id = u.id AND j.rank IS NULL AND j.visible_at <= now()
            RETURNING j.grp, j.rank
        )
        INSERT INTO "${flyway:defaultSchema}".queue_groups AS g (queue, grp, last_rank)
        SELECT p_queue, u.grp, max(u.rank) FROM updated u GROUP BY u.grp
        ON CONFLICT (queue, grp) DO UPDATE SET last_rank = greatest(g.last_rank, EXCLUDED.last_rank);
    END IF;
END
$$;

-- The queue's virtual time, its clock row locked until the transaction ends (made at 0 if the
-- queue has none yet).
CREATE FUNCTION "${flyway:defaultSchema}".lock_clock(p_queue text)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    v bigint;
BEGIN
    SELECT c.vtime INTO v FROM "${flyway:defaultSchema}".queue_clocks c WHERE c.queue = p_queue FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO "${flyway:defaultSchema}".queue_clocks AS c (queue, vtime) VALUES (p_queue, 0) ON CONFLICT (queue) DO NOTHING;
        SELECT c.vtime INTO v FROM "${flyway:defaultSchema}".queue_clocks c WHERE c.queue = p_queue FOR UPDATE;
    END IF;
    RETURN v;
END
$$;

-- Inserts one job per payload into p_queue, visible now and ranked (see the header); returns
-- their ids in payload order.
CREATE FUNCTION "${flyway:defaultSchema}".enqueue_ranked(p_queue text, p_payloads text[], p_groups text[])
RETURNS SETOF bigint
LANGUAGE plpgsql
AS $$
DECLARE
    v bigint;
BEGIN
    v := "${flyway:defaultSchema}".lock_clock(p_queue);
    IF EXISTS (SELECT 1 FROM "${flyway:defaultSchema}".jobs j
               WHERE j.queue = p_queue AND j.rank IS NULL AND j.visible_at <= now()) THEN
        PERFORM "${flyway:defaultSchema}".rank_due(p_queue, v);
    END IF;
    RETURN QUERY
    WITH input AS (
        SELECT u.payload, u.grp, u.n,
               row_number() OVER (PARTITION BY u.grp ORDER BY u.n) AS k
        FROM unnest(p_payloads, p_groups) WITH ORDINALITY AS u(payload, grp, n)
    ), inserted AS (
        INSERT INTO "${flyway:defaultSchema}".jobs (queue, payload, visible_at, enqueued_at, grp, rank)
        SELECT p_queue, i.payload, now(), now(), i.grp, greatest(v, coalesce(g.last_rank + 1, v)) + i.k - 1
        FROM input i LEFT JOIN "${flyway:defaultSchema}".queue_groups g ON g.queue = p_queue AND g.grp = i.grp
        ORDER BY i.n
        RETURNING jobs.id, jobs.grp, jobs.rank
    ), groups AS (
        INSERT INTO "${flyway:defaultSchema}".queue_groups AS g (queue, grp, last_rank)
        SELECT p_queue, x.grp, max(x.rank) FROM inserted x GROUP BY x.grp
        ON CONFLICT (queue, grp) DO UPDATE SET last_rank = greatest(g.last_rank, EXCLUDED.last_rank)
    )
    SELECT x.id FROM inserted x ORDER BY x.id;
END
$$;

CREATE OR REPLACE FUNCTION "${flyway:defaultSchema}".lease_jobs(p_queue text, p_max integer, p_visibility_micros bigint)
RETURNS TABLE (o_id bigint, o_payload text, o_token text, o_deliveries integer, o_expires timestamptz)
LANGUAGE plpgsql
AS $$
DECLARE
    v      bigint;
    ids    bigint[];
    top    bigint;
    due    boolean;
BEGIN
    -- nothing visible: return before taking the clock row's lock, as a read (V4); nothing due:
    -- no ranking step (a job due just after this check is one an instant earlier lease would
    -- have missed too)
    due := EXISTS (SELECT 1 FROM "${flyway:defaultSchema}".jobs j
                   WHERE j.queue = p_queue AND j.rank IS NULL AND j.visible_at <= now());
    IF NOT due AND NOT EXISTS (SELECT 1 FROM "${flyway:defaultSchema}".jobs j
                               WHERE j.queue = p_queue AND j.rank IS NOT NULL) THEN
        RETURN;
    END IF;
    v := "${flyway:defaultSchema}".lock_clock(p_queue);
    IF due THEN
        PERFORM "${flyway:defaultSchema}".rank_due(p_queue, v);
    END IF;

    -- the p_max lowest ranks (ties: lowest id); the last of them is the queue's new virtual time,
    -- as after leasing them one by one, and groups below it lose their rows as they would then.
    -- Not FOR UPDATE (until V7 it was: a lock record in the WAL for every job, before the UPDATE
    -- below wrote the row anyway): a ranked job changes only under the clock row's lock held
    -- here - a holder's ack, extend or release needs the token that ranking cleared - or goes
    -- (a delete), and the UPDATE below skips a job deleted meanwhile.
    SELECT array_agg(p.id ORDER BY p.rank, p.id), max(p.rank) INTO ids, top
    FROM (SELECT j.id, j.rank FROM "${flyway:defaultSchema}".jobs j
          WHERE j.queue = p_queue AND j.rank IS NOT NULL
          ORDER BY j.rank, j.id
          LIMIT p_max) p;
    IF top IS NULL THEN
        RETURN;
    END IF;
    UPDATE "${flyway:defaultSchema}".queue_clocks c SET vtime = top WHERE c.queue = p_queue;
    DELETE FROM "${flyway:defaultSchema}".queue_groups g WHERE g.queue = p_queue AND g.last_rank < top;
    RETURN QUERY
    WITH leased AS (
        UPDATE "${flyway:defaultSchema}".jobs j SET rank = NULL, deliveries = j.deliveries + 1,
                          lease_token = gen_random_uuid()::text,
                          visible_at = now() + p_visibility_micros * interval '1 microsecond'
        WHERE j.id = ANY (ids)
        RETURNING j.id, j.payload, j.lease_token, j.deliveries, j.visible_at
    )
    SELECT l.id, l.payload, l.lease_token, l.deliveries, l.visible_at
    FROM leased l JOIN unnest(ids) WITH ORDINALITY AS o(id, n) ON o.id = l.id
    ORDER BY o.n;
END
$$;
