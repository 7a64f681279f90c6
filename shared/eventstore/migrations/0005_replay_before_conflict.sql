-- As in migration 0004, except that the stream's version is read before the command id is looked up.
-- Each statement of the function reads what had committed when it began. Asked the other way round, an
-- append of a command that another delivery committed between the two reads found no command but a
-- newer version, and answered a conflict instead of the replay it was: its caller then decided again
-- against the stream its own command had changed. Read in this order, an append committed before the
-- version read shows in the command lookup, and one committed after it meets this append at the unique
-- version, where the append is retried and replays.
CREATE OR REPLACE FUNCTION kiroku_append(
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
    SELECT coalesce(max(e.version), 0) INTO v_current FROM kiroku_events e WHERE e.stream_id = p_stream_id;

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

    IF p_expected IS NOT NULL AND p_expected <> v_current THEN
        RETURN QUERY SELECT 'conflict', p_stream_id, v_current,
            NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;

    -- The sequencer lock only if it is free: held to commit, it makes this append's positions (and those
    -- of committed appends still waiting) visible in order. When another append holds it, this one
    -- commits into the waiting queue rather than queue its commit behind the other's.
    IF pg_try_advisory_xact_lock(1802465135, 0) THEN
        v_base := kiroku_position_waiting();
    END IF;
    v_order := nextval('kiroku_append_order');

    INSERT INTO kiroku_events (
        append_order, stream_id, version, event_id, event_type, schema_version, aggregate_type,
        aggregate_id, occurred_at, correlation_id, causation_id, actor_uid, actor_role, traceparent,
        tracestate, payload
    )
    SELECT v_order, p_stream_id, v_current + e.ordinality, e.event_id, e.event_type,
        e.schema_version, e.aggregate_type, e.aggregate_id, e.occurred_at, e.correlation_id,
        e.causation_id, e.actor_uid, e.actor_role, e.traceparent, e.tracestate, e.payload
    FROM json_populate_recordset(NULL::kiroku_events, p_events) WITH ORDINALITY AS e;
    GET DIAGNOSTICS v_count = ROW_COUNT;

    IF v_base IS NOT NULL THEN
        INSERT INTO kiroku_appends (
            append_order, stream_id, first_version, last_version, first_position, last_position
        ) VALUES (v_order, p_stream_id, v_current + 1, v_current + v_count, v_base + 1, v_base + v_count);
    ELSE
        INSERT INTO kiroku_waiting (append_order, stream_id, first_version, last_version)
        VALUES (v_order, p_stream_id, v_current + 1, v_current + v_count);
    END IF;
    IF p_command_id IS NOT NULL THEN
        INSERT INTO kiroku_commands (command_id, stream_id, first_version, last_version)
        VALUES (p_command_id, p_stream_id, v_current + 1, v_current + v_count);
    END IF;
    IF p_outbox THEN
        INSERT INTO kiroku_outbox (append_order, first_version, last_version, stream_id)
        VALUES (v_order, v_current + 1, v_current + v_count, p_stream_id);
    END IF;

    RETURN QUERY SELECT 'appended', p_stream_id, v_current + v_count,
        v_current + 1, v_current + v_count, v_base + 1, v_base + v_count;
END;
$$;
