-- People who sign in (the bureau's staff), their sessions and failed sign-ins; county scopes for people and
-- tokens alike. See docs/operations.md, "People and sessions".

-- A county code (6 digits) or a city prefix (4 digits); an empty list means every county.
CREATE FUNCTION county_scopes_ok(scopes text[]) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(bool_and(s ~ '^([0-9]{4}|[0-9]{6})$'), true) FROM unnest(scopes) s
$$;

CREATE TABLE users (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                text NOT NULL UNIQUE CHECK (name ~ '^\S+$' AND length(name) <= 100),
    role                text NOT NULL CHECK (role IN ('viewer', 'editor', 'approver', 'admin')),
    counties            text[] NOT NULL DEFAULT '{}' CHECK (county_scopes_ok(counties)),
    -- Argon2id, as a PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash): never the password
    password_hash       text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    created_at          timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    disabled_at         timestamptz
);

-- A signed-in browser. Only the SHA-256 of the cookie's value is kept, as for tokens. A session ends at
-- expires_at, after the idle limit without a request, when its person signs out, is disabled or has the
-- password reset.
CREATE TABLE sessions (
    token_hash   bytea PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    ended_at     timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE ended_at IS NULL;

-- Failed sign-ins within the window slow and then stop the next ones (per name and per client address).
-- Rows older than the window are deleted as new ones come.
CREATE TABLE login_failures (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at     timestamptz NOT NULL DEFAULT now(),
    name   text NOT NULL,
    client text NOT NULL
);
CREATE INDEX login_failures_name ON login_failures (name, at);
CREATE INDEX login_failures_client ON login_failures (client, at);

-- Tokens are for machines; a county's own script gets that county's scope.
ALTER TABLE api_tokens ADD COLUMN counties text[] NOT NULL DEFAULT '{}' CHECK (county_scopes_ok(counties));
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('viewer', 'editor', 'approver', 'admin'));
