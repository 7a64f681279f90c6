-- A read model listed by name (the catalogue, a page at a time, at any size) is walked in order on this
-- index rather than sorted whole for every page: its filters (shared/readmodels/postgres.py) then only
-- pass over the rows of the page and the few between them. Keyed by model first, so a query that
-- binds the model as a parameter uses it too; rows without a name are not in it.
CREATE INDEX kiroku_read_models_by_name ON kiroku_read_models (model, (data -> 'name'), key)
    WHERE data ? 'name';
