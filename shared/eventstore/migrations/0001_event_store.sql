-- The event store: events, the global-position counter, outbox, command records and snapshots.
-- Why a counter row and not a sequence: see the docstring of shared/eventstore/postgres.py.

CREATE TABLE kiroku_events (
    position       bigint PRIMARY KEY,
    stream_id      text COLLATE "C" NOT NULL,
    version        bigint NOT NULL CHECK (version >= 1),
    event_id       text NOT NULL,
    event_type     text NOT NULL,
    schema_version integer NOT NULL,
    aggregate_type text NOT NULL,
    aggregate_id   text NOT NULL,
    occurred_at    timestamptz NOT NULL,
    correlation_id text NOT NULL,
    causation_id   text NOT NULL,
    actor_uid      text NOT NULL,
    actor_role     text NOT NULL,
    traceparent    text,
    tracestate     text,
    -- json, not jsonb: the payload is kept byte for byte, so exports are exact.
    payload        json NOT NULL,
    CONSTRAINT kiroku_events_stream_version UNIQUE (stream_id, version)
);

CREATE TABLE kiroku_position (
    id            integer PRIMARY KEY CHECK (id = 1),
    last_position bigint NOT NULL
);
INSERT INTO kiroku_position (id, last_position) VALUES (1, 0);

-- A row per unpublished event; the relay deletes it once published.
CREATE TABLE kiroku_outbox (
    position bigint PRIMARY KEY
);

CREATE TABLE kiroku_commands (
    command_id     text PRIMARY KEY,
    stream_id      text NOT NULL,
    first_version  bigint NOT NULL,
    last_version   bigint NOT NULL,
    first_position bigint NOT NULL,
    last_position  bigint NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE kiroku_snapshots (
    stream_id      text PRIMARY KEY,
    aggregate_type text NOT NULL,
    version        bigint NOT NULL,
    schema_version integer NOT NULL,
    state          json NOT NULL,
    taken_at       timestamptz NOT NULL DEFAULT now()
);

-- One round trip per append. Results are rows, not exceptions, so a conflict costs no subtransaction.
CREATE FUNCTION kiroku_append(
    p_stream_id text, p_expected bigint, p_command_id text, p_events json, p_outbox boolean
) RETURNS TABLE (
    r_outcome text, r_stream_id text, r_actual bigint,
    r_first_version bigint, r_last_version bigint, r_first_position bigint, r_last_position bigint
)
LANGUAGE plpgsql AS $$
DECLARE
    v_count   bigint := json_array_length(p_events);
    v_base    bigint;
    v_current bigint;
    v_command kiroku_commands%ROWTYPE;
BEGIN
    -- Taking the counter row lock first serialises appends until they commit: positions are handed out
    -- in commit order, and every check below sees the previous append's effects.
    UPDATE kiroku_position SET last_position = last_position + v_count WHERE id = 1
        RETURNING last_position - v_count INTO v_base;

    IF p_command_id IS NOT NULL THEN
        SELECT * INTO v_command FROM kiroku_commands c WHERE c.command_id = p_command_id;
        IF FOUND THEN
            UPDATE kiroku_position SET last_position = v_base WHERE id = 1;
            RETURN QUERY SELECT 'replayed', v_command.stream_id, NULL::bigint,
                v_command.first_version, v_command.last_version,
                v_command.first_position, v_command.last_position;
            RETURN;
        END IF;
    END IF;

    SELECT coalesce(max(e.version), 0) INTO v_current FROM kiroku_events e WHERE e.stream_id = p_stream_id;
    IF p_expected IS NOT NULL AND p_expected <> v_current THEN
        UPDATE kiroku_position SET last_position = v_base WHERE id = 1;
        RETURN QUERY SELECT 'conflict', p_stream_id, v_current,
            NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;

    INSERT INTO kiroku_events (
        position, stream_id, version, event_id, event_type, schema_version, aggregate_type, aggregate_id,
        occurred_at, correlation_id, causation_id, actor_uid, actor_role, traceparent, tracestate, payload
    )
    SELECT v_base + e.ordinality, p_stream_id, v_current + e.ordinality, e.event_id, e.event_type,
        e.schema_version, e.aggregate_type, e.aggregate_id, e.occurred_at, e.correlation_id,
        e.causation_id, e.actor_uid, e.actor_role, e.traceparent, e.tracestate, e.payload
    FROM json_populate_recordset(NULL::kiroku_events, p_events) WITH ORDINALITY AS e;

    IF p_outbox THEN
        INSERT INTO kiroku_outbox (position) SELECT generate_series(v_base + 1, v_base + v_count);
    END IF;

    IF p_command_id IS NOT NULL THEN
        INSERT INTO kiroku_commands (
            command_id, stream_id, first_version, last_version, first_position, last_position
        ) VALUES (
            p_command_id, p_stream_id, v_current + 1, v_current + v_count, v_base + 1, v_base + v_count
        );
    END IF;

    RETURN QUERY SELECT 'appended', p_stream_id, v_current + v_count,
        v_current + 1, v_current + v_count, v_base + 1, v_base + v_count;
END;
$$;
