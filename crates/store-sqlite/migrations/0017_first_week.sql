-- Settings the console edits (issue 18): the shop's name as customers know it. A row here
-- wins over `[shop] name` in jaga.toml; each change is audited as `shop.settings.change`.
-- The PostgreSQL store has a migration with the same name and meaning.
CREATE TABLE shop_settings (
    name       TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
