import AtendeCore
import Foundation

/// PostgreSQL's hot paths, each one statement: over a network every statement is a round trip,
/// parsed, planned and answered, and on this path that is most of the cost of a message. SQLite, in process, runs the step-by-step transactions in
/// `SQLGatewayStore.swift`, which say the same rules; the conformance suite holds both to them.
///
/// Inside one statement every part sees the same snapshot, and a part sees another's rows only
/// through its `RETURNING`; the statements below are written around that. Rows of a part are
/// looked up with `= (SELECT id FROM part)`, a value the planner can seek an index with; a join
/// with the part let it scan messages in id order instead (a whole index per turn).
extension SQLGatewayStore {
    /// PostgreSQL's ingest: a batch is one statement, so one round trip and its commit, whatever
    /// its size. It does what the SQLite transaction in `ingest` does, in the same order:
    /// - a sender without a phone whose id (`…@lid`) is a known contact's alternate id is that contact;
    /// - contacts, then conversations (started by their first sender), are upserted in one global
    ///   key order, so concurrent batches never lock rows in opposite orders;
    /// - messages are inserted in arrival order (their ids are the order a conversation is
    ///   answered in); a redelivery, or the same event twice in the batch, is stored once;
    /// - each conversation with a new message that starts a turn gets its queued turn.
    /// The batch travels as one JSON parameter, so the statement's text never changes with its size.
    func ingestInOneStatement(_ items: [IngestItem], debounceMillis: Int64) async throws -> [IngestOutcome] {
        let rows = items.enumerated().map { index, item -> JSONValue in
            let event = item.event
            func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
            return .object([
                "i": .int(Int64(index)), "channel": .string(item.channelID), "sender": .string(event.sender.id),
                "lookup": .bool(event.sender.phone == nil && event.sender.id.contains("@")),
                "name": text(event.sender.name), "alternate": text(event.sender.alternateID), "chat": .string(event.conversation),
                "kind": .string(event.kind.rawValue), "event_id": .string(event.platformEventID), "text": .string(event.text),
                "choice": text(event.choiceID), "language": text(event.language),
                "acknowledgement": text(event.acknowledgement.map(Self.encode)), "trace": .string(item.traceID),
                "received": .int(item.receivedAt), "details": text(Self.details(of: event)), "target": text(event.target),
                // Events no turn looks at are history from the start.
                "starts": .bool(event.kind.startsTurn), "run_at": .int(item.receivedAt + debounceMillis),
            ])
        }
        let stored = try await database.statement(
            durable: true,
            IngestBatchStatement.self,
            [.text(JSONValue.array(rows).encodedString()), .text(tenantID), .int(items[0].receivedAt)]
        )
        var storedByEvent: [ContactKey: (messageID: Int64, conversationID: Int64)] = [:]
        for row in stored {
            guard let messageID = row.int(0), let conversationID = row.int(3) else { continue }
            storedByEvent[ContactKey(channel: row.string(1) ?? "", id: row.string(2) ?? "")] = (messageID, conversationID)
        }
        // A redelivery, or the same event twice in this batch: only the first is stored.
        return items.map { item in
            guard let stored = storedByEvent.removeValue(forKey: ContactKey(channel: item.channelID, id: item.event.platformEventID)) else {
                return .duplicate
            }
            return .stored(messageID: stored.messageID, conversationID: stored.conversationID)
        }
    }

    /// The oldest due turn whose conversation is free, leased with its conversation, with its
    /// messages and history. A candidate whose conversation another worker took meanwhile is
    /// skipped for the next.
    func claimTurnInOneStatement(worker: String, now: Int64, leaseMillis: Int64) async throws -> ClaimedTurn? {
        for _ in 0..<4 {
            let token = "\(worker)/\(UUID().uuidString)"
            // Only the job is locked by the candidate search: joining and locking conversations
            // made PostgreSQL sort every open job. The conversation is then taken only if still
            // free; PostgreSQL re-checks that after waiting for a concurrent claim of it.
            let row = try await database.claim(ClaimTurnStatement.self, [.int(now), .text(token), .int(now + leaseMillis), .int(Int64.max)]).first
            guard let row else { return nil }
            guard let jobID = row.int(0), let conversationID = row.int(2), let channelID = row.string(3), let chatID = row.string(4) else {
                continue
            }
            let messages = Self.jsonRows(row.string(9)).map(Self.storedMessage)
            var turn = Self.turn(
                ConversationRef(id: conversationID, channelID: channelID, platformChatID: chatID),
                ownership: Array(row.values[5...7]), messages: messages, newestHistoryFirst: Self.jsonRows(row.string(10))
            )
            if let memory = row.string(8).flatMap(Self.decodeMemory) { turn.memory = memory }
            return ClaimedTurn(jobID: jobID, leaseToken: token, attempts: Int(row.int(1) ?? 0) + 1, turn: turn)
        }
        return nil
    }

    /// The next due outbox entry that is first in line in its conversation, leased.
    func claimDeliveryInOneStatement(worker: String, now: Int64, leaseMillis: Int64, excludingChannels: Set<String>) async throws -> ClaimedDelivery? {
        let token = "\(worker)/\(UUID().uuidString)"
        let excluded = JSONValue.array(excludingChannels.sorted().map(JSONValue.string)).encodedString()
        guard let row = try await database.claim(ClaimDeliveryStatement.self, [.int(now), .text(excluded), .text(token), .int(now + leaseMillis)]).first, let id = row.int(0), let channelID = row.string(1), let conversationID = row.int(2),
            let action = row.string(3), let payload = row.string(4)
        else { return nil }
        guard case .object(let values) = JSONValue.decode(payload) else {
            // Set aside rather than thrown: a row that can never be sent must not block the queue.
            _ = try await database.statement(
                durable: false, "UPDATE outbox SET state = 'dead', last_error = 'payload is not a JSON object' WHERE id = $1", [.int(id)]
            )
            return nil
        }
        return ClaimedDelivery(
            id: id, leaseToken: token, channelID: channelID, conversationID: conversationID, action: action, values: values,
            attempts: Int(row.int(5) ?? 0), traceID: row.string(6) ?? ""
        )
    }

    /// Rows sent as a JSON array of arrays (`json_agg(json_build_array(…))`); `nil` is none.
    /// The columns are integers, text and nulls, as the SQL builds them.
    static func jsonRows(_ text: String?) -> [SQLRow] {
        guard let text, case .array(let rows) = JSONValue.decode(text) else { return [] }
        return rows.compactMap { row in
            guard case .array(let cells) = row else { return nil }
            return SQLRow(values: cells.map { cell in
                switch cell {
                case .int(let number): return .int(number)
                case .string(let text): return .text(text)
                case .bool(let flag): return .int(flag ? 1 : 0)
                case .double, .null, .array, .object: return .null
                }
            })
        }
    }

    /// Ends a turn: releases its conversation (unless another worker took it over: then nothing
    /// is written and the result is `nil`), marks its messages handled, queues its replies (the
    /// first leased to the caller when nothing earlier of the conversation is waiting), and
    /// queues a turn for messages beyond this one's limit.
    func completeTurnInOneStatement(_ claim: ClaimedTurn, result: TurnResult, now: Int64, leasing: DeliveryLease?) async throws -> CompletedTurn? {
        let conversation = claim.turn.conversation
        let outbox = result.outbox
        var firstLease: (token: String, until: Int64)?
        if let leasing, let first = outbox.first, !leasing.excludingChannels.contains(first.channelID ?? conversation.channelID) {
            firstLease = ("\(leasing.worker)/\(UUID().uuidString)", now + leasing.leaseMillis)
        }
        let drafts = outbox.enumerated().map { index, draft -> JSONValue in
            .object([
                "i": .int(Int64(index)), "channel": .string(draft.channelID ?? conversation.channelID), "action": .string(draft.action),
                "payload": .string(JSONValue.object(draft.values).encodedString()), "text": draft.replyText.map(JSONValue.string) ?? .null,
                "trace": .string(draft.traceID),
            ])
        }
        let rows = try await database.statement(
            durable: false,
            CompleteTurnStatement.self,
            Self.releaseBinds(claim, result, now: now, memoryText: result.memory.map(Self.encodeMemory)) + [
                .text(tenantID), .optional(result.trace.map(Self.encodeJSON)), .optional(result.trace?.agent), .optional(result.trace?.decision),
                .text("{" + claim.turn.messages.map { String($0.id) }.joined(separator: ",") + "}"), .text(JSONValue.array(drafts).encodedString()),
                .optional(firstLease?.token), firstLease.map { .int($0.until) } ?? .null, .int(claim.jobID),
            ]
        )
        // No row: the lease was lost and nothing was written.
        guard !rows.isEmpty else { return nil }
        guard let firstLease, let first = outbox.first,
            let id = rows.first(where: { $0.string(2) == firstLease.token })?.int(1)
        else { return CompletedTurn(leasedDelivery: nil) }
        return CompletedTurn(leasedDelivery: ClaimedDelivery(
            id: id, leaseToken: firstLease.token, channelID: first.channelID ?? conversation.channelID, conversationID: conversation.id,
            action: first.action, values: first.values, attempts: 1, traceID: first.traceID
        ))
    }
}

/// See `ingestInOneStatement`: `$1` the batch as JSON, `$2` the tenant, `$3` now.
enum IngestBatchStatement: FrequentStatement {
    static let sql = """
        WITH input AS (
            SELECT x.*, CASE WHEN x.lookup THEN COALESCE((
                    SELECT c.platform_id FROM contacts c
                    WHERE c.tenant_id = $2 AND c.channel_id = x.channel AND c.alternate_id = x.sender
                    ORDER BY c.id LIMIT 1), x.sender)
                ELSE x.sender END AS contact
            FROM json_to_recordset($1::json) AS x(
                i int, channel text, sender text, lookup bool, name text, alternate text, chat text, kind text,
                event_id text, text text, choice text, language text, acknowledgement text, trace text,
                received bigint, details text, target text, starts bool, run_at bigint)
        ),
        contact_rows AS (
            SELECT channel, contact,
                (array_agg(name ORDER BY i DESC) FILTER (WHERE name IS NOT NULL))[1] AS name,
                (array_agg(alternate ORDER BY i DESC) FILTER (WHERE alternate IS NOT NULL AND alternate <> contact))[1] AS alternate
            FROM input GROUP BY channel, contact
        ),
        contacts_upserted AS (
            INSERT INTO contacts (tenant_id, channel_id, platform_id, display_name, alternate_id, created_at)
            SELECT $2, channel, contact, name, alternate, $3 FROM contact_rows ORDER BY channel, contact
            ON CONFLICT (tenant_id, channel_id, platform_id)
            DO UPDATE SET display_name = COALESCE(excluded.display_name, contacts.display_name),
                alternate_id = COALESCE(excluded.alternate_id, contacts.alternate_id)
            RETURNING id, channel_id, platform_id
        ),
        conversations_upserted AS (
            INSERT INTO conversations (tenant_id, channel_id, platform_chat_id, contact_id, created_at, updated_at)
            SELECT $2, starter.channel, starter.chat, c.id, $3, $3
            FROM (SELECT DISTINCT ON (channel, chat) channel, chat, contact FROM input ORDER BY channel, chat, i) starter
            JOIN contacts_upserted c ON c.channel_id = starter.channel AND c.platform_id = starter.contact
            ORDER BY starter.channel, starter.chat
            ON CONFLICT (tenant_id, channel_id, platform_chat_id) DO UPDATE SET updated_at = excluded.updated_at
            RETURNING id, channel_id, platform_chat_id
        ),
        messages_inserted AS (
            INSERT INTO messages (tenant_id, channel_id, conversation_id, direction, kind, platform_event_id, text,
                choice_id, language, sender_name, acknowledgement, trace_id, received_at, handled_at, details, target)
            SELECT $2, x.channel, v.id, 'in', x.kind, x.event_id, x.text, x.choice, x.language, x.name,
                x.acknowledgement, x.trace, x.received, CASE WHEN x.starts THEN NULL ELSE x.received END, x.details, x.target
            FROM input x JOIN conversations_upserted v ON v.channel_id = x.channel AND v.platform_chat_id = x.chat
            ORDER BY x.i
            ON CONFLICT (tenant_id, channel_id, platform_event_id) DO NOTHING
            RETURNING id, channel_id, platform_event_id, conversation_id
        ),
        turns_queued AS (
            INSERT INTO jobs (tenant_id, kind, conversation_id, state, run_at, created_at)
            SELECT $2, 'turn', m.conversation_id, 'queued', min(x.run_at), $3
            FROM messages_inserted m JOIN input x ON x.channel = m.channel_id AND x.event_id = m.platform_event_id
            WHERE x.starts
            GROUP BY m.conversation_id ORDER BY m.conversation_id
            ON CONFLICT (conversation_id) WHERE kind = 'turn' AND state = 'queued' DO NOTHING
        )
        SELECT id, channel_id, platform_event_id, conversation_id FROM messages_inserted
        """
}

/// See `claimTurnInOneStatement`: `$1` now, `$2` the lease token, `$3` its end, `$4` the largest id.
public enum ClaimTurnStatement: FrequentStatement {
    public static let sql = """
        WITH candidate AS (
            SELECT j.id, j.attempts, j.conversation_id FROM jobs j
            WHERE j.state IN ('queued', 'running') AND j.kind = 'turn' AND j.run_at <= $1
              AND (j.state = 'queued' OR j.lease_until < $1)
              AND EXISTS (SELECT 1 FROM conversations c WHERE c.id = j.conversation_id AND (c.lease_until IS NULL OR c.lease_until < $1))
            ORDER BY j.run_at, j.id
            LIMIT 1 FOR UPDATE OF j SKIP LOCKED
        ),
        leased AS (
            UPDATE conversations c SET lease_owner = $2, lease_until = $3
            FROM candidate WHERE c.id = candidate.conversation_id AND (c.lease_until IS NULL OR c.lease_until < $1)
            RETURNING c.id, c.channel_id, c.platform_chat_id, c.owner, c.owner_since, c.owner_until, c.memory
        ),
        started AS (
            UPDATE jobs j SET state = 'running', lease_owner = $2, lease_until = $3, attempts = j.attempts + 1
            FROM leased, candidate WHERE j.id = candidate.id
        ),
        unhandled AS (
            SELECT m.id, m.kind, m.text, m.choice_id, m.language, m.sender_name, m.acknowledgement, m.trace_id,
                m.received_at, m.platform_event_id, m.details, m.target
            FROM messages m
            WHERE m.conversation_id = (SELECT id FROM leased) AND m.direction = 'in' AND m.handled_at IS NULL
            ORDER BY m.id
            LIMIT \(SQLGatewayStore.turnMessageLimit)
        )
        SELECT candidate.id, candidate.attempts, leased.id, leased.channel_id, leased.platform_chat_id,
            leased.owner, leased.owner_since, leased.owner_until, leased.memory,
            (SELECT json_agg(json_build_array(u.id, u.kind, u.text, u.choice_id, u.language, u.sender_name,
                u.acknowledgement, u.trace_id, u.received_at, u.platform_event_id, u.details, u.target) ORDER BY u.id)
             FROM unhandled u),
            (SELECT json_agg(json_build_array(h.direction, h.kind, h.text, h.received_at, h.sender_name) ORDER BY h.id DESC)
             FROM (SELECT id, direction, kind, text, received_at, sender_name FROM messages
                   WHERE conversation_id = (SELECT id FROM leased) AND id < COALESCE((SELECT min(id) FROM unhandled), $4)
                     AND kind IN ('message', 'choice', 'media', 'human_reply', 'text')
                     AND (direction = 'out' OR handled_at IS NOT NULL)
                   ORDER BY id DESC
                   LIMIT \(SQLGatewayStore.historyLimit)) h)
        FROM candidate LEFT JOIN leased ON true
        """
}

/// See `completeTurnInOneStatement` for its parameters, bound there in order.
enum CompleteTurnStatement: FrequentStatement {
    static let sql = """
        WITH released AS (
            \(SQLGatewayStore.releaseConversation)
        ),
        traced AS (
            INSERT INTO reply_traces (tenant_id, conversation_id, created_at, agent, decision, trace)
            SELECT $8, $2, $1, $10, $11, $9 FROM released WHERE $9::text IS NOT NULL
        ),
        handled AS (
            -- Found through the conversation: a plan made for any value of `$12` (PostgreSQL makes
            -- one after five runs of a prepared statement) cannot tell how many ids it holds.
            UPDATE messages SET handled_at = $1
            WHERE conversation_id = $2 AND direction = 'in' AND handled_at IS NULL AND id = ANY($12::bigint[])
              AND EXISTS (SELECT 1 FROM released)
        ),
        drafts AS MATERIALIZED (
            -- Reply ids are taken here so that each outbox entry can point at its message.
            SELECT d.*, CASE WHEN d.text IS NOT NULL THEN nextval(pg_get_serial_sequence('messages', 'id')) END AS message_id,
                CASE WHEN d.i = 0 AND $14::text IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM outbox WHERE conversation_id = $2 AND state = 'pending') THEN $14::text END AS lease_owner
            FROM json_to_recordset($13::json) AS d(i int, channel text, action text, payload text, text text, trace text)
            WHERE EXISTS (SELECT 1 FROM released)
        ),
        replies AS (
            INSERT INTO messages (id, tenant_id, channel_id, conversation_id, direction, kind, text, trace_id, received_at)
            OVERRIDING SYSTEM VALUE
            SELECT message_id, $8, channel, $2, 'out', 'text', text, trace, $1 FROM drafts WHERE text IS NOT NULL ORDER BY i
        ),
        queued AS (
            INSERT INTO outbox (tenant_id, channel_id, conversation_id, message_id, action, payload, state,
                next_attempt_at, trace_id, created_at, lease_owner, lease_until, attempts)
            SELECT $8, channel, $2, message_id, action, payload, 'pending', $1, trace, $1,
                lease_owner, CASE WHEN lease_owner IS NULL THEN NULL ELSE $15::bigint END, CASE WHEN lease_owner IS NULL THEN 0 ELSE 1 END
            FROM drafts ORDER BY i
            RETURNING id, lease_owner
        ),
        finished AS (
            UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, finished_at = $1
            WHERE id = $16 AND EXISTS (SELECT 1 FROM released)
        ),
        requeued AS (
            -- Messages this turn did not take need a turn of their own: those beyond its limit,
            -- and any committed just after its claim read (a statement reads as of its start).
            INSERT INTO jobs (tenant_id, kind, conversation_id, state, run_at, created_at)
            SELECT $8, 'turn', $2, 'queued', $1, $1 FROM released
            WHERE EXISTS (
                SELECT 1 FROM messages WHERE conversation_id = $2 AND direction = 'in' AND handled_at IS NULL
                  AND id <> ALL($12::bigint[]))
            ON CONFLICT (conversation_id) WHERE kind = 'turn' AND state = 'queued' DO NOTHING
        )
        SELECT released.id, queued.id, queued.lease_owner FROM released LEFT JOIN queued ON true
        """
}

/// See `claimDeliveryInOneStatement`: `$1` now, `$2` the excluded channels as a JSON array,
/// `$3` the lease token, `$4` its end.
public enum ClaimDeliveryStatement: FrequentStatement {
    public static let sql = """
        WITH due AS (
            SELECT o.id FROM outbox o
            WHERE o.state = 'pending' AND o.next_attempt_at <= $1 AND (o.lease_until IS NULL OR o.lease_until < $1)
              AND o.channel_id NOT IN (SELECT json_array_elements_text($2::json))
              AND NOT EXISTS (
                  SELECT 1 FROM outbox earlier
                  WHERE earlier.conversation_id = o.conversation_id AND earlier.state = 'pending' AND earlier.id < o.id)
            ORDER BY o.next_attempt_at, o.id
            LIMIT 1 FOR UPDATE OF o SKIP LOCKED
        )
        UPDATE outbox SET lease_owner = $3, lease_until = $4, attempts = outbox.attempts + 1
        FROM due WHERE outbox.id = due.id
        RETURNING outbox.id, outbox.channel_id, outbox.conversation_id, outbox.action, outbox.payload, outbox.attempts, outbox.trace_id
        """
}
