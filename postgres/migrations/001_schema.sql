-- dashgraph's data model: identity, RBAC and analytics.

-- Identity ------------------------------------------------------------------

CREATE TABLE organizations (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                   text NOT NULL CHECK (btrim(name) <> ''),
    slug                   text NOT NULL UNIQUE,
    parent_organization_id bigint REFERENCES organizations (id),
    is_active              boolean NOT NULL DEFAULT true,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_organization_id IS DISTINCT FROM id)
);
CREATE INDEX organizations_parent_idx ON organizations (parent_organization_id);

CREATE TABLE users (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email              text NOT NULL,
    name               text NOT NULL CHECK (btrim(name) <> ''),
    password_hash      text NOT NULL,
    is_active          boolean NOT NULL DEFAULT true,
    -- Access and refresh tokens issued before this instant are refused
    -- (logout everywhere, password change, deactivation).
    tokens_valid_after timestamptz NOT NULL DEFAULT 'epoch',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE user_organizations (
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, organization_id)
);
CREATE INDEX user_organizations_org_idx ON user_organizations (organization_id);

-- A permission is resource:action:scope, for example analytics:read:organization.
CREATE TABLE permissions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name ~ '^[a-z_]+:[a-z_]+:(own|organization|all)$'),
    description text NOT NULL DEFAULT ''
);

-- A role with a NULL organization_id is a system role, usable everywhere; an
-- organization's own roles are managed by that organization's admins.
CREATE TABLE roles (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL CHECK (btrim(name) <> ''),
    description     text NOT NULL DEFAULT '',
    organization_id bigint REFERENCES organizations (id) ON DELETE CASCADE,
    is_system       boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX roles_name_key ON roles (coalesce(organization_id, 0), lower(name));

CREATE TABLE role_permissions (
    role_id       bigint NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    permission_id bigint NOT NULL REFERENCES permissions (id) ON DELETE CASCADE,
    PRIMARY KEY (role_id, permission_id)
);

-- A role assignment. With an organization_id, the role's organization-scoped
-- permissions apply to that organization's subtree only.
CREATE TABLE user_roles (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id         bigint NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    organization_id bigint REFERENCES organizations (id) ON DELETE CASCADE,
    expires_at      timestamptz,
    granted_by      bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX user_roles_assignment_key ON user_roles (user_id, role_id, coalesce(organization_id, 0));
CREATE INDEX user_roles_role_idx ON user_roles (role_id);

CREATE TABLE token_blacklist (
    jti        text PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX token_blacklist_expires_idx ON token_blacklist (expires_at);

-- Refresh tokens are stored as SHA-256 hashes. Each rotation creates a new row
-- in the same family; presenting a rotated token revokes the whole family.
CREATE TABLE refresh_sessions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id   text NOT NULL,
    token_hash  bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    rotated_at  timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_sessions_user_idx ON refresh_sessions (user_id);
CREATE INDEX refresh_sessions_family_idx ON refresh_sessions (family_id);

-- Analytics -----------------------------------------------------------------

CREATE TABLE practices (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations (id),
    name            text NOT NULL CHECK (btrim(name) <> ''),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX practices_org_idx ON practices (organization_id);

CREATE TABLE providers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    practice_id bigint NOT NULL REFERENCES practices (id),
    name        text NOT NULL CHECK (btrim(name) <> ''),
    specialty   text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX providers_practice_idx ON providers (practice_id);

-- A data source is one loaded data set. Every data load bumps its generation,
-- which is part of every chart-data cache key computed from it.
CREATE TABLE data_sources (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    generation bigint NOT NULL DEFAULT 1,
    loaded_at  timestamptz NOT NULL DEFAULT now()
);

-- The measures a data source provides. The application's catalogue
-- (analytics.Measures) is the source of truth; seed writes it here so that
-- measure_values rows can reference it.
CREATE TABLE measures (
    id             smallint PRIMARY KEY,
    key            text NOT NULL UNIQUE,
    label          text NOT NULL,
    unit           text NOT NULL CHECK (unit IN ('CURRENCY', 'COUNT')),
    data_source_id bigint NOT NULL REFERENCES data_sources (id)
);

CREATE TYPE frequency AS ENUM ('Daily', 'Weekly', 'Monthly', 'Quarterly');

-- Pre-aggregated measures, one row per provider, measure and period. The
-- period_date is the first day of the period (weeks start on Monday).
-- The primary key leads with what every chart query filters on (measure,
-- frequency, date range) and includes the rest, so chart queries are
-- index-only range scans; a caller's practice scope is checked inside the index.
CREATE TABLE measure_values (
    measure_id  smallint NOT NULL REFERENCES measures (id),
    frequency   frequency NOT NULL,
    period_date date NOT NULL,
    practice_id bigint NOT NULL REFERENCES practices (id),
    provider_id bigint NOT NULL REFERENCES providers (id),
    value       double precision NOT NULL,
    PRIMARY KEY (measure_id, frequency, period_date, practice_id, provider_id) INCLUDE (value)
);

CREATE TABLE chart_definitions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL CHECK (btrim(name) <> ''),
    description     text NOT NULL DEFAULT '',
    chart_type      text NOT NULL,
    config          jsonb NOT NULL,
    -- Bumped on every change; part of the chart-data cache key.
    version         integer NOT NULL DEFAULT 1,
    data_source_id  bigint NOT NULL REFERENCES data_sources (id),
    organization_id bigint REFERENCES organizations (id) ON DELETE CASCADE,
    created_by      bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- A dashboard with a NULL organization_id is shared with every analytics
-- reader; otherwise only with readers who can access that organization.
CREATE TABLE dashboards (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL CHECK (btrim(name) <> ''),
    description     text NOT NULL DEFAULT '',
    organization_id bigint REFERENCES organizations (id) ON DELETE CASCADE,
    created_by      bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dashboard_charts (
    dashboard_id        bigint NOT NULL REFERENCES dashboards (id) ON DELETE CASCADE,
    position            integer NOT NULL CHECK (position >= 0),
    chart_definition_id bigint NOT NULL REFERENCES chart_definitions (id) ON DELETE CASCADE,
    PRIMARY KEY (dashboard_id, position)
);
CREATE INDEX dashboard_charts_chart_idx ON dashboard_charts (chart_definition_id);
