-- Appends no longer queue behind one counter-row lock through their commits: they commit in parallel,
-- and global positions are handed out by a sequencer. Why, and why readers still never skip: see the
-- docstring of shared/eventstore/postgres.py.
-- Advisory lock keys (two-integer form): class 1802465134 with a stream's hash is that stream's append
-- lock; class 1802465135 with key 0 is the sequencer lock.

-- When an append was made (a sequence: real-time order, not commit order). Orders the events still
-- waiting for a position, and the outbox.
CREATE SEQUENCE kiroku_append_order;
ALTER TABLE kiroku_events ADD COLUMN append_order bigint;
UPDATE kiroku_events SET append_order = position;
SELECT setval('kiroku_append_order', coalesce(max(position), 0) + 1, false) FROM kiroku_events;
ALTER TABLE kiroku_events ALTER COLUMN append_order SET NOT NULL;

-- A position is NULL until the sequencer gives it one; a stream's versions are the key now.
ALTER TABLE kiroku_events DROP CONSTRAINT kiroku_events_pkey;
ALTER TABLE kiroku_events DROP CONSTRAINT kiroku_events_stream_version;
ALTER TABLE kiroku_events ADD PRIMARY KEY (stream_id, version);
ALTER TABLE kiroku_events ALTER COLUMN position DROP NOT NULL;
ALTER TABLE kiroku_events ADD CONSTRAINT kiroku_events_position UNIQUE (position);
CREATE INDEX kiroku_events_unpositioned ON kiroku_events (append_order, version) WHERE position IS NULL;

-- The outbox cannot key on a position an event may not have yet. A row per append, not per event: a
-- 100-event append writes one entry. Publishing some of an append's events leaves the runs of versions
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

-- A replayed command answers with the positions its events have now.
ALTER TABLE kiroku_commands DROP COLUMN first_position, DROP COLUMN last_position;

DROP FUNCTION kiroku_append(text, bigint, text, json, boolean);
DROP TABLE kiroku_position;

-- Under the sequencer lock: number the committed events that wait for a position, in append order, after
-- the last position. Returns the last position given.
CREATE FUNCTION kiroku_position_waiting() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_last  bigint;
    v_given bigint;
BEGIN
    SELECT coalesce(max(position), 0) INTO v_last FROM kiroku_events;
    WITH waiting AS (
        SELECT stream_id, version, row_number() OVER (ORDER BY append_order, version) AS n
        FROM kiroku_events WHERE position IS NULL
    )
    UPDATE kiroku_events e SET position = v_last + w.n
    FROM waiting w WHERE e.stream_id = w.stream_id AND e.version = w.version;
    GET DIAGNOSTICS v_given = ROW_COUNT;
    RETURN v_last + v_given;
END;
$$;

-- After an append committed without a position: wait for the sequencer lock, position what waits, and
-- return the position of (stream, version). A NULL stream positions what waits and returns the last.
CREATE FUNCTION kiroku_sequence(p_stream_id text, p_version bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_position bigint;
    v_last     bigint;
BEGIN
    SELECT position INTO v_position FROM kiroku_events WHERE stream_id = p_stream_id AND version = p_version;
    IF v_position IS NOT NULL THEN
        RETURN v_position;  -- another append or sequencer positioned it already
    END IF;
    PERFORM pg_advisory_xact_lock(1802465135, 0);
    v_last := kiroku_position_waiting();
    IF p_stream_id IS NULL THEN
        RETURN v_last;
    END IF;
    SELECT position INTO v_position FROM kiroku_events WHERE stream_id = p_stream_id AND version = p_version;
    RETURN v_position;
END;
$$;

-- One round trip per append. Results are rows, not exceptions, so a conflict costs no subtransaction.
-- Positions come back NULL when another append held the sequencer lock: the next append or reader that
-- finds the lock free positions them, or kiroku_sequence waits for it.
CREATE FUNCTION kiroku_append(
    p_stream_id text, p_expected bigint, p_command_id text, p_events json, p_outbox boolean
) RETURNS TABLE (
    r_outcome text, r_stream_id text, r_actual bigint,
    r_first_version bigint, r_last_version bigint, r_first_position bigint, r_last_position bigint
)
LANGUAGE plpgsql AS $$
DECLARE
    v_count   bigint := json_array_length(p_events);
    v_current bigint;
    v_order   bigint;
    v_base    bigint;
    v_command kiroku_commands%ROWTYPE;
BEGIN
    -- One append per stream at a time, until it commits: the checks below see every earlier append of
    -- the stream. Streams whose names hash alike merely wait for each other.
    PERFORM pg_advisory_xact_lock(1802465134, hashtext(p_stream_id));

    IF p_command_id IS NOT NULL THEN
        SELECT * INTO v_command FROM kiroku_commands c WHERE c.command_id = p_command_id;
        IF FOUND THEN
            SELECT e.position INTO v_base FROM kiroku_events e
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

    INSERT INTO kiroku_events (
        position, append_order, stream_id, version, event_id, event_type, schema_version, aggregate_type,
        aggregate_id, occurred_at, correlation_id, causation_id, actor_uid, actor_role, traceparent,
        tracestate, payload
    )
    SELECT v_base + e.ordinality, v_order, p_stream_id, v_current + e.ordinality, e.event_id, e.event_type,
        e.schema_version, e.aggregate_type, e.aggregate_id, e.occurred_at, e.correlation_id,
        e.causation_id, e.actor_uid, e.actor_role, e.traceparent, e.tracestate, e.payload
    FROM json_populate_recordset(NULL::kiroku_events, p_events) WITH ORDINALITY AS e;

    IF p_outbox THEN
        INSERT INTO kiroku_outbox (append_order, first_version, last_version, stream_id)
            VALUES (v_order, v_current + 1, v_current + v_count, p_stream_id);
    END IF;

    IF p_command_id IS NOT NULL THEN
        INSERT INTO kiroku_commands (command_id, stream_id, first_version, last_version)
            VALUES (p_command_id, p_stream_id, v_current + 1, v_current + v_count);
    END IF;

    RETURN QUERY SELECT 'appended', p_stream_id, v_current + v_count,
        v_current + 1, v_current + v_count, v_base + 1, v_base + v_count;
END;
$$;
