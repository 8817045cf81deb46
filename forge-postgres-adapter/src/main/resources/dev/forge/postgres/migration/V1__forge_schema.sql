-- forge's tables. Flyway runs this with the configured schema as the current one, so names are
-- unqualified here; the adapters qualify every name with that schema.

-- Tasks: the record's fields as columns. id uses the "C" collation so "id desc" orders as Java's
-- String.compareTo does (ids are ASCII), whatever the database's default collation is.
CREATE TABLE tasks (
    id              text COLLATE "C" PRIMARY KEY,
    kind            text        NOT NULL,
    owner           text        NOT NULL,
    project_name    text        NOT NULL,
    goal            text        NOT NULL,
    parameters      jsonb       NOT NULL,
    analysis_types  jsonb       NOT NULL,
    status          text        NOT NULL,
    progress        integer     NOT NULL,
    current_step    text,
    attempt         integer     NOT NULL,
    max_attempts    integer     NOT NULL,
    results         jsonb       NOT NULL,
    error_code      text,
    error_message   text,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    started_at      timestamptz,
    completed_at    timestamptz,
    -- when a terminal task finished (completed_at, else updated_at); null while it runs
    finished_at     timestamptz,
    version         bigint      NOT NULL
);

-- A user's history, newest first, and the same across owners for admin views.
CREATE INDEX tasks_owner_history ON tasks (owner, kind, created_at DESC, id DESC);
CREATE INDEX tasks_kind_history ON tasks (kind, created_at DESC, id DESC);
-- Retention deletes terminal tasks by the time they finished.
CREATE INDEX tasks_finished ON tasks (finished_at) WHERE finished_at IS NOT NULL;

-- Logs: one row per kept line, numbered from 1 per task, written a batch at a time.
-- log_meta holds the head/tail bookkeeping of the byte cap.
CREATE TABLE log_lines (
    task_id  text   NOT NULL,
    line_no  bigint NOT NULL,
    bytes    integer NOT NULL,
    line     text   NOT NULL,
    PRIMARY KEY (task_id, line_no)
);

CREATE TABLE log_meta (
    task_id      text    PRIMARY KEY,
    total_lines  bigint  NOT NULL,
    head_lines   bigint  NOT NULL,
    head_bytes   bigint  NOT NULL,
    head_closed  boolean NOT NULL,
    tail_first   bigint  NOT NULL,
    tail_bytes   bigint  NOT NULL,
    cut_lines    bigint  NOT NULL,
    cut_bytes    bigint  NOT NULL
);

-- Jobs: a job is visible when visible_at has passed on the database's clock; a lease moves
-- visible_at to the lease's expiry and sets a fresh token.
CREATE TABLE jobs (
    id           bigserial   PRIMARY KEY,
    queue        text        NOT NULL,
    payload      text        NOT NULL,
    visible_at   timestamptz NOT NULL,
    deliveries   integer     NOT NULL DEFAULT 0,
    lease_token  text,
    enqueued_at  timestamptz NOT NULL
);

CREATE INDEX jobs_next ON jobs (queue, visible_at, id);

-- Rate limits: one GCRA bucket per (operation, key); tat = theoretical arrival time, in
-- nanoseconds since the epoch on the database's clock.
CREATE TABLE rate_buckets (
    operation   text    NOT NULL,
    bucket_key  text    NOT NULL,
    tat         bigint  NOT NULL,
    allowed     boolean NOT NULL,   -- whether the last call got a permit
    checked_at  bigint  NOT NULL,   -- the database's time of the last call, nanoseconds
    PRIMARY KEY (operation, bucket_key)
);

CREATE INDEX rate_buckets_tat ON rate_buckets (tat);

-- Cluster locks: a lease row per name.
CREATE TABLE locks (
    name        text        PRIMARY KEY,
    holder      text        NOT NULL,
    expires_at  timestamptz NOT NULL
);

-- Events too large for one NOTIFY (8,000 bytes) travel by reference to a row here.
CREATE TABLE event_spill (
    id          bigserial   PRIMARY KEY,
    body        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX event_spill_created ON event_spill (created_at);

-- Appends a batch of lines to a task's log under the byte cap, in one round trip: the same
-- result as BoundedLog appending them one by one. The head keeps the first lines up to half the
-- cap; the tail keeps the longest run of latest lines within the rest (which is what dropping the
-- oldest tail line while over the cap, line by line, leaves); a line too long for the tail on
-- its own is shortened at a character boundary and everything before it in the tail goes.
-- Returns the number of the last line appended, or 0 when the task does not exist (its lines
-- are ignored: a log never outlives its record).
CREATE FUNCTION append_log(p_task text, p_lines text[], p_max_bytes bigint) RETURNS bigint
LANGUAGE plpgsql
SET search_path = "${flyway:defaultSchema}"
AS $$
DECLARE
    m             log_meta%ROWTYPE;
    head_cap      bigint := p_max_bytes / 2;
    tail_cap      bigint;
    n             bigint;
    b             bigint;
    line          text;
    raw           bytea;
    k             integer;
    kept_b        bigint;
    stored_count  bigint;
    stored_bytes  bigint;
    excess        bigint := 0;
    drop_through  bigint := -1;
    dropped_count bigint;
    dropped_bytes bigint;
    h_nums  bigint[]  := '{}';
    h_bytes integer[] := '{}';
    h_lines text[]    := '{}';
    t_nums  bigint[]  := '{}';
    t_bytes integer[] := '{}';
    t_lines text[]    := '{}';
    t_from  integer   := 1;   -- new tail lines before this index are cut
    t_total bigint    := 0;   -- bytes of the new tail lines from t_from on
BEGIN
    INSERT INTO log_meta (task_id, total_lines, head_lines, head_bytes, head_closed, tail_first,
                          tail_bytes, cut_lines, cut_bytes)
    SELECT p_task, 0, 0, 0, false, 1, 0, 0, 0 WHERE EXISTS (SELECT 1 FROM tasks WHERE id = p_task)
    ON CONFLICT (task_id) DO NOTHING;
    -- appends to one log run one at a time, in the order they take this lock
    SELECT * INTO m FROM log_meta WHERE task_id = p_task FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    stored_count := m.total_lines - m.tail_first + 1;
    stored_bytes := m.tail_bytes;
    n := m.total_lines;
    FOREACH line IN ARRAY p_lines LOOP
        n := n + 1;
        b := octet_length(line) + 1;
        IF NOT m.head_closed AND m.head_bytes + b <= head_cap THEN
            h_nums := h_nums || n;
            h_bytes := h_bytes || b::integer;
            h_lines := h_lines || line;
            m.head_bytes := m.head_bytes + b;
            m.head_lines := n;
            CONTINUE;
        END IF;
        m.head_closed := true;
        tail_cap := p_max_bytes - m.head_bytes;
        IF b > tail_cap THEN
            raw := convert_to(line, 'UTF8');
            k := tail_cap - 1;
            -- get_byte is 0-based: byte k is the first one left out; never split a character
            WHILE k > 0 AND (get_byte(raw, k) & 192) = 128 LOOP
                k := k - 1;
            END LOOP;
            line := convert_from(substring(raw FROM 1 FOR k), 'UTF8');
            kept_b := octet_length(line) + 1;
            m.cut_bytes := m.cut_bytes + b - kept_b;
            IF stored_count > 0 THEN
                m.cut_lines := m.cut_lines + stored_count;
                m.cut_bytes := m.cut_bytes + stored_bytes;
                drop_through := m.total_lines;
                stored_count := 0;
                stored_bytes := 0;
            END IF;
            m.cut_lines := m.cut_lines + (coalesce(array_length(t_nums, 1), 0) - t_from + 1);
            m.cut_bytes := m.cut_bytes + t_total;
            t_from := coalesce(array_length(t_nums, 1), 0) + 1;
            t_total := 0;
            b := kept_b;
        END IF;
        t_nums := t_nums || n;
        t_bytes := t_bytes || b::integer;
        t_lines := t_lines || line;
        t_total := t_total + b;
    END LOOP;
    IF m.head_closed THEN
        excess := stored_bytes + t_total - (p_max_bytes - m.head_bytes);
    END IF;
    IF excess > 0 AND stored_count > 0 THEN
        IF stored_bytes <= excess THEN
            dropped_count := stored_count;
            dropped_bytes := stored_bytes;
            drop_through := m.total_lines;
        ELSE
            -- the oldest stored tail lines that add up to the excess; the tail's lines are
            -- numbered tail_first..total_lines without gaps, so each is one key lookup
            dropped_count := 0;
            dropped_bytes := 0;
            drop_through := m.tail_first - 1;
            WHILE dropped_bytes < excess LOOP
                drop_through := drop_through + 1;
                SELECT l.bytes INTO b FROM log_lines l
                WHERE l.task_id = p_task AND l.line_no = drop_through;
                dropped_count := dropped_count + 1;
                dropped_bytes := dropped_bytes + b;
            END LOOP;
        END IF;
        m.cut_lines := m.cut_lines + dropped_count;
        m.cut_bytes := m.cut_bytes + dropped_bytes;
        stored_count := stored_count - dropped_count;
        stored_bytes := stored_bytes - dropped_bytes;
        excess := excess - dropped_bytes;
    END IF;
    WHILE excess > 0 LOOP
        m.cut_lines := m.cut_lines + 1;
        m.cut_bytes := m.cut_bytes + t_bytes[t_from];
        t_total := t_total - t_bytes[t_from];
        excess := excess - t_bytes[t_from];
        t_from := t_from + 1;
    END LOOP;
    IF drop_through >= m.tail_first THEN
        DELETE FROM log_lines WHERE task_id = p_task AND line_no BETWEEN m.tail_first AND drop_through;
    END IF;
    IF stored_count > 0 THEN
        IF drop_through >= m.tail_first THEN
            m.tail_first := drop_through + 1;
        END IF;
    ELSIF t_from <= coalesce(array_length(t_nums, 1), 0) THEN
        m.tail_first := t_nums[t_from];
    ELSE
        m.tail_first := n + 1;
    END IF;
    INSERT INTO log_lines (task_id, line_no, bytes, line)
    SELECT p_task, u.num, u.b, u.l
    FROM unnest(h_nums || t_nums[t_from:], h_bytes || t_bytes[t_from:], h_lines || t_lines[t_from:])
         AS u(num, b, l);
    UPDATE log_meta SET total_lines = n, head_lines = m.head_lines, head_bytes = m.head_bytes,
        head_closed = m.head_closed, tail_first = m.tail_first, tail_bytes = stored_bytes + t_total,
        cut_lines = m.cut_lines, cut_bytes = m.cut_bytes
    WHERE task_id = p_task;
    RETURN n;
END
$$;
