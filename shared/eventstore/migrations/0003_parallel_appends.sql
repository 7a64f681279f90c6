-- Appends no longer queue behind one counter-row lock through their commits: they commit in parallel,
-- and global positions are handed out by a sequencer, per append. Why, and why readers still never skip:
-- see the docstring of shared/eventstore/postgres.py.
-- The sequencer lock is the advisory lock (1802465135, 0), two-integer form.

-- When an append was made: a sequence, so real-time order, not commit order.
CREATE SEQUENCE kiroku_append_order;

-- Every append, and the global positions of its events once the sequencer gave them (an event's
-- position is first_position + version - first_version). A row per append, not per event, is what the
-- sequencer writes, so positioning a 100-event append costs what positioning one event does.
CREATE TABLE kiroku_appends (
    append_order   bigint PRIMARY KEY,
    stream_id      text COLLATE "C" NOT NULL,
    first_version  bigint NOT NULL,
    last_version   bigint NOT NULL,
    first_position bigint,
    last_position  bigint,
    CHECK (first_version <= last_version),
    CHECK ((first_position IS NULL) = (last_position IS NULL)),
    CHECK (last_position - first_position = last_version - first_version)
);
-- Partial: appends waiting for positions are not in it, so max() and read_all never step over them.
CREATE UNIQUE INDEX kiroku_appends_last_position ON kiroku_appends (last_position)
    WHERE last_position IS NOT NULL;
CREATE INDEX kiroku_appends_unpositioned ON kiroku_appends (append_order) WHERE first_position IS NULL;

-- Events stored so far become appends of one event each, at the positions they had.
ALTER TABLE kiroku_events ADD COLUMN append_order bigint;
UPDATE kiroku_events SET append_order = position;
INSERT INTO kiroku_appends (append_order, stream_id, first_version, last_version, first_position, last_position)
    SELECT position, stream_id, version, version, position, position FROM kiroku_events;
SELECT setval('kiroku_append_order', coalesce(max(position), 0) + 1, false) FROM kiroku_events;
ALTER TABLE kiroku_events ALTER COLUMN append_order SET NOT NULL;

-- The outbox, a row per append too. Publishing some of an append's events leaves the runs of versions
-- still unpublished, hence the first version in the key. Entries without an event (damage the integrity
-- check reported) cannot be carried over: there is nothing left to publish for them.
CREATE TABLE kiroku_outbox_by_append (
    append_order  bigint NOT NULL,
    first_version bigint NOT NULL,
    last_version  bigint NOT NULL,
    stream_id     text COLLATE "C" NOT NULL,
    PRIMARY KEY (append_order, first_version),
    CHECK (first_version <= last_version)
);
INSERT INTO kiroku_outbox_by_append (append_order, first_version, last_version, stream_id)
    SELECT e.append_order, e.version, e.version, e.stream_id
    FROM kiroku_outbox o JOIN kiroku_events e USING (position);
DROP TABLE kiroku_outbox;
ALTER TABLE kiroku_outbox_by_append RENAME TO kiroku_outbox;
ALTER INDEX kiroku_outbox_by_append_pkey RENAME TO kiroku_outbox_pkey;

-- Positions live in kiroku_appends now; a stream's versions are the events' key.
ALTER TABLE kiroku_events DROP CONSTRAINT kiroku_events_pkey;
ALTER TABLE kiroku_events DROP CONSTRAINT kiroku_events_stream_version;
ALTER TABLE kiroku_events ADD PRIMARY KEY (stream_id, version);
ALTER TABLE kiroku_events DROP COLUMN position;

-- A replayed command answers with the positions its events have now.
ALTER TABLE kiroku_commands DROP COLUMN first_position, DROP COLUMN last_position;

DROP FUNCTION kiroku_append(text, bigint, text, json, boolean);
DROP TABLE kiroku_position;

-- Under the sequencer lock: position the committed appends that wait, in append order, after the last
-- position. Returns the last position given. Positions are read after the lock is taken, which only
-- READ COMMITTED sees: a transaction-wide snapshot could read a last position from before the previous
-- sequencer committed, so other isolation levels are refused.
CREATE FUNCTION kiroku_position_waiting() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_last bigint;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'Kiroku positions events only in READ COMMITTED transactions'
            USING ERRCODE = 'feature_not_supported';
    END IF;
    SELECT coalesce(max(last_position), 0) INTO v_last FROM kiroku_appends;
    IF NOT EXISTS (SELECT FROM kiroku_appends WHERE first_position IS NULL) THEN
        RETURN v_last;  -- the usual case: no planning of the update below
    END IF;
    WITH waiting AS (
        SELECT append_order, last_version - first_version AS span,
            v_last + sum(last_version - first_version + 1) OVER (ORDER BY append_order) AS last_position
        FROM kiroku_appends WHERE first_position IS NULL
    ), positioned AS (
        UPDATE kiroku_appends a SET first_position = w.last_position - w.span, last_position = w.last_position
        FROM waiting w WHERE a.append_order = w.append_order
        RETURNING a.last_position
    )
    SELECT coalesce(max(last_position), v_last) INTO v_last FROM positioned;
    RETURN v_last;
END;
$$;

-- The position of (stream, version); if it has none yet, wait for the sequencer lock and position what
-- waits first. A NULL stream positions what waits and returns the last position.
CREATE FUNCTION kiroku_sequence(p_stream_id text, p_version bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_position bigint;
    v_last     bigint;
BEGIN
    SELECT a.first_position + p_version - a.first_version INTO v_position
        FROM kiroku_events e JOIN kiroku_appends a USING (append_order)
        WHERE e.stream_id = p_stream_id AND e.version = p_version;
    IF v_position IS NOT NULL THEN
        RETURN v_position;
    END IF;
    PERFORM pg_advisory_xact_lock(1802465135, 0);
    v_last := kiroku_position_waiting();
    IF p_stream_id IS NULL THEN
        RETURN v_last;
    END IF;
    SELECT a.first_position + p_version - a.first_version INTO v_position
        FROM kiroku_events e JOIN kiroku_appends a USING (append_order)
        WHERE e.stream_id = p_stream_id AND e.version = p_version;
    RETURN v_position;
END;
$$;

-- One round trip per append. Results are rows, not exceptions, so a conflict costs no subtransaction.
-- Positions come back NULL when another append held the sequencer lock: the next append or reader that
-- finds the lock free positions them, or kiroku_sequence waits for it.
-- No lock per stream: two appends racing for the same version (or command id) meet at the primary key,
-- where the second waits for the first to commit and then fails; the caller reads that as a conflict and
-- retries. A lock taken up front would cost every append an extra statement to spare the rare race.
CREATE FUNCTION kiroku_append(
    p_stream_id text, p_expected bigint, p_command_id text, p_events json, p_outbox boolean
) RETURNS TABLE (
    r_outcome text, r_stream_id text, r_actual bigint,
    r_first_version bigint, r_last_version bigint, r_first_position bigint, r_last_position bigint
)
LANGUAGE plpgsql AS $$
DECLARE
    v_count   bigint;
    v_current bigint;
    v_order   bigint;
    v_base    bigint;
    v_command kiroku_commands%ROWTYPE;
BEGIN
    IF p_command_id IS NOT NULL THEN
        SELECT * INTO v_command FROM kiroku_commands c WHERE c.command_id = p_command_id;
        IF FOUND THEN
            SELECT a.first_position INTO v_base FROM kiroku_events e JOIN kiroku_appends a USING (append_order)
                WHERE e.stream_id = v_command.stream_id AND e.version = v_command.first_version;
            RETURN QUERY SELECT 'replayed', v_command.stream_id, NULL::bigint,
                v_command.first_version, v_command.last_version,
                v_base, v_base + v_command.last_version - v_command.first_version;
            RETURN;
        END IF;
    END IF;

    SELECT coalesce(max(e.version), 0) INTO v_current FROM kiroku_events e WHERE e.stream_id = p_stream_id;
    IF p_expected IS NOT NULL AND p_expected <> v_current THEN
        RETURN QUERY SELECT 'conflict', p_stream_id, v_current,
            NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;

    -- The sequencer lock only if it is free: held to commit, it makes this append's positions (and those
    -- of committed appends still waiting) visible in order. When another append holds it, this one
    -- commits without positions rather than queue its commit behind the other's.
    IF pg_try_advisory_xact_lock(1802465135, 0) THEN
        v_base := kiroku_position_waiting();
    END IF;
    v_order := nextval('kiroku_append_order');

    -- Every write in one statement: each statement of a function has a fixed cost worth saving here.
    -- The events are counted as they are stored: counting the array first would parse it twice.
    WITH stored AS (
        INSERT INTO kiroku_events (
            append_order, stream_id, version, event_id, event_type, schema_version, aggregate_type,
            aggregate_id, occurred_at, correlation_id, causation_id, actor_uid, actor_role, traceparent,
            tracestate, payload
        )
        SELECT v_order, p_stream_id, v_current + e.ordinality, e.event_id, e.event_type,
            e.schema_version, e.aggregate_type, e.aggregate_id, e.occurred_at, e.correlation_id,
            e.causation_id, e.actor_uid, e.actor_role, e.traceparent, e.tracestate, e.payload
        FROM json_populate_recordset(NULL::kiroku_events, p_events) WITH ORDINALITY AS e
        RETURNING 1
    ), counted AS (
        SELECT count(*) AS n FROM stored
    ), listed AS (
        INSERT INTO kiroku_appends (
            append_order, stream_id, first_version, last_version, first_position, last_position
        )
        SELECT v_order, p_stream_id, v_current + 1, v_current + n, v_base + 1, v_base + n FROM counted
    ), recorded AS (
        INSERT INTO kiroku_commands (command_id, stream_id, first_version, last_version)
            SELECT p_command_id, p_stream_id, v_current + 1, v_current + n FROM counted
            WHERE p_command_id IS NOT NULL
    ), published AS (
        INSERT INTO kiroku_outbox (append_order, first_version, last_version, stream_id)
            SELECT v_order, v_current + 1, v_current + n, p_stream_id FROM counted WHERE p_outbox
    )
    SELECT n INTO v_count FROM counted;

    RETURN QUERY SELECT 'appended', p_stream_id, v_current + v_count,
        v_current + 1, v_current + v_count, v_base + 1, v_base + v_count;
END;
$$;
