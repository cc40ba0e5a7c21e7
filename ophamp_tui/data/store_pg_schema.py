"""The PostgreSQL store's tables, and the migrations that make them (run by ``PgStore`` on opening).

Tables (in the connection's ``search_path``, normally ``public``)::

    ophamp_schema   one row: the schema version these tables are at
    cases           one row per case: the Case as JSON (``doc``), its revision, its summary, and
                    the summary's columns the case list, queues, victim lookup and deadlines filter on
    history         append-only: one row per recorded change, written in the save's own transaction;
                    a trigger refuses UPDATE, DELETE and TRUNCATE, whatever the role
    drafts          a new case as it is being typed, by a hash of its owner's number
    sessions        which ophamps have the store open (with their server connection, to notice the dead)

Each migration takes the tables from version N-1 to N; they run in order, in one transaction, under
an advisory lock (two ophamps opening a new database at once do not both create it).

What a force should grant the application's role (the owner of the tables is another role)::

    GRANT USAGE ON SCHEMA public TO ophamp_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON cases, drafts, sessions TO ophamp_app;
    GRANT SELECT, INSERT ON history TO ophamp_app;          -- never UPDATE or DELETE
    GRANT SELECT ON ophamp_schema TO ophamp_app;
    GRANT USAGE ON SEQUENCE case_version_seq, history_id_seq TO ophamp_app;

The trigger stands even for a role that has been granted more (or owns the table): changing the
history needs its owner to drop the trigger first, which is itself visible in the server's log.
"""

from __future__ import annotations

SCHEMA_VERSION = 1
MIGRATION_LOCK = 0x6F7068616D70  # "ophamp": the advisory lock key held while migrating
STORE_LOCK = 0x6F7068616D71  # the store's write lock (shared by each save, exclusive for ``locked``)

_V1 = """
CREATE TABLE IF NOT EXISTS ophamp_schema (
    version int NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS case_version_seq;
CREATE TABLE cases (
    id text PRIMARY KEY,
    doc jsonb NOT NULL,
    rev int NOT NULL,
    version bigint NOT NULL DEFAULT nextval('case_version_seq'),  -- changes at every write: refresh
    summary jsonb,
    victim_number text NOT NULL DEFAULT '',
    victim_staff_no text NOT NULL DEFAULT '',
    occurred_at timestamptz,
    next_due timestamptz,
    state text NOT NULL DEFAULT 'open',
    people text[] NOT NULL DEFAULT '{}',
    fictional boolean NOT NULL DEFAULT false,
    saved_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cases_victim_number ON cases (victim_number);
CREATE INDEX cases_victim_staff_no ON cases (victim_staff_no) WHERE victim_staff_no <> '';
CREATE INDEX cases_occurred_at ON cases (occurred_at);
CREATE INDEX cases_next_due ON cases (next_due) WHERE next_due IS NOT NULL;
CREATE INDEX cases_state ON cases (state);
CREATE INDEX cases_people ON cases USING gin (people);

CREATE TABLE history (
    id bigserial PRIMARY KEY,
    case_id text NOT NULL,
    rev int NOT NULL,
    at timestamptz NOT NULL,
    by jsonb NOT NULL,
    field text NOT NULL,
    old text,
    new text,
    recorded_at timestamptz NOT NULL DEFAULT now()  -- the server's clock, whatever the app's says
);
CREATE INDEX history_case ON history (case_id, rev);

CREATE FUNCTION ophamp_history_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ophamp history is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER history_no_update_or_delete BEFORE UPDATE OR DELETE ON history
    FOR EACH ROW EXECUTE FUNCTION ophamp_history_is_append_only();
CREATE TRIGGER history_no_truncate BEFORE TRUNCATE ON history
    FOR EACH STATEMENT EXECUTE FUNCTION ophamp_history_is_append_only();

CREATE TABLE drafts (
    owner text PRIMARY KEY,  -- a hash of the owner's number: nothing here names anyone
    draft jsonb NOT NULL,
    saved_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
    id text PRIMARY KEY,
    record jsonb NOT NULL,
    backend_pid int NOT NULL,
    backend_start timestamptz
);
"""

# MIGRATIONS[n] takes the tables from version n to n + 1.
MIGRATIONS: list[str] = [_V1]
assert len(MIGRATIONS) == SCHEMA_VERSION
