import AtendeCore

/// Turns that keep failing leave the queue as `dead` jobs, with their reason and the messages
/// they were answering, until an admin replays them; a slow turn keeps its lease meanwhile.
/// Rare, so plain statements on both engines.
extension SQLGatewayStore {
    public func renewTurnLease(_ claim: ClaimedTurn, until: Int64) async throws -> Bool {
        try await database.transaction(durable: false) { session in
            let renewed = try await session.query(
                "UPDATE conversations SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 RETURNING id",
                [.int(until), .int(claim.turn.conversation.id), .text(claim.leaseToken)]
            )
            guard !renewed.isEmpty else { return false }
            _ = try await session.query("UPDATE jobs SET lease_until = $1 WHERE id = $2 AND lease_owner = $3", [.int(until), .int(claim.jobID), .text(claim.leaseToken)])
            return true
        }
    }

    public func parkTurn(_ claim: ClaimedTurn, reason: String, now: Int64) async throws -> Bool {
        let messageIDs = claim.turn.messages.map(\.id)
        let payload = JSONValue.object(["messages": .array(messageIDs.map { .int($0) })]).encodedString()
        return try await database.transaction(durable: true) { session in
            let released = try await session.query(
                "UPDATE conversations SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2 RETURNING id",
                [.int(claim.turn.conversation.id), .text(claim.leaseToken)]
            )
            guard !released.isEmpty else { return false }
            _ = try await session.query(
                """
                UPDATE jobs SET state = 'dead', lease_owner = NULL, lease_until = NULL, last_error = $1, finished_at = $2, payload = $3,
                  attempts = $4
                WHERE id = $5
                """,
                [.text(reason), .int(now), .text(payload), .int(Int64(claim.attempts)), .int(claim.jobID)]
            )
            if !messageIDs.isEmpty {
                _ = try await session.query(
                    "UPDATE messages SET handled_at = $1 WHERE conversation_id = $2 AND id IN (\(Self.placeholders(messageIDs.count, from: 3)))",
                    [.int(now), .int(claim.turn.conversation.id)] + messageIDs.map(SQLValue.int)
                )
            }
            // The turn took at most `turnMessageLimit` messages; the rest get a turn of their own.
            _ = try await session.query(
                """
                INSERT INTO jobs (tenant_id, kind, conversation_id, state, run_at, created_at)
                SELECT $1, 'turn', $2, 'queued', $3, $3
                WHERE EXISTS (SELECT 1 FROM messages WHERE conversation_id = $2 AND direction = 'in' AND handled_at IS NULL)
                ON CONFLICT (conversation_id) WHERE kind = 'turn' AND state = 'queued' DO NOTHING
                """,
                [.text(tenantID), .int(claim.turn.conversation.id), .int(now)]
            )
            return true
        }
    }

    public func turnJobs(state: String, limit: Int) async throws -> [TurnJobRecord] {
        try await database.transaction(durable: false) { session in
            try await session.query(
                """
                SELECT j.id, j.conversation_id, c.channel_id, j.state, j.attempts, j.last_error, j.payload, j.finished_at
                FROM jobs j JOIN conversations c ON c.id = j.conversation_id
                WHERE j.kind = 'turn' AND j.state = $1 AND j.tenant_id = $2
                ORDER BY j.id LIMIT $3
                """,
                [.text(state), .text(tenantID), .int(Int64(max(0, limit)))]
            ).map { row in
                TurnJobRecord(
                    id: row.int(0) ?? 0, conversationID: row.int(1) ?? 0, channelID: row.string(2) ?? "", state: row.string(3) ?? "",
                    attempts: Int(row.int(4) ?? 0), lastError: row.string(5), messageIDs: Self.parkedMessageIDs(row.string(6)), finishedAt: row.int(7)
                )
            }
        }
    }

    public func replayTurn(id: Int64, now: Int64) async throws -> Bool {
        try await database.transaction(durable: true) { session in
            guard let row = try await session.query(
                "UPDATE jobs SET state = 'done', last_error = 'replayed: ' || COALESCE(last_error, '') WHERE id = $1 AND kind = 'turn' AND state = 'dead' AND tenant_id = $2 RETURNING conversation_id, payload",
                [.int(id), .text(tenantID)]
            ).first, let conversationID = row.int(0) else { return false }
            let messageIDs = Self.parkedMessageIDs(row.string(1))
            if !messageIDs.isEmpty {
                _ = try await session.query(
                    "UPDATE messages SET handled_at = NULL WHERE conversation_id = $1 AND id IN (\(Self.placeholders(messageIDs.count, from: 2)))",
                    [.int(conversationID)] + messageIDs.map(SQLValue.int)
                )
            }
            // Joins the conversation's queued turn if it has one; a fresh count of attempts either way.
            _ = try await session.query(
                """
                INSERT INTO jobs (tenant_id, kind, conversation_id, state, run_at, attempts, created_at)
                VALUES ($1, 'turn', $2, 'queued', $3, 0, $3)
                ON CONFLICT (conversation_id) WHERE kind = 'turn' AND state = 'queued'
                DO UPDATE SET run_at = excluded.run_at, attempts = 0
                """,
                [.text(tenantID), .int(conversationID), .int(now)]
            )
            return true
        }
    }

    static func parkedMessageIDs(_ payload: String?) -> [Int64] {
        guard case .array(let ids)? = payload.flatMap(JSONValue.decode)?.value(at: "messages") else { return [] }
        return ids.compactMap { $0.scalarText.flatMap { Int64($0) } }
    }

    /// `$from, $from+1, …` for `count` values.
    static func placeholders(_ count: Int, from first: Int) -> String {
        (0..<count).map { "$\($0 + first)" }.joined(separator: ", ")
    }
}
