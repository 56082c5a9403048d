-- Data lifecycle (issue 15). The PostgreSQL store has a migration with the same name and meaning.
-- Erased customers in erasure order: the erasure ledger's catch-up pages through them.
CREATE INDEX customers_erased_at ON customers (erased_at, id) WHERE erased_at IS NOT NULL;
