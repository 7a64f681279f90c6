-- Each write of a read-model record tells the listeners of `kiroku_read_model_changes` (a LISTEN
-- connection in each GraphQL process, shared/readmodels/postgres.py) which record changed, to what
-- version, and its top-level status: a request waiting for an outcome, a read model to catch up or an
-- order to settle then reads again only when its record moved, and often not even then. NOTIFY is sent
-- when the write commits, and never for an upsert that changed nothing.
CREATE FUNCTION kiroku_notify_read_model_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(
        'kiroku_read_model_changes',
        json_build_object(
            'model', NEW.model, 'key', NEW.key, 'version', NEW.version, 'status', NEW.data ->> 'status'
        )::text
    );
    RETURN NULL;
END $$;

CREATE TRIGGER kiroku_read_model_changes
    AFTER INSERT OR UPDATE ON kiroku_read_models
    FOR EACH ROW EXECUTE FUNCTION kiroku_notify_read_model_change();
