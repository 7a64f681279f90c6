-- Read models: one table for all of them, keyed by (model, key); the record is JSONB, NULL for a tombstone.
-- Why one table: see the docstring of shared/readmodels/postgres.py.

CREATE TABLE kiroku_read_models (
    model      text COLLATE "C" NOT NULL,
    key        text COLLATE "C" NOT NULL,
    version    bigint NOT NULL,
    data       jsonb,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model, key)
);

-- Equality filters are JSONB containment (`data @> '{"field": value}'`), which this index serves.
CREATE INDEX kiroku_read_models_data ON kiroku_read_models USING gin (data jsonb_path_ops);
