/// The schema, one numbered step at a time. Never edit a released step; add a new one.
///
/// Every row carries `tenant_id` (one tenant, `default`, for now). Times are milliseconds.
struct Migration: Sendable {
    var version: Int
    var name: String
    var statements: @Sendable (SQLDialect) -> [String]
}

enum Migrations {
    static let all: [Migration] = [
        Migration(version: 1, name: "contacts, conversations, messages, jobs, outbox") { dialect in
            let id = dialect.identityColumn
            return [
                """
                CREATE TABLE contacts (
                    id \(id),
                    tenant_id TEXT NOT NULL,
                    channel_id TEXT NOT NULL,
                    platform_id TEXT NOT NULL,
                    display_name TEXT,
                    created_at BIGINT NOT NULL,
                    UNIQUE (tenant_id, channel_id, platform_id)
                )
                """,
                """
                CREATE TABLE conversations (
                    id \(id),
                    tenant_id TEXT NOT NULL,
                    channel_id TEXT NOT NULL,
                    platform_chat_id TEXT NOT NULL,
                    contact_id BIGINT NOT NULL REFERENCES contacts (id),
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    lease_owner TEXT,
                    lease_until BIGINT,
                    UNIQUE (tenant_id, channel_id, platform_chat_id)
                )
                """,
                """
                CREATE TABLE messages (
                    id \(id),
                    tenant_id TEXT NOT NULL,
                    channel_id TEXT NOT NULL,
                    conversation_id BIGINT NOT NULL REFERENCES conversations (id),
                    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
                    kind TEXT NOT NULL,
                    platform_event_id TEXT,
                    text TEXT NOT NULL,
                    choice_id TEXT,
                    language TEXT,
                    sender_name TEXT,
                    acknowledgement TEXT,
                    trace_id TEXT NOT NULL,
                    received_at BIGINT NOT NULL,
                    handled_at BIGINT,
                    UNIQUE (tenant_id, channel_id, platform_event_id)
                )
                """,
                "CREATE INDEX messages_unhandled ON messages (conversation_id, id) WHERE direction = 'in' AND handled_at IS NULL",
                """
                CREATE TABLE jobs (
                    id \(id),
                    tenant_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    conversation_id BIGINT REFERENCES conversations (id),
                    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done')),
                    run_at BIGINT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    lease_owner TEXT,
                    lease_until BIGINT,
                    last_error TEXT,
                    created_at BIGINT NOT NULL,
                    finished_at BIGINT
                )
                """,
                // At most one queued turn per conversation: later messages join it.
                "CREATE UNIQUE INDEX jobs_one_queued_turn ON jobs (conversation_id) WHERE kind = 'turn' AND state = 'queued'",
                "CREATE INDEX jobs_due ON jobs (state, run_at) WHERE state <> 'done'",
                """
                CREATE TABLE outbox (
                    id \(id),
                    tenant_id TEXT NOT NULL,
                    channel_id TEXT NOT NULL,
                    conversation_id BIGINT NOT NULL REFERENCES conversations (id),
                    message_id BIGINT REFERENCES messages (id),
                    action TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at BIGINT NOT NULL,
                    lease_owner TEXT,
                    lease_until BIGINT,
                    last_error TEXT,
                    platform_message_id TEXT,
                    trace_id TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    sent_at BIGINT
                )
                """,
                "CREATE INDEX outbox_pending ON outbox (conversation_id, id) WHERE state = 'pending'",
                "CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'pending'",
            ]
        },
        // SQLite only uses a partial index when the query repeats its condition; `state <> 'done'`
        // was never repeated, so every claim scanned all jobs ever run.
        Migration(version: 2, name: "index open jobs by due time") { _ in
            [
                "DROP INDEX jobs_due",
                "CREATE INDEX jobs_open ON jobs (run_at, id) WHERE state IN ('queued', 'running')",
            ]
        },
        Migration(version: 3, name: "message details (media, the message an edit, reaction or status is about); contacts' second id") { _ in
            [
                "ALTER TABLE contacts ADD COLUMN alternate_id TEXT",
                "CREATE INDEX contacts_alternate ON contacts (tenant_id, alternate_id) WHERE alternate_id IS NOT NULL",
                "ALTER TABLE messages ADD COLUMN details TEXT",
                "ALTER TABLE messages ADD COLUMN target TEXT",
                "CREATE INDEX messages_target ON messages (channel_id, target) WHERE target IS NOT NULL",
            ]
        },
        Migration(version: 4, name: "conversation owner and memory, reply traces, message history by conversation") { dialect in
            [
                "ALTER TABLE conversations ADD COLUMN owner TEXT NOT NULL DEFAULT 'bot'",
                "ALTER TABLE conversations ADD COLUMN owner_since BIGINT",
                "ALTER TABLE conversations ADD COLUMN owner_until BIGINT",
                "ALTER TABLE conversations ADD COLUMN memory TEXT",
                "CREATE INDEX messages_history ON messages (conversation_id, id)",
                """
                CREATE TABLE reply_traces (
                    id \(dialect.identityColumn),
                    tenant_id TEXT NOT NULL,
                    conversation_id BIGINT NOT NULL REFERENCES conversations (id),
                    created_at BIGINT NOT NULL,
                    agent TEXT,
                    decision TEXT NOT NULL,
                    trace TEXT NOT NULL
                )
                """,
                "CREATE INDEX reply_traces_conversation ON reply_traces (conversation_id, id)",
            ]
        },
        Migration(version: 5, name: "bookings and holds; jobs with a payload (reminders, calendar writes)") { dialect in
            [
                """
                CREATE TABLE bookings (
                    id \(dialect.identityColumn),
                    tenant_id TEXT NOT NULL,
                    conversation_id BIGINT NOT NULL REFERENCES conversations (id),
                    service TEXT NOT NULL,
                    starts_at BIGINT NOT NULL,
                    ends_at BIGINT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('held', 'confirmed', 'cancelled', 'completed', 'no_show')),
                    hold_until BIGINT,
                    contact_name TEXT,
                    email TEXT,
                    token TEXT NOT NULL UNIQUE,
                    replaces BIGINT,
                    contact_confirmed_at BIGINT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX bookings_time ON bookings (tenant_id, starts_at)",
                "CREATE INDEX bookings_conversation ON bookings (conversation_id, starts_at)",
                // A conversation holds or books a slot once: a retried turn finds its booking instead of making another.
                "CREATE UNIQUE INDEX bookings_once_per_conversation ON bookings (conversation_id, service, starts_at) WHERE status IN ('held', 'confirmed')",
                "ALTER TABLE jobs ADD COLUMN payload TEXT",
                "CREATE INDEX jobs_scheduled ON jobs (kind, run_at, id) WHERE state IN ('queued', 'running') AND kind <> 'turn'",
            ]
        },
        // A turn that keeps failing is parked as `dead` with its reason instead of retried forever.
        // SQLite cannot change a CHECK constraint, so its jobs table is rebuilt with the same rows.
        Migration(version: 6, name: "dead jobs") { dialect in
            switch dialect {
            case .postgres:
                return [
                    "ALTER TABLE jobs DROP CONSTRAINT jobs_state_check",
                    "ALTER TABLE jobs ADD CONSTRAINT jobs_state_check CHECK (state IN ('queued', 'running', 'done', 'dead'))",
                    "CREATE INDEX jobs_dead ON jobs (id) WHERE state = 'dead'",
                ]
            case .sqlite:
                return [
                    """
                    CREATE TABLE jobs_rebuilt (
                        id \(dialect.identityColumn),
                        tenant_id TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        conversation_id BIGINT REFERENCES conversations (id),
                        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
                        run_at BIGINT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        lease_owner TEXT,
                        lease_until BIGINT,
                        last_error TEXT,
                        created_at BIGINT NOT NULL,
                        finished_at BIGINT,
                        payload TEXT
                    )
                    """,
                    """
                    INSERT INTO jobs_rebuilt (id, tenant_id, kind, conversation_id, state, run_at, attempts, lease_owner, lease_until, last_error, created_at, finished_at, payload)
                    SELECT id, tenant_id, kind, conversation_id, state, run_at, attempts, lease_owner, lease_until, last_error, created_at, finished_at, payload FROM jobs
                    """,
                    "DROP TABLE jobs",
                    "ALTER TABLE jobs_rebuilt RENAME TO jobs",
                    "CREATE UNIQUE INDEX jobs_one_queued_turn ON jobs (conversation_id) WHERE kind = 'turn' AND state = 'queued'",
                    "CREATE INDEX jobs_open ON jobs (run_at, id) WHERE state IN ('queued', 'running')",
                    "CREATE INDEX jobs_scheduled ON jobs (kind, run_at, id) WHERE state IN ('queued', 'running') AND kind <> 'turn'",
                    "CREATE INDEX jobs_dead ON jobs (id) WHERE state = 'dead'",
                ]
            }
        },
        Migration(version: 7, name: "retention: one open retention job, outbox rows by message") { _ in
            [
                // Deleting a message checks the outbox rows that point at it: without this, a scan each.
                "CREATE INDEX outbox_message ON outbox (message_id) WHERE message_id IS NOT NULL",
                "CREATE UNIQUE INDEX jobs_one_retention ON jobs (tenant_id) WHERE kind = 'retention' AND state IN ('queued', 'running')",
            ]
        },
        Migration(version: 8, name: "due outbox entries in claim order") { _ in
            [
                // The delivery claim orders by (next_attempt_at, id): with the id in the index it
                // walks to the first free entry instead of sorting the entries due at one instant.
                "DROP INDEX outbox_due",
                "CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE state = 'pending'",
            ]
        },
    ]

    /// Applies what is missing. PostgreSQL takes an advisory lock so replicas starting together
    /// do not race; SQLite's `BEGIN IMMEDIATE` already excludes other writers.
    static func apply(to database: any SQLDatabase, now: Int64) async throws -> [Int] {
        try await database.transaction(durable: true) { session in
            if database.dialect == .postgres {
                _ = try await session.query("SELECT pg_advisory_xact_lock(7270501)", [])
            }
            _ = try await session.query(
                "CREATE TABLE IF NOT EXISTS atende_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                []
            )
            let applied = Set(try await session.query("SELECT version FROM atende_migrations", []).compactMap { $0.int(0) })
            var newlyApplied: [Int] = []
            for migration in all where !applied.contains(Int64(migration.version)) {
                for statement in migration.statements(database.dialect) {
                    _ = try await session.query(statement, [])
                }
                _ = try await session.query(
                    "INSERT INTO atende_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    [.int(Int64(migration.version)), .text(migration.name), .int(now)]
                )
                newlyApplied.append(migration.version)
            }
            return newlyApplied
        }
    }
}
