-- GENERATED FILE, do not edit: the PostgreSQL schema of Kiroku's event store and read models as the
-- migrations leave it, to read in one place (tables, indexes, functions such as kiroku_append, grants).
-- The migrations in shared/eventstore/migrations/ remain the source of truth: a change to the schema is
-- a new migration, after which this file is regenerated. It is pg_dump's output (PostgreSQL 18) for an
-- empty database the migrations were applied to and the deploy step (shared/eventstore/deploy_schema.py)
-- gave its grants to the roles kiroku_writer and kiroku_reader, without pg_dump's session settings and
-- per-object banners. Regenerate it with
--     .venv/bin/python -m deploy.schema_dump
-- tests/integration/test_schema_sql.py fails while it differs from what the migrations build.

-- Functions

CREATE FUNCTION public.kiroku_append(p_stream_id text, p_expected bigint, p_command_id text, p_events json, p_outbox boolean) RETURNS TABLE(r_outcome text, r_stream_id text, r_actual bigint, r_first_version bigint, r_last_version bigint, r_first_position bigint, r_last_position bigint)
    LANGUAGE plpgsql
    AS $$
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

CREATE FUNCTION public.kiroku_notify_read_model_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify(
        'kiroku_read_model_changes',
        json_build_object(
            'model', NEW.model, 'key', NEW.key, 'version', NEW.version, 'status', NEW.data ->> 'status'
        )::text
    );
    RETURN NULL;
END $$;

CREATE FUNCTION public.kiroku_position_waiting() RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    v_last bigint;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'Kiroku positions events only in READ COMMITTED transactions'
            USING ERRCODE = 'feature_not_supported';
    END IF;
    SELECT coalesce(max(last_position), 0) INTO v_last FROM kiroku_appends;
    IF NOT EXISTS (SELECT FROM kiroku_waiting) THEN
        RETURN v_last;  -- the usual case: no planning of the move below
    END IF;
    WITH moved AS (
        DELETE FROM kiroku_waiting RETURNING *
    ), numbered AS (
        SELECT *, v_last + sum(last_version - first_version + 1) OVER (ORDER BY append_order) AS last_position
        FROM moved
    ), positioned AS (
        INSERT INTO kiroku_appends (
            append_order, stream_id, first_version, last_version, first_position, last_position
        )
        SELECT append_order, stream_id, first_version, last_version,
            last_position - (last_version - first_version), last_position
        FROM numbered
        RETURNING last_position
    )
    SELECT coalesce(max(last_position), v_last) INTO v_last FROM positioned;
    RETURN v_last;
END;
$$;

CREATE FUNCTION public.kiroku_sequence(p_stream_id text, p_version bigint) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
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

-- Sequences

CREATE SEQUENCE public.kiroku_append_order
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Tables

CREATE TABLE public.kiroku_appends (
    append_order bigint NOT NULL,
    stream_id text NOT NULL COLLATE pg_catalog."C",
    first_version bigint NOT NULL,
    last_version bigint NOT NULL,
    first_position bigint NOT NULL,
    last_position bigint NOT NULL,
    CONSTRAINT kiroku_appends_check CHECK ((first_version <= last_version)),
    CONSTRAINT kiroku_appends_check1 CHECK (((first_position IS NULL) = (last_position IS NULL))),
    CONSTRAINT kiroku_appends_check2 CHECK (((last_position - first_position) = (last_version - first_version)))
);

CREATE TABLE public.kiroku_commands (
    command_id text NOT NULL,
    stream_id text NOT NULL,
    first_version bigint NOT NULL,
    last_version bigint NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.kiroku_events (
    stream_id text NOT NULL COLLATE pg_catalog."C",
    version bigint NOT NULL,
    event_id text NOT NULL,
    event_type text NOT NULL,
    schema_version integer NOT NULL,
    aggregate_type text NOT NULL,
    aggregate_id text NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    correlation_id text NOT NULL,
    causation_id text NOT NULL,
    actor_uid text NOT NULL,
    actor_role text NOT NULL,
    traceparent text,
    tracestate text,
    payload json NOT NULL,
    append_order bigint NOT NULL,
    CONSTRAINT kiroku_events_version_check CHECK ((version >= 1))
);

CREATE TABLE public.kiroku_outbox (
    append_order bigint CONSTRAINT kiroku_outbox_by_append_append_order_not_null NOT NULL,
    first_version bigint CONSTRAINT kiroku_outbox_by_append_first_version_not_null NOT NULL,
    last_version bigint CONSTRAINT kiroku_outbox_by_append_last_version_not_null NOT NULL,
    stream_id text CONSTRAINT kiroku_outbox_by_append_stream_id_not_null NOT NULL COLLATE pg_catalog."C",
    CONSTRAINT kiroku_outbox_by_append_check CHECK ((first_version <= last_version))
);

CREATE TABLE public.kiroku_read_models (
    model text NOT NULL COLLATE pg_catalog."C",
    key text NOT NULL COLLATE pg_catalog."C",
    version bigint NOT NULL,
    data jsonb,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.kiroku_snapshots (
    stream_id text NOT NULL,
    aggregate_type text NOT NULL,
    version bigint NOT NULL,
    schema_version integer NOT NULL,
    state json NOT NULL,
    taken_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.kiroku_waiting (
    append_order bigint NOT NULL,
    stream_id text NOT NULL COLLATE pg_catalog."C",
    first_version bigint NOT NULL,
    last_version bigint NOT NULL,
    CONSTRAINT kiroku_waiting_check CHECK ((first_version <= last_version))
);

CREATE TABLE public.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

-- Primary keys and unique constraints

ALTER TABLE ONLY public.kiroku_appends
    ADD CONSTRAINT kiroku_appends_pkey PRIMARY KEY (append_order);

ALTER TABLE ONLY public.kiroku_commands
    ADD CONSTRAINT kiroku_commands_pkey PRIMARY KEY (command_id);

ALTER TABLE ONLY public.kiroku_events
    ADD CONSTRAINT kiroku_events_pkey PRIMARY KEY (stream_id, version);

ALTER TABLE ONLY public.kiroku_outbox
    ADD CONSTRAINT kiroku_outbox_pkey PRIMARY KEY (append_order, first_version);

ALTER TABLE ONLY public.kiroku_read_models
    ADD CONSTRAINT kiroku_read_models_pkey PRIMARY KEY (model, key);

ALTER TABLE ONLY public.kiroku_snapshots
    ADD CONSTRAINT kiroku_snapshots_pkey PRIMARY KEY (stream_id);

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

-- Indexes

CREATE UNIQUE INDEX kiroku_appends_position ON public.kiroku_appends USING btree (last_position);

CREATE INDEX kiroku_read_models_by_name ON public.kiroku_read_models USING btree (model, ((data -> 'name'::text)), key) WHERE (data ? 'name'::text);

CREATE INDEX kiroku_read_models_data ON public.kiroku_read_models USING gin (data jsonb_path_ops);

-- Trigger

CREATE TRIGGER kiroku_read_model_changes AFTER INSERT OR UPDATE ON public.kiroku_read_models FOR EACH ROW EXECUTE FUNCTION public.kiroku_notify_read_model_change();

-- Privileges: what the deploy step grants, all else is the owner's

REVOKE ALL ON FUNCTION public.kiroku_append(p_stream_id text, p_expected bigint, p_command_id text, p_events json, p_outbox boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION public.kiroku_append(p_stream_id text, p_expected bigint, p_command_id text, p_events json, p_outbox boolean) TO kiroku_writer;

REVOKE ALL ON FUNCTION public.kiroku_notify_read_model_change() FROM PUBLIC;
GRANT ALL ON FUNCTION public.kiroku_notify_read_model_change() TO kiroku_writer;

REVOKE ALL ON FUNCTION public.kiroku_position_waiting() FROM PUBLIC;
GRANT ALL ON FUNCTION public.kiroku_position_waiting() TO kiroku_writer;

REVOKE ALL ON FUNCTION public.kiroku_sequence(p_stream_id text, p_version bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.kiroku_sequence(p_stream_id text, p_version bigint) TO kiroku_writer;

GRANT ALL ON SEQUENCE public.kiroku_append_order TO kiroku_writer;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.kiroku_appends TO kiroku_writer;
GRANT SELECT ON TABLE public.kiroku_appends TO kiroku_reader;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.kiroku_commands TO kiroku_writer;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.kiroku_events TO kiroku_writer;
GRANT SELECT ON TABLE public.kiroku_events TO kiroku_reader;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.kiroku_outbox TO kiroku_writer;
GRANT SELECT ON TABLE public.kiroku_outbox TO kiroku_reader;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.kiroku_read_models TO kiroku_writer;
GRANT SELECT ON TABLE public.kiroku_read_models TO kiroku_reader;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.kiroku_snapshots TO kiroku_writer;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.kiroku_waiting TO kiroku_writer;
GRANT SELECT ON TABLE public.kiroku_waiting TO kiroku_reader;
