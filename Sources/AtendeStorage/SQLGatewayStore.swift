import AtendeCore
import Foundation

/// The gateway's store, written once in SQL that both SQLite and PostgreSQL run, except for the
/// steps of every message, which PostgreSQL runs as single statements (`SQLGatewayStore+Postgres.swift`).
public final class SQLGatewayStore: GatewayStore {
    public let database: any SQLDatabase
    let tenantID: String
    /// How many unanswered messages one turn takes at most; the rest go to the next turn.
    public static let turnMessageLimit = 50
    /// How many earlier messages a turn sees as history.
    static let historyLimit = 20

    public init(database: any SQLDatabase, tenantID: String = "default") {
        self.database = database
        self.tenantID = tenantID
    }

    public func migrate() async throws {
        _ = try await Migrations.apply(to: database, now: SystemTime().nowMillis())
    }

    public func ping() async throws {
        _ = try await database.transaction(durable: false) { try await $0.query("SELECT 1", []) }
    }

    public func close() async throws {
        try await database.close()
    }

    // MARK: Ingest

    public func ingest(_ items: [IngestItem], debounceMillis: Int64) async throws -> [IngestOutcome] {
        guard !items.isEmpty else { return [] }
        if database.dialect == .postgres { return try await ingestInOneStatement(items, debounceMillis: debounceMillis) }
        let tenant = SQLValue.text(tenantID)
        let now = SQLValue.int(items[0].receivedAt)
        // A few statements per batch, whatever its size (see `ingestInOneStatement` for the rules
        // PostgreSQL's single statement follows too).
        return try await database.transaction(durable: true) { session in
            // Contacts, then conversations, are upserted in one global key order, so concurrent
            // batches (from this process or another replica) never lock rows in opposite orders.
            // The same person can arrive by phone or by another platform id (a WhatsApp `…@lid`): an
            // event without a phone whose id is a known contact's alternate id is that contact. Only
            // ids in that address form are looked up, so Telegram's numeric ids cost no query.
            var senderKeys = items.map { ContactKey(channel: $0.channelID, id: $0.event.sender.id) }
            let withoutPhone = Set(items.indices.filter { items[$0].event.sender.phone == nil && senderKeys[$0].id.contains("@") }.map { senderKeys[$0] }).sorted()
            if !withoutPhone.isEmpty {
                var known: [ContactKey: String] = [:]
                for row in try await session.query(
                    """
                    SELECT channel_id, alternate_id, platform_id FROM contacts
                    WHERE tenant_id = $1 AND alternate_id IN (\((0..<withoutPhone.count).map { "$\($0 + 2)" }.joined(separator: ", ")))
                    """,
                    [tenant] + withoutPhone.map { SQLValue.text($0.id) }
                ) {
                    known[ContactKey(channel: row.string(0) ?? "", id: row.string(1) ?? "")] = row.string(2)
                }
                senderKeys = senderKeys.map { key in known[key].map { ContactKey(channel: key.channel, id: $0) } ?? key }
            }
            var names: [ContactKey: String] = [:]
            var alternates: [ContactKey: String] = [:]
            for (item, key) in zip(items, senderKeys) {
                if let name = item.event.sender.name { names[key] = name }
                if let alternate = item.event.sender.alternateID, alternate != key.id { alternates[key] = alternate }
            }
            let contacts = Set(senderKeys).sorted()
            var contactIDs: [ContactKey: Int64] = [:]
            for row in try await session.query(
                """
                INSERT INTO contacts (tenant_id, channel_id, platform_id, display_name, alternate_id, created_at)
                VALUES \(Self.rows(contacts.count, columns: 6))
                ON CONFLICT (tenant_id, channel_id, platform_id)
                DO UPDATE SET display_name = COALESCE(excluded.display_name, contacts.display_name),
                    alternate_id = COALESCE(excluded.alternate_id, contacts.alternate_id)
                RETURNING id, channel_id, platform_id
                """,
                contacts.flatMap { [tenant, .text($0.channel), .text($0.id), .optional(names[$0]), .optional(alternates[$0]), now] }
            ) {
                contactIDs[ContactKey(channel: row.string(1) ?? "", id: row.string(2) ?? "")] = row.int(0)
            }
            var starters: [ContactKey: ContactKey] = [:]
            for (item, key) in zip(items, senderKeys) {
                let chat = ContactKey(channel: item.channelID, id: item.event.conversation)
                if starters[chat] == nil { starters[chat] = key }
            }
            let chats = starters.keys.sorted()
            var conversationIDs: [ContactKey: Int64] = [:]
            for row in try await session.query(
                """
                INSERT INTO conversations (tenant_id, channel_id, platform_chat_id, contact_id, created_at, updated_at)
                VALUES \(Self.rows(chats.count, columns: 6))
                ON CONFLICT (tenant_id, channel_id, platform_chat_id) DO UPDATE SET updated_at = excluded.updated_at
                RETURNING id, channel_id, platform_chat_id
                """,
                try chats.flatMap { chat -> [SQLValue] in
                    guard let contactID = contactIDs[starters[chat]!] else { throw StoreError.unexpected("contact upsert returned no id") }
                    return [tenant, .text(chat.channel), .text(chat.id), .int(contactID), now, now]
                }
            ) {
                conversationIDs[ContactKey(channel: row.string(1) ?? "", id: row.string(2) ?? "")] = row.int(0)
            }
            // Messages in arrival order: their ids are the order a conversation is answered in.
            var binds: [SQLValue] = []
            binds.reserveCapacity(items.count * 16)
            for item in items {
                let event = item.event
                guard let conversationID = conversationIDs[ContactKey(channel: item.channelID, id: event.conversation)] else {
                    throw StoreError.unexpected("conversation upsert returned no id")
                }
                binds += [
                    tenant, .text(item.channelID), .int(conversationID), .text("in"), .text(event.kind.rawValue), .text(event.platformEventID),
                    .text(event.text), .optional(event.choiceID), .optional(event.language), .optional(event.sender.name),
                    .optional(event.acknowledgement.map(Self.encode)), .text(item.traceID), .int(item.receivedAt),
                    // Events no turn looks at are history from the start.
                    event.kind.startsTurn ? .null : .int(item.receivedAt), .optional(Self.details(of: event)), .optional(event.target),
                ]
            }
            var storedIDs: [ContactKey: Int64] = [:]
            for row in try await session.query(
                """
                INSERT INTO messages (tenant_id, channel_id, conversation_id, direction, kind, platform_event_id, text,
                    choice_id, language, sender_name, acknowledgement, trace_id, received_at, handled_at, details, target)
                VALUES \(Self.rows(items.count, columns: 16))
                ON CONFLICT (tenant_id, channel_id, platform_event_id) DO NOTHING
                RETURNING id, channel_id, platform_event_id
                """,
                binds
            ) {
                storedIDs[ContactKey(channel: row.string(1) ?? "", id: row.string(2) ?? "")] = row.int(0)
            }
            // A redelivery, or the same event twice in this batch: only the first is stored.
            var outcomes: [IngestOutcome] = []
            var turns: [Int64: Int64] = [:]
            for item in items {
                let key = ContactKey(channel: item.channelID, id: item.event.platformEventID)
                guard let messageID = storedIDs.removeValue(forKey: key) else {
                    outcomes.append(.duplicate)
                    continue
                }
                let conversationID = conversationIDs[ContactKey(channel: item.channelID, id: item.event.conversation)]!
                if item.event.kind.startsTurn {
                    turns[conversationID] = turns[conversationID] ?? item.receivedAt + debounceMillis
                }
                outcomes.append(.stored(messageID: messageID, conversationID: conversationID))
            }
            if !turns.isEmpty {
                let conversations = turns.keys.sorted()
                _ = try await session.query(
                    """
                    INSERT INTO jobs (tenant_id, kind, conversation_id, state, run_at, created_at)
                    VALUES \(Self.rows(conversations.count, columns: 6))
                    ON CONFLICT (conversation_id) WHERE kind = 'turn' AND state = 'queued' DO NOTHING
                    """,
                    conversations.flatMap { [tenant, .text("turn"), .int($0), .text("queued"), .int(turns[$0]!), now] }
                )
            }
            return outcomes
        }
    }

    /// What an event carries besides its text, as JSON; `nil` when there is nothing.
    static func details(of event: InboundEvent) -> String? {
        var fields: [String: JSONValue] = [:]
        if let status = event.status { fields["status"] = .string(status) }
        if let phone = event.sender.phone { fields["phone"] = .string(phone) }
        if let alternate = event.sender.alternateID { fields["alternate_id"] = .string(alternate) }
        if let media = event.media {
            var object: [String: JSONValue] = ["type": .string(media.type)]
            if let mime = media.mimeType { object["mime_type"] = .string(mime) }
            if let handle = media.handle { object["handle"] = .string(handle) }
            fields["media"] = .object(object)
        }
        return fields.isEmpty ? nil : JSONValue.object(fields).encodedString()
    }

    /// `($1, $2), ($3, $4)` for `count` rows of `columns` values.
    static func rows(_ count: Int, columns: Int) -> String {
        (0..<count).map { row in
            "(" + (1...columns).map { "$\(row * columns + $0)" }.joined(separator: ", ") + ")"
        }.joined(separator: ", ")
    }

    // MARK: Turns

    public func claimTurn(worker: String, now: Int64, leaseMillis: Int64) async throws -> ClaimedTurn? {
        if database.dialect == .postgres { return try await claimTurnInOneStatement(worker: worker, now: now, leaseMillis: leaseMillis) }
        let token = "\(worker)/\(UUID().uuidString)"
        let claimed = try await database.transaction(durable: false) { session -> (claim: ClaimedTurn, memory: String?)? in
            // The oldest due jobs, in index order, whose conversation is free. SQLite has one
            // writer, so nothing takes the conversation between this read and the update below.
            let candidates = try await session.query(
                """
                SELECT j.id, j.attempts, j.conversation_id FROM jobs j
                WHERE j.state IN ('queued', 'running') AND j.kind = 'turn' AND j.run_at <= $1
                  AND (j.state = 'queued' OR j.lease_until < $1)
                  AND EXISTS (SELECT 1 FROM conversations c WHERE c.id = j.conversation_id AND (c.lease_until IS NULL OR c.lease_until < $1))
                ORDER BY j.run_at, j.id
                LIMIT 4
                """,
                [.int(now)]
            )
            let leaseUntil = SQLValue.int(now + leaseMillis)
            for candidate in candidates {
                guard let jobID = candidate.int(0), let conversationID = candidate.int(2) else { continue }
                guard let conversation = try await session.query(
                    """
                    UPDATE conversations SET lease_owner = $1, lease_until = $2
                    WHERE id = $3 AND (lease_until IS NULL OR lease_until < $4)
                    RETURNING channel_id, platform_chat_id, owner, owner_since, owner_until, memory
                    """,
                    [.text(token), leaseUntil, .int(conversationID), .int(now)]
                ).first, let channelID = conversation.string(0), let chatID = conversation.string(1) else { continue }
                _ = try await session.query(
                    "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2, attempts = attempts + 1 WHERE id = $3",
                    [.text(token), leaseUntil, .int(jobID)]
                )
                let messages = try await session.query(
                    """
                    SELECT id, kind, text, choice_id, language, sender_name, acknowledgement, trace_id, received_at, platform_event_id, details, target
                    FROM messages
                    WHERE conversation_id = $1 AND direction = 'in' AND handled_at IS NULL
                    ORDER BY id
                    LIMIT \(Self.turnMessageLimit)
                    """,
                    [.int(conversationID)]
                ).map(Self.storedMessage)
                let history = try await session.query(
                    """
                    SELECT direction, kind, text, received_at, sender_name FROM messages
                    WHERE conversation_id = $1 AND id < $2 AND kind IN ('message', 'choice', 'media', 'human_reply', 'text')
                      AND (direction = 'out' OR handled_at IS NOT NULL)
                    ORDER BY id DESC
                    LIMIT \(Self.historyLimit)
                    """,
                    [.int(conversationID), .int(messages.first?.id ?? Int64.max)]
                )
                let turn = Self.turn(
                    ConversationRef(id: conversationID, channelID: channelID, platformChatID: chatID),
                    ownership: Array(conversation.values[2...4]), messages: messages, newestHistoryFirst: history
                )
                return (ClaimedTurn(jobID: jobID, leaseToken: token, attempts: Int(candidate.int(1) ?? 0) + 1, turn: turn), conversation.string(5))
            }
            return nil
        }
        // Decoded once the connection is free again: nobody waits on it for JSON work.
        guard var claim = claimed?.claim else { return nil }
        if let memory = claimed?.memory.flatMap(Self.decodeMemory) { claim.turn.memory = memory }
        return claim
    }

    public func completeTurn(_ claim: ClaimedTurn, result: TurnResult, now: Int64, leasing: DeliveryLease?) async throws -> CompletedTurn? {
        if database.dialect == .postgres { return try await completeTurnInOneStatement(claim, result: result, now: now, leasing: leasing) }
        let tenant = SQLValue.text(tenantID)
        let conversation = claim.turn.conversation
        let outbox = result.outbox
        // Encoded before the transaction, so the connection is held for SQL only.
        let memoryText = result.memory.map(Self.encodeMemory)
        let traceText = result.trace.map(Self.encodeJSON)
        do {
            return try await database.transaction(durable: false) { session -> CompletedTurn in
                let released = try await session.query(
                    Self.releaseConversation, Self.releaseBinds(claim, result, now: now, memoryText: memoryText)
                )
                guard !released.isEmpty else { throw LeaseLost() }
                if let trace = result.trace, let traceText {
                    _ = try await session.query(
                        """
                        INSERT INTO reply_traces (tenant_id, conversation_id, created_at, agent, decision, trace)
                        VALUES ($1, $2, $3, $4, $5, $6)
                        """,
                        [tenant, .int(conversation.id), .int(now), .optional(trace.agent), .text(trace.decision), .text(traceText)]
                    )
                }
                let handledIDs = claim.turn.messages.map(\.id)
                if !handledIDs.isEmpty {
                    let placeholders = (0..<handledIDs.count).map { "$\($0 + 2)" }.joined(separator: ", ")
                    _ = try await session.query(
                        "UPDATE messages SET handled_at = $1 WHERE id IN (\(placeholders)) AND handled_at IS NULL",
                        [.int(now)] + handledIDs.map { SQLValue.int($0) }
                    )
                }
                // The first entry is leased with the turn when it is next in line: nothing earlier
                // of this conversation is waiting, and its channel is not paused.
                var firstLease: (token: String, until: Int64)?
                if let leasing, let first = outbox.first,
                    !leasing.excludingChannels.contains(first.channelID ?? conversation.channelID),
                    try await session.query(
                        "SELECT 1 FROM outbox WHERE conversation_id = $1 AND state = 'pending' LIMIT 1", [.int(conversation.id)]
                    ).isEmpty
                {
                    firstLease = ("\(leasing.worker)/\(UUID().uuidString)", now + leasing.leaseMillis)
                }
                var leasedDelivery: ClaimedDelivery?
                for (index, draft) in outbox.enumerated() {
                    let channelID = draft.channelID ?? conversation.channelID
                    let lease = index == 0 ? firstLease : nil
                    var messageID = SQLValue.null
                    if let text = draft.replyText {
                        let inserted = try await session.query(
                            """
                            INSERT INTO messages (tenant_id, channel_id, conversation_id, direction, kind, text, trace_id, received_at)
                            VALUES ($1, $2, $3, 'out', 'text', $4, $5, $6) RETURNING id
                            """,
                            [tenant, .text(channelID), .int(conversation.id), .text(text), .text(draft.traceID), .int(now)]
                        )
                        messageID = inserted.first.flatMap { $0.int(0) }.map(SQLValue.int) ?? .null
                    }
                    let inserted = try await session.query(
                        """
                        INSERT INTO outbox (tenant_id, channel_id, conversation_id, message_id, action, payload, state,
                            next_attempt_at, trace_id, created_at, lease_owner, lease_until, attempts)
                        VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $7, $9, $10, $11) RETURNING id
                        """,
                        [
                            tenant, .text(channelID), .int(conversation.id), messageID, .text(draft.action),
                            .text(JSONValue.object(draft.values).encodedString()), .int(now), .text(draft.traceID),
                            .optional(lease?.token), lease.map { .int($0.until) } ?? .null, .int(lease == nil ? 0 : 1),
                        ]
                    )
                    if let lease, let id = inserted.first?.int(0) {
                        leasedDelivery = ClaimedDelivery(
                            id: id, leaseToken: lease.token, channelID: channelID, conversationID: conversation.id,
                            action: draft.action, values: draft.values, attempts: 1, traceID: draft.traceID
                        )
                    }
                }
                _ = try await session.query(
                    "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, finished_at = $1 WHERE id = $2",
                    [.int(now), .int(claim.jobID)]
                )
                // A turn takes at most `turnMessageLimit` messages; the rest need a turn of their own.
                _ = try await session.query(
                    """
                    INSERT INTO jobs (tenant_id, kind, conversation_id, state, run_at, created_at)
                    SELECT $1, 'turn', $2, 'queued', $3, $3
                    WHERE EXISTS (SELECT 1 FROM messages WHERE conversation_id = $2 AND direction = 'in' AND handled_at IS NULL)
                    ON CONFLICT (conversation_id) WHERE kind = 'turn' AND state = 'queued' DO NOTHING
                    """,
                    [tenant, .int(conversation.id), .int(now)]
                )
                return CompletedTurn(leasedDelivery: leasedDelivery)
            }
        } catch is LeaseLost {
            return nil
        }
    }

    public func releaseTurn(_ claim: ClaimedTurn, retryAt: Int64, error: String) async throws {
        let conversationID = SQLValue.int(claim.turn.conversation.id)
        try await database.transaction(durable: false) { session in
            let released = try await session.query(
                "UPDATE conversations SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2 RETURNING id",
                [conversationID, .text(claim.leaseToken)]
            )
            guard !released.isEmpty else { return }
            _ = try await session.query(
                "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, last_error = $1, finished_at = $2 WHERE id = $3",
                [.text(error), .int(SystemTime().nowMillis()), .int(claim.jobID)]
            )
            // The retry joins (or becomes) the conversation's queued turn and keeps the attempt count.
            _ = try await session.query(
                """
                INSERT INTO jobs (tenant_id, kind, conversation_id, state, run_at, attempts, last_error, created_at)
                VALUES ($1, 'turn', $2, 'queued', $3, $4, $5, $3)
                ON CONFLICT (conversation_id) WHERE kind = 'turn' AND state = 'queued'
                DO UPDATE SET run_at = excluded.run_at, attempts = excluded.attempts, last_error = excluded.last_error
                """,
                [.text(tenantID), conversationID, .int(retryAt), .int(Int64(claim.attempts)), .text(error)]
            )
        }
    }

    // MARK: Deliveries

    public func claimDelivery(worker: String, now: Int64, leaseMillis: Int64, excludingChannels: Set<String>) async throws -> ClaimedDelivery? {
        if database.dialect == .postgres {
            return try await claimDeliveryInOneStatement(worker: worker, now: now, leaseMillis: leaseMillis, excludingChannels: excludingChannels)
        }
        let token = "\(worker)/\(UUID().uuidString)"
        let excluded = excludingChannels.sorted()
        let exclusion = excluded.isEmpty ? "" : " AND o.channel_id NOT IN (" + (2...(excluded.count + 1)).map { "$\($0)" }.joined(separator: ", ") + ")"
        return try await database.transaction(durable: false) { session -> ClaimedDelivery? in
            let due = try await session.query(
                """
                SELECT o.id, o.channel_id, o.conversation_id, o.action, o.payload, o.attempts, o.trace_id
                FROM outbox o
                WHERE o.state = 'pending' AND o.next_attempt_at <= $1 AND (o.lease_until IS NULL OR o.lease_until < $1)\(exclusion)
                  AND NOT EXISTS (
                      SELECT 1 FROM outbox earlier
                      WHERE earlier.conversation_id = o.conversation_id AND earlier.state = 'pending' AND earlier.id < o.id)
                ORDER BY o.next_attempt_at, o.id
                LIMIT 1
                """,
                [.int(now)] + excluded.map(SQLValue.text)
            )
            guard let row = due.first, let id = row.int(0), let channelID = row.string(1), let conversationID = row.int(2),
                let action = row.string(3), let payload = row.string(4)
            else { return nil }
            _ = try await session.query(
                "UPDATE outbox SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 WHERE id = $3",
                [.text(token), .int(now + leaseMillis), .int(id)]
            )
            guard case .object(let values) = JSONValue.decode(payload) else {
                // Set aside rather than thrown: a row that can never be sent must not block the queue.
                _ = try await session.query(
                    "UPDATE outbox SET state = 'dead', last_error = 'payload is not a JSON object' WHERE id = $1", [.int(id)]
                )
                return nil
            }
            return ClaimedDelivery(
                id: id, leaseToken: token, channelID: channelID, conversationID: conversationID, action: action, values: values,
                attempts: Int(row.int(5) ?? 0) + 1, traceID: row.string(6) ?? ""
            )
        }
    }

    public func markDelivered(_ delivery: ClaimedDelivery, platformMessageID: String?, now: Int64) async throws {
        // Marked sent even if the lease ran out meanwhile: it was sent, and sending it again is worse.
        // Not a durable commit: a crash of the process keeps it; a power loss right after may not,
        // and then the reply is sent again, which beats waiting for the disk on every delivery.
        _ = try await database.statement(durable: false, MarkDeliveredStatement.self, [.int(now), .optional(platformMessageID), .int(delivery.id)])
    }

    public func markDeliveryFailed(_ delivery: ClaimedDelivery, error: String, retryAt: Int64?, now: Int64) async throws {
        _ = try await database.transaction(durable: false) { session in
            if let retryAt {
                try await session.query(
                    """
                    UPDATE outbox SET next_attempt_at = $1, last_error = $2, lease_owner = NULL, lease_until = NULL
                    WHERE id = $3 AND lease_owner = $4 AND state = 'pending'
                    """,
                    [.int(retryAt), .text(error), .int(delivery.id), .text(delivery.leaseToken)]
                )
            } else {
                try await session.query(
                    """
                    UPDATE outbox SET state = 'dead', last_error = $1, lease_owner = NULL, lease_until = NULL
                    WHERE id = $2 AND lease_owner = $3 AND state = 'pending'
                    """,
                    [.text(error), .int(delivery.id), .text(delivery.leaseToken)]
                )
            }
        }
    }

    public func deferDelivery(_ delivery: ClaimedDelivery, until: Int64) async throws {
        _ = try await database.transaction(durable: false) { session in
            try await session.query(
                """
                UPDATE outbox SET next_attempt_at = $1, attempts = attempts - 1, lease_owner = NULL, lease_until = NULL
                WHERE id = $2 AND lease_owner = $3 AND state = 'pending'
                """,
                [.int(until), .int(delivery.id), .text(delivery.leaseToken)]
            )
        }
    }

    public func choiceID(forToken token: String, mapKey: String, conversationID: Int64) async throws -> String? {
        try await database.transaction(durable: false) { session in
            // The newest entry of this conversation that offered the token; tokens are ASCII without LIKE wildcards.
            try await session.query(
                """
                SELECT payload FROM outbox
                WHERE conversation_id = $1 AND payload LIKE $2
                ORDER BY id DESC LIMIT 1
                """,
                [.int(conversationID), .text("%" + token + "%")]
            ).first?.string(0).flatMap { JSONValue.decode($0)?.value(at: "\(mapKey).\(token)")?.scalarText }
        }
    }

    public func deliveryStatus(channelID: String, platformMessageID: String) async throws -> String? {
        try await database.transaction(durable: false) { session in
            // The rank makes the answer independent of arrival order: a late `sent` never wins over `read`.
            try await session.query(
                """
                SELECT details FROM messages
                WHERE tenant_id = $1 AND channel_id = $2 AND target = $3 AND kind = 'status'
                """,
                [.text(tenantID), .text(channelID), .text(platformMessageID)]
            ).compactMap { row in row.string(0).flatMap { JSONValue.decode($0)?.value(at: "status")?.scalarText } }
                .max { Self.statusRank($0) < Self.statusRank($1) }
        }
    }

    static func statusRank(_ status: String) -> Int {
        ["sent": 1, "delivered": 2, "read": 3, "played": 4, "failed": 5, "deleted": 6][status] ?? 0
    }

    public func deliveries(state: String, limit: Int) async throws -> [DeliveryRecord] {
        try await database.transaction(durable: false) { session in
            try await session.query(
                """
                SELECT id, channel_id, conversation_id, action, state, attempts, last_error FROM outbox
                WHERE state = $1 ORDER BY id LIMIT $2
                """,
                [.text(state), .int(Int64(limit))]
            ).map { row in
                DeliveryRecord(
                    id: row.int(0) ?? 0, channelID: row.string(1) ?? "", conversationID: row.int(2) ?? 0, action: row.string(3) ?? "",
                    state: row.string(4) ?? "", attempts: Int(row.int(5) ?? 0), lastError: row.string(6)
                )
            }
        }
    }

    public func conversation(channelID: String, platformChatID: String) async throws -> ConversationRecord? {
        try await database.transaction(durable: false) { session in
            try await session.query(
                """
                SELECT id, owner, owner_since, owner_until, memory FROM conversations
                WHERE tenant_id = $1 AND channel_id = $2 AND platform_chat_id = $3
                """,
                [.text(tenantID), .text(channelID), .text(platformChatID)]
            ).first.map { row in
                ConversationRecord(
                    id: row.int(0) ?? 0, channelID: channelID, platformChatID: platformChatID,
                    ownership: Ownership(owner: Ownership.Owner(rawValue: row.string(1) ?? "") ?? .bot, since: row.int(2), until: row.int(3)),
                    memory: row.string(4).flatMap(Self.decodeMemory) ?? ConversationMemory()
                )
            }
        }
    }

    public func setOwnership(conversationID: Int64, _ ownership: Ownership) async throws -> Bool {
        try await database.transaction(durable: true) { session in
            !(try await session.query(
                "UPDATE conversations SET owner = $1, owner_since = $2, owner_until = $3 WHERE id = $4 AND tenant_id = $5 RETURNING id",
                [
                    .text(ownership.owner.rawValue), ownership.since.map(SQLValue.int) ?? .null, ownership.until.map(SQLValue.int) ?? .null,
                    .int(conversationID), .text(tenantID),
                ]
            )).isEmpty
        }
    }

    public func traces(conversationID: Int64, limit: Int) async throws -> [TraceRecord] {
        try await database.transaction(durable: false) { session in
            try await session.query(
                "SELECT created_at, trace FROM reply_traces WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2",
                [.int(conversationID), .int(Int64(limit))]
            ).reversed().compactMap { row in
                guard let text = row.string(1), let trace = try? JSONDecoder().decode(ReplyTrace.self, from: Data(text.utf8)) else { return nil }
                return TraceRecord(conversationID: conversationID, createdAt: row.int(0) ?? 0, trace: trace)
            }
        }
    }

    public func replayDelivery(id: Int64, now: Int64) async throws -> Bool {
        try await database.transaction(durable: true) { session in
            !(try await session.query(
                """
                UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $1, last_error = NULL
                WHERE id = $2 AND state = 'dead' RETURNING id
                """,
                [.int(now), .int(id)]
            )).isEmpty
        }
    }

    public func releaseAllLeases() async throws {
        try await database.transaction(durable: false) { session in
            _ = try await session.query("UPDATE conversations SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL", [])
            // A conversation's queued turn inherits the tries of its running one, which it replaces
            // below: a turn that takes the process down must not start counting again at each start.
            _ = try await session.query(
                """
                UPDATE jobs SET attempts = (
                    SELECT MAX(running.attempts) FROM jobs running
                    WHERE running.conversation_id = jobs.conversation_id AND running.kind = 'turn' AND running.state = 'running')
                WHERE kind = 'turn' AND state = 'queued' AND attempts < (
                    SELECT COALESCE(MAX(running.attempts), 0) FROM jobs running
                    WHERE running.conversation_id = jobs.conversation_id AND running.kind = 'turn' AND running.state = 'running')
                """,
                []
            )
            // A dead worker's turn runs again, unless the conversation already has a queued one.
            _ = try await session.query(
                """
                UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL
                WHERE state = 'running' AND (kind <> 'turn' OR NOT EXISTS (
                    SELECT 1 FROM jobs queued
                    WHERE queued.conversation_id = jobs.conversation_id AND queued.kind = 'turn' AND queued.state = 'queued'))
                """,
                []
            )
            _ = try await session.query(
                "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, last_error = 'worker died' WHERE state = 'running'", []
            )
            _ = try await session.query("UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE state = 'pending' AND lease_owner IS NOT NULL", [])
        }
    }

    public func counts() async throws -> StoreCounts {
        try await database.transaction(durable: false) { session in
            let row = try await session.query(
                """
                SELECT
                  (SELECT COUNT(*) FROM messages WHERE direction = 'in'),
                  (SELECT COUNT(*) FROM messages WHERE direction = 'in' AND handled_at IS NULL),
                  (SELECT COUNT(*) FROM messages WHERE direction = 'out'),
                  (SELECT COUNT(*) FROM jobs WHERE kind = 'turn' AND state IN ('queued', 'running')),
                  (SELECT COUNT(*) FROM outbox WHERE state = 'pending'),
                  (SELECT COUNT(*) FROM outbox WHERE state = 'sent'),
                  (SELECT COUNT(*) FROM outbox WHERE state = 'dead'),
                  (SELECT COUNT(*) FROM contacts),
                  (SELECT COUNT(*) FROM jobs WHERE kind = 'turn' AND state = 'dead')
                """,
                []
            ).first
            func count(_ index: Int) -> Int { Int(row?.int(index) ?? 0) }
            return StoreCounts(
                inboundMessages: count(0), unhandledMessages: count(1), outboundMessages: count(2), queuedTurns: count(3),
                pendingDeliveries: count(4), sentDeliveries: count(5), deadDeliveries: count(6), contacts: count(7), deadTurns: count(8)
            )
        }
    }

    // MARK: Rows

    static func storedMessage(_ row: SQLRow) -> StoredMessage {
        StoredMessage(
            id: row.int(0) ?? 0,
            kind: InboundEvent.Kind(rawValue: row.string(1) ?? "") ?? .message,
            text: row.string(2) ?? "",
            choiceID: row.string(3),
            language: row.string(4),
            senderName: row.string(5),
            acknowledgement: row.string(6).flatMap { try? JSONDecoder().decode(Acknowledgement.self, from: Data($0.utf8)) },
            traceID: row.string(7) ?? "",
            receivedAt: row.int(8) ?? 0,
            platformEventID: row.string(9),
            status: row.string(10).flatMap { JSONValue.decode($0)?.value(at: "status")?.scalarText },
            target: row.string(11)
        )
    }

    static func encode(_ acknowledgement: Acknowledgement) -> String {
        encodeJSON(acknowledgement)
    }

    static func encodeJSON(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    static func encodeMemory(_ memory: ConversationMemory) -> String {
        encodeJSON(memory)
    }

    static func decodeMemory(_ text: String) -> ConversationMemory? {
        try? JSONDecoder().decode(ConversationMemory.self, from: Data(text.utf8))
    }

    /// Ends a turn's lease on its conversation, if still held; memory and owner change only when
    /// the turn says so (`$4`, `$5` null: unchanged). Bound with ``releaseBinds(_:_:now:memoryText:)``.
    static let releaseConversation = """
        UPDATE conversations SET lease_owner = NULL, lease_until = NULL, updated_at = $1,
            memory = COALESCE($4, memory),
            owner = COALESCE($5, owner),
            owner_since = CASE WHEN $5 IS NULL THEN owner_since ELSE $6 END,
            owner_until = CASE WHEN $5 IS NULL THEN owner_until ELSE $7 END
        WHERE id = $2 AND lease_owner = $3 RETURNING id
        """

    /// `$1`–`$7` of ``releaseConversation``.
    static func releaseBinds(_ claim: ClaimedTurn, _ result: TurnResult, now: Int64, memoryText: String?) -> [SQLValue] {
        let ownership = result.ownership
        return [
            .int(now), .int(claim.turn.conversation.id), .text(claim.leaseToken), .optional(memoryText),
            .optional(ownership?.owner.rawValue), ownership?.since.map(SQLValue.int) ?? .null, ownership?.until.map(SQLValue.int) ?? .null,
        ]
    }

    /// The turn a claim hands out; `ownership` is the conversation's owner, owner_since and
    /// owner_until, `newestHistoryFirst` rows of direction, kind, text, received_at, sender_name.
    static func turn(_ conversation: ConversationRef, ownership: [SQLValue], messages: [StoredMessage], newestHistoryFirst history: [SQLRow]) -> Turn {
        let owner = SQLRow(values: ownership)
        return Turn(
            conversation: conversation,
            messages: messages,
            ownership: Ownership(owner: Ownership.Owner(rawValue: owner.string(0) ?? "") ?? .bot, since: owner.int(1), until: owner.int(2)),
            memory: ConversationMemory(),
            history: history.reversed().map(Self.historyLine),
            contactName: messages.last(where: { $0.kind.isAnswered })?.senderName
                ?? history.first(where: { $0.string(0) == "in" && $0.string(1) != "human_reply" })?.string(4)
        )
    }

    /// A history row: direction, kind, text, received_at.
    static func historyLine(_ row: SQLRow) -> HistoryLine {
        let author: HistoryLine.Author = row.string(0) == "out" ? .bot : (row.string(1) == "human_reply" ? .human : .contact)
        return HistoryLine(author: author, text: row.string(2) ?? "", at: row.int(3) ?? 0)
    }
}

/// `$1` now, `$2` the platform's message id, `$3` the outbox entry.
enum MarkDeliveredStatement: FrequentStatement {
    static let sql = """
        UPDATE outbox SET state = 'sent', sent_at = $1, platform_message_id = $2, lease_owner = NULL, lease_until = NULL,
            last_error = NULL
        WHERE id = $3 AND state = 'pending'
        """
}

/// A platform-side id within a channel: a contact (sender id) or a conversation (chat id).
struct ContactKey: Hashable, Comparable {
    var channel: String
    var id: String

    static func < (lhs: ContactKey, rhs: ContactKey) -> Bool {
        (lhs.channel, lhs.id) < (rhs.channel, rhs.id)
    }
}

/// Thrown inside a transaction to roll it back when another worker took the conversation over.
struct LeaseLost: Error {}

public enum StoreError: Error, CustomStringConvertible {
    case unexpected(String)

    public var description: String {
        switch self {
        case .unexpected(let message): return "store: \(message)"
        }
    }
}
