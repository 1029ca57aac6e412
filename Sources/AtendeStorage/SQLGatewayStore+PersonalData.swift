import AtendeCore
import Foundation

/// A person's data on request (LGPD arts. 18 and 16): export, erasure and retention. The same SQL
/// on both engines; nothing here is on a message's path, so plain statements suffice.
extension SQLGatewayStore: PersonalDataStore {
    public func contactIDs(matching key: String) async throws -> [Int64] {
        guard let lookup = ContactLookup(key) else { return [] }
        let sql: String
        let binds: [SQLValue]
        switch lookup {
        case .id(let id):
            sql = "SELECT id FROM contacts WHERE tenant_id = $1 AND id = $2"
            binds = [.text(tenantID), .int(id)]
        case .phone(let phone):
            sql = "SELECT id FROM contacts WHERE tenant_id = $1 AND (platform_id = $2 OR alternate_id = $2) ORDER BY id"
            binds = [.text(tenantID), .text(phone)]
        case .platform(let channel, let platformID):
            sql = "SELECT id FROM contacts WHERE tenant_id = $1 AND channel_id = $2 AND (platform_id = $3 OR alternate_id = $3) ORDER BY id"
            binds = [.text(tenantID), .text(channel), .text(platformID)]
        }
        return try await database.transaction(durable: false) { session in
            try await session.query(sql, binds).compactMap { $0.int(0) }
        }
    }

    public func exportContacts(_ ids: [Int64], now: Int64) async throws -> JSONValue {
        guard !ids.isEmpty else { return .object(["exported_at": .int(now), "contacts": .array([])]) }
        let contactList = Self.placeholders(ids.count, from: 1)
        let conversationsOf = "SELECT id FROM conversations WHERE contact_id IN (\(contactList))"
        let binds = ids.map(SQLValue.int)
        return try await database.transaction(durable: false) { session in
            func rows(_ sql: String, _ columns: [String], json: Set<String> = []) async throws -> [JSONValue] {
                try await session.query(sql, binds).map { Self.jsonRow($0, columns: columns, jsonColumns: json) }
            }
            let contacts = try await rows(
                "SELECT id, channel_id, platform_id, alternate_id, display_name, created_at FROM contacts WHERE id IN (\(contactList)) ORDER BY id",
                ["id", "channel_id", "platform_id", "alternate_id", "display_name", "created_at"]
            )
            let conversations = try await rows(
                """
                SELECT id, contact_id, channel_id, platform_chat_id, created_at, updated_at, owner, owner_since, owner_until, memory
                FROM conversations WHERE contact_id IN (\(contactList)) ORDER BY id
                """,
                ["id", "contact_id", "channel_id", "platform_chat_id", "created_at", "updated_at", "owner", "owner_since", "owner_until", "memory"],
                json: ["memory"]
            )
            let messages = try await rows(
                """
                SELECT id, conversation_id, direction, kind, platform_event_id, text, choice_id, language, sender_name, details, target, received_at, handled_at
                FROM messages WHERE conversation_id IN (\(conversationsOf)) ORDER BY id
                """,
                ["id", "conversation_id", "direction", "kind", "platform_event_id", "text", "choice_id", "language", "sender_name", "details", "target", "received_at", "handled_at"],
                json: ["details"]
            )
            let traces = try await rows(
                "SELECT id, conversation_id, created_at, agent, decision, trace FROM reply_traces WHERE conversation_id IN (\(conversationsOf)) ORDER BY id",
                ["id", "conversation_id", "created_at", "agent", "decision", "trace"], json: ["trace"]
            )
            let bookings = try await rows(
                """
                SELECT id, conversation_id, service, starts_at, ends_at, status, contact_name, email, created_at, updated_at
                FROM bookings WHERE conversation_id IN (\(conversationsOf)) ORDER BY id
                """,
                ["id", "conversation_id", "service", "starts_at", "ends_at", "status", "contact_name", "email", "created_at", "updated_at"]
            )
            let outbox = try await rows(
                """
                SELECT id, conversation_id, channel_id, action, payload, state, attempts, last_error, created_at, sent_at
                FROM outbox WHERE conversation_id IN (\(conversationsOf)) ORDER BY id
                """,
                ["id", "conversation_id", "channel_id", "action", "payload", "state", "attempts", "last_error", "created_at", "sent_at"], json: ["payload"]
            )
            let jobs = try await rows(
                """
                SELECT id, conversation_id, kind, state, run_at, attempts, last_error, payload, created_at, finished_at
                FROM jobs WHERE conversation_id IN (\(conversationsOf)) ORDER BY id
                """,
                ["id", "conversation_id", "kind", "state", "run_at", "attempts", "last_error", "payload", "created_at", "finished_at"], json: ["payload"]
            )
            return .object([
                "exported_at": .int(now),
                "contacts": .array(contacts), "conversations": .array(conversations), "messages": .array(messages), "traces": .array(traces),
                "bookings": .array(bookings), "outbox": .array(outbox), "jobs": .array(jobs),
            ])
        }
    }

    public func eraseContacts(_ ids: [Int64], syncCalendar: Bool, now: Int64) async throws -> ContactErasure {
        guard !ids.isEmpty else { return ContactErasure(contacts: 0, messages: 0, traces: 0, outboxEntries: 0, bookingsCancelled: 0, bookingsAnonymized: 0) }
        let contactList = Self.placeholders(ids.count, from: 2)
        let conversationsOf = "SELECT id FROM conversations WHERE tenant_id = $1 AND contact_id IN (\(contactList))"
        let binds: [SQLValue] = [.text(tenantID)] + ids.map(SQLValue.int)
        return try await database.transaction(durable: true) { session in
            func count(_ sql: String, _ extra: [SQLValue] = []) async throws -> Int {
                try await session.query(sql, binds + extra).count
            }
            let owned = try await session.query(conversationsOf, binds).compactMap { $0.int(0) }
            // Future bookings are cancelled (the calendar sync removes their events); past ones keep
            // service and time for the business's books, nothing that names the person.
            let nowParameter = "$\(binds.count + 1)"
            let cancelled = try await session.query(
                """
                UPDATE bookings SET status = 'cancelled', hold_until = NULL, updated_at = \(nowParameter)
                WHERE conversation_id IN (\(conversationsOf)) AND status IN ('held', 'confirmed') AND ends_at > \(nowParameter)
                RETURNING id
                """,
                binds + [.int(now)]
            )
            _ = try await count("DELETE FROM jobs WHERE conversation_id IN (\(conversationsOf)) RETURNING id")
            let anonymized = try await count(
                """
                UPDATE bookings SET contact_name = NULL, email = NULL, token = 'erased-' || CAST(id AS TEXT), updated_at = \(nowParameter)
                WHERE conversation_id IN (\(conversationsOf)) RETURNING id
                """,
                [.int(now)]
            )
            if syncCalendar {
                // Every booking's event is written again: a cancelled one is removed, the others
                // lose the person's name; a pending write deleted with the jobs above is redone.
                for row in try await session.query("SELECT id, conversation_id FROM bookings WHERE conversation_id IN (\(conversationsOf)) ORDER BY id", binds) {
                    guard let bookingID = row.int(0), let conversationID = row.int(1) else { continue }
                    try await self.queueJob("calendar_sync", conversationID: conversationID, bookingID: bookingID, startsAt: nil, runAt: now, session: session, now: now)
                }
            }
            let outbox = try await count("DELETE FROM outbox WHERE conversation_id IN (\(conversationsOf)) RETURNING id")
            let traces = try await count("DELETE FROM reply_traces WHERE conversation_id IN (\(conversationsOf)) RETURNING id")
            let messages = try await count("DELETE FROM messages WHERE conversation_id IN (\(conversationsOf)) RETURNING id")
            // The shells keep an id no platform sends, so the same number writing again is a new contact.
            for conversationID in owned {
                _ = try await session.query(
                    """
                    UPDATE conversations SET platform_chat_id = $1, memory = NULL, owner = 'bot', owner_since = NULL, owner_until = NULL,
                      lease_owner = NULL, lease_until = NULL, updated_at = $2
                    WHERE id = $3
                    """,
                    [.text("erased:\(conversationID):\(now)"), .int(now), .int(conversationID)]
                )
            }
            for contactID in ids {
                _ = try await session.query(
                    "UPDATE contacts SET platform_id = $1, alternate_id = NULL, display_name = NULL WHERE id = $2 AND tenant_id = $3",
                    [.text("erased:\(contactID):\(now)"), .int(contactID), .text(tenantID)]
                )
            }
            return ContactErasure(
                contacts: ids.count, messages: messages, traces: traces, outboxEntries: outbox,
                bookingsCancelled: cancelled.count, bookingsAnonymized: anonymized - cancelled.count
            )
        }
    }

    public func deleteExpired(messagesBefore: Int64?, tracesBefore: Int64?) async throws -> RetentionResult {
        var result = RetentionResult(messages: 0, traces: 0, outboxEntries: 0, jobs: 0)
        let tenant = SQLValue.text(tenantID)
        if let cutoff = messagesBefore {
            result.outboxEntries = try await deleteInBatches(
                "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE tenant_id = $1 AND created_at < $2 AND state IN ('sent', 'dead') LIMIT \(Self.retentionBatch))",
                [tenant, .int(cutoff)]
            )
            // Unanswered messages and ones a waiting reply points at are kept until they are done.
            result.messages = try await deleteInBatches(
                """
                DELETE FROM messages WHERE id IN (
                  SELECT id FROM messages m
                  WHERE m.tenant_id = $1 AND m.received_at < $2 AND (m.direction = 'out' OR m.handled_at IS NOT NULL)
                    AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)
                  LIMIT \(Self.retentionBatch))
                """,
                [tenant, .int(cutoff)]
            )
            // What the bot remembers of a conversation (the last question and answer) goes with its messages.
            _ = try await database.transaction(durable: false) { session in
                try await session.query(
                    "UPDATE conversations SET memory = NULL WHERE tenant_id = $1 AND updated_at < $2 AND memory IS NOT NULL", [tenant, .int(cutoff)]
                )
            }
        }
        if let cutoff = tracesBefore {
            result.traces = try await deleteInBatches(
                "DELETE FROM reply_traces WHERE id IN (SELECT id FROM reply_traces WHERE tenant_id = $1 AND created_at < $2 LIMIT \(Self.retentionBatch))",
                [tenant, .int(cutoff)]
            )
        }
        if let cutoff = [messagesBefore, tracesBefore].compactMap({ $0 }).min() {
            // Finished jobs carry errors and payloads about conversations; dead ones wait for an admin.
            result.jobs = try await deleteInBatches(
                "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE tenant_id = $1 AND state = 'done' AND finished_at < $2 LIMIT \(Self.retentionBatch))",
                [tenant, .int(cutoff)]
            )
        }
        return result
    }

    /// Rows a retention statement deletes per transaction: short transactions, so webhooks are
    /// stored in between (SQLite has one writer) however much a first run finds.
    static let retentionBatch = 1000

    /// Runs `sql` (a `DELETE … WHERE id IN (SELECT … LIMIT batch)`) until it deletes nothing more.
    private func deleteInBatches(_ sql: String, _ binds: [SQLValue]) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await database.transaction(durable: false) { session in
                try await session.query(sql + " RETURNING id", binds).count
            }
            total += deleted
            if deleted < Self.retentionBatch { return total }
        }
    }

    public func claimRetention(worker: String, now: Int64, leaseMillis: Int64) async throws -> RetentionClaim? {
        let token = "\(worker)/\(UUID().uuidString)"
        return try await database.transaction(durable: false) { session in
            // One retention job is open at a time (a partial unique index): replicas racing here insert one.
            _ = try await session.query(
                """
                INSERT INTO jobs (tenant_id, kind, state, run_at, created_at) VALUES ($1, 'retention', 'queued', $2, $2)
                ON CONFLICT (tenant_id) WHERE kind = 'retention' AND state IN ('queued', 'running') DO NOTHING
                """,
                [.text(tenantID), .int(now)]
            )
            // The condition is repeated outside the subquery: a replica that waited for the row's
            // lock sees it taken and claims nothing.
            return try await session.query(
                """
                UPDATE jobs SET state = 'running', lease_owner = $2, lease_until = $3, attempts = attempts + 1
                WHERE id = (SELECT id FROM jobs WHERE tenant_id = $1 AND kind = 'retention' AND state IN ('queued', 'running') AND run_at <= $4
                              AND (state = 'queued' OR lease_until < $4) ORDER BY id LIMIT 1)
                  AND (state = 'queued' OR lease_until < $4)
                RETURNING id
                """,
                [.text(tenantID), .text(token), .int(now + leaseMillis), .int(now)]
            ).first?.int(0).map { RetentionClaim(jobID: $0, leaseToken: token) }
        }
    }

    public func finishRetention(_ claim: RetentionClaim, error: String?, nextRunAt: Int64, now: Int64) async throws {
        try await database.transaction(durable: false) { session in
            // Fenced by the lease: a run that outlived it leaves the next one to whoever took over.
            let finished = try await session.query(
                """
                UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, finished_at = $1, last_error = $2
                WHERE id = $3 AND lease_owner = $4 RETURNING id
                """,
                [.int(now), .optional(error), .int(claim.jobID), .text(claim.leaseToken)]
            )
            guard !finished.isEmpty else { return }
            _ = try await session.query(
                "INSERT INTO jobs (tenant_id, kind, state, run_at, created_at) VALUES ($1, 'retention', 'queued', $2, $3)",
                [.text(tenantID), .int(nextRunAt), .int(now)]
            )
        }
    }

    /// A row as a JSON object; columns holding JSON text are parsed, so the export reads as one document.
    static func jsonRow(_ row: SQLRow, columns: [String], jsonColumns: Set<String>) -> JSONValue {
        var object: [String: JSONValue] = [:]
        for (index, name) in columns.enumerated() where index < row.values.count {
            switch row.values[index] {
            case .int(let number): object[name] = .int(number)
            case .text(let text): object[name] = jsonColumns.contains(name) ? JSONValue.decode(text) ?? .string(text) : .string(text)
            case .null: object[name] = .null
            }
        }
        return .object(object)
    }
}
