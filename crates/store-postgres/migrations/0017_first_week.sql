-- Settings the console edits (issue 18): the shop's name as customers know it. A row here
-- wins over `[shop] name` in jaga.toml; each change is audited as `shop.settings.change`.
-- The SQLite store has a migration with the same name and meaning.
CREATE TABLE shop_settings (
    name       text   PRIMARY KEY,
    value      text   NOT NULL,
    updated_at bigint NOT NULL
);
