import AtendeCore
import Foundation

/// Bookings, holds, reminders and calendar writes.
///
/// Every change that could overbook runs under one lock per tenant's calendar: PostgreSQL takes a
/// transaction-scoped advisory lock (so replicas queue behind each other), SQLite's single writer
/// already excludes others. Inside it, the check and the write see the same rows: a slot is full
/// or it is taken, never both.
extension SQLGatewayStore: BookingStore {
    static let bookingColumns = """
        b.id, b.conversation_id, b.service, b.starts_at, b.ends_at, b.status, b.hold_until, b.contact_name, b.email, b.token,
        b.replaces, b.contact_confirmed_at, b.created_at, b.updated_at, c.channel_id, c.platform_chat_id
        """

    public func hold(_ claims: [SlotClaim], until: Int64, now: Int64) async throws -> [Booking?] {
        guard let conversationID = claims.first?.conversationID else { return [] }
        return try await calendarTransaction(now: now) { session in
            _ = try await session.query(
                "DELETE FROM bookings WHERE conversation_id = $1 AND status = 'held'", [.int(conversationID)]
            )
            var held: [Booking?] = []
            for claim in claims {
                // The conversation's confirmed booking of the same slot stays as it is.
                if let own = try await self.ownBooking(claim, session: session) {
                    held.append(own)
                    continue
                }
                guard try await self.fits(claim, session: session, now: now) else {
                    held.append(nil)
                    continue
                }
                let id = try await self.insertBooking(claim, status: .held, holdUntil: until, contact: BookingContact(), session: session, now: now)
                held.append(try await self.booking(id: id, session: session))
            }
            return held
        }
    }

    public func book(_ claim: SlotClaim, contact: BookingContact, followUps: BookingFollowUps, now: Int64) async throws -> Booking? {
        try await calendarTransaction(now: now) { session in
            let own = try await self.ownBooking(claim, session: session)
            if let own, own.status == .confirmed { return own }
            guard try await self.fits(claim, session: session, now: now, excluding: own?.id) else { return nil }
            let id: Int64
            if let own {
                id = own.id
                _ = try await session.query(
                    """
                    UPDATE bookings SET status = 'confirmed', hold_until = NULL, contact_name = $1, email = $2, replaces = $3, updated_at = $4
                    WHERE id = $5
                    """,
                    [.optional(contact.name), .optional(contact.email), claim.replacing.map(SQLValue.int) ?? .null, .int(now), .int(id)]
                )
            } else {
                id = try await self.insertBooking(claim, status: .confirmed, holdUntil: nil, contact: contact, session: session, now: now)
            }
            _ = try await session.query(
                "DELETE FROM bookings WHERE conversation_id = $1 AND status = 'held' AND id <> $2", [.int(claim.conversationID), .int(id)]
            )
            if let replaced = claim.replacing {
                let cancelled = try await session.query(
                    """
                    UPDATE bookings SET status = 'cancelled', updated_at = $1
                    WHERE id = $2 AND conversation_id = $3 AND status = 'confirmed' RETURNING id
                    """,
                    [.int(now), .int(replaced), .int(claim.conversationID)]
                )
                if !cancelled.isEmpty, followUps.syncCalendar {
                    try await self.queueJob("calendar_sync", conversationID: claim.conversationID, bookingID: replaced, startsAt: nil, runAt: now, session: session, now: now)
                }
            }
            for time in followUps.reminderTimes where time > now {
                try await self.queueJob("reminder", conversationID: claim.conversationID, bookingID: id, startsAt: claim.startsAt, runAt: time, session: session, now: now)
            }
            if followUps.syncCalendar {
                try await self.queueJob("calendar_sync", conversationID: claim.conversationID, bookingID: id, startsAt: nil, runAt: now, session: session, now: now)
            }
            return try await self.booking(id: id, session: session)
        }
    }

    public func cancelBooking(id: Int64, followUps: BookingFollowUps, now: Int64) async throws -> Booking? {
        try await database.transaction(durable: true) { session in
            let cancelled = try await session.query(
                """
                UPDATE bookings SET status = 'cancelled', hold_until = NULL, updated_at = $1
                WHERE id = $2 AND tenant_id = $3 AND status IN ('held', 'confirmed') RETURNING conversation_id
                """,
                [.int(now), .int(id), .text(self.tenantID)]
            )
            if let conversationID = cancelled.first?.int(0), followUps.syncCalendar {
                try await self.queueJob("calendar_sync", conversationID: conversationID, bookingID: id, startsAt: nil, runAt: now, session: session, now: now)
            }
            return try await self.booking(id: id, session: session)
        }
    }

    public func releaseHolds(conversationID: Int64, now: Int64) async throws {
        _ = try await database.transaction(durable: false) { session in
            try await session.query("DELETE FROM bookings WHERE conversation_id = $1 AND status = 'held'", [.int(conversationID)])
        }
    }

    public func confirmAttendance(bookingID: Int64, now: Int64) async throws -> Booking? {
        try await database.transaction(durable: true) { session in
            _ = try await session.query(
                """
                UPDATE bookings SET contact_confirmed_at = COALESCE(contact_confirmed_at, $1), updated_at = $1
                WHERE id = $2 AND tenant_id = $3 AND status = 'confirmed'
                """,
                [.int(now), .int(bookingID), .text(self.tenantID)]
            )
            return try await self.booking(id: bookingID, session: session)
        }
    }

    public func setBookingStatus(id: Int64, _ status: Booking.Status, now: Int64) async throws -> Booking? {
        try await database.transaction(durable: true) { session in
            _ = try await session.query(
                "UPDATE bookings SET status = $1, updated_at = $2 WHERE id = $3 AND tenant_id = $4 AND status <> 'held'",
                [.text(status.rawValue), .int(now), .int(id), .text(self.tenantID)]
            )
            return try await self.booking(id: id, session: session)
        }
    }

    public func booking(id: Int64) async throws -> Booking? {
        try await database.transaction(durable: false) { session in try await self.booking(id: id, session: session) }
    }

    public func booking(token: String) async throws -> Booking? {
        try await database.transaction(durable: false) { session in
            try await session.query(
                "SELECT \(Self.bookingColumns) FROM bookings b JOIN conversations c ON c.id = b.conversation_id WHERE b.token = $1 AND b.tenant_id = $2",
                [.text(token), .text(self.tenantID)]
            ).first.flatMap(Self.booking)
        }
    }

    public func bookings(from: Int64, to: Int64) async throws -> [Booking] {
        try await database.transaction(durable: false) { session in
            try await session.query(
                """
                SELECT \(Self.bookingColumns) FROM bookings b JOIN conversations c ON c.id = b.conversation_id
                WHERE b.tenant_id = $1 AND b.starts_at >= $2 AND b.starts_at < $3
                ORDER BY b.starts_at, b.id
                """,
                [.text(self.tenantID), .int(from), .int(to)]
            ).compactMap(Self.booking)
        }
    }

    public func upcomingBookings(conversationID: Int64, now: Int64) async throws -> [Booking] {
        try await database.transaction(durable: false) { session in
            try await session.query(
                """
                SELECT \(Self.bookingColumns) FROM bookings b JOIN conversations c ON c.id = b.conversation_id
                WHERE b.conversation_id = $1 AND b.status = 'confirmed' AND b.starts_at > $2
                ORDER BY b.starts_at, b.id
                """,
                [.int(conversationID), .int(now)]
            ).compactMap(Self.booking)
        }
    }

    public func occupancy(from: Int64, to: Int64, now: Int64) async throws -> [Booking] {
        try await database.transaction(durable: false) { session in
            try await self.occupancy(from: from, to: to, now: now, session: session)
        }
    }

    // MARK: Reminders

    public func promoteDueReminders(now: Int64, limit: Int) async throws -> Int {
        let lockClause = database.dialect.lockClause("j")
        return try await database.transaction(durable: true) { session in
            let due = try await session.query(
                """
                SELECT j.id, j.conversation_id, j.payload FROM jobs j
                WHERE j.kind = 'reminder' AND j.state IN ('queued', 'running') AND j.run_at <= $1
                ORDER BY j.run_at, j.id
                LIMIT \(max(1, limit))\(lockClause)
                """,
                [.int(now)]
            )
            var promoted = 0
            for row in due {
                guard let jobID = row.int(0), let conversationID = row.int(1) else { continue }
                let payload = row.string(2).flatMap(JSONValue.decode)
                let bookingID = payload?.value(at: "booking_id")?.scalarText.flatMap { Int64($0) }
                let remindedStart = payload?.value(at: "starts_at")?.scalarText.flatMap { Int64($0) }
                let booking = try await bookingID.asyncMap { try await self.booking(id: $0, session: session) } ?? nil
                // Fires only for the appointment it was set for: not once cancelled, moved, or begun.
                guard let booking, booking.status == .confirmed, booking.startsAt == remindedStart, booking.startsAt > now else {
                    _ = try await session.query(
                        "UPDATE jobs SET state = 'done', finished_at = $1, last_error = 'skipped: the booking was cancelled or moved' WHERE id = $2",
                        [.int(now), .int(jobID)]
                    )
                    continue
                }
                let eventID = "reminder-\(jobID)"
                _ = try await session.query(
                    """
                    INSERT INTO messages (tenant_id, channel_id, conversation_id, direction, kind, platform_event_id, text, trace_id, received_at, target)
                    VALUES ($1, $2, $3, 'in', 'reminder', $4, '', $4, $5, $6)
                    ON CONFLICT (tenant_id, channel_id, platform_event_id) DO NOTHING
                    """,
                    [.text(self.tenantID), .text(booking.channelID), .int(conversationID), .text(eventID), .int(now), .text(String(booking.id))]
                )
                _ = try await session.query(
                    """
                    INSERT INTO jobs (tenant_id, kind, conversation_id, state, run_at, created_at)
                    VALUES ($1, 'turn', $2, 'queued', $3, $3)
                    ON CONFLICT (conversation_id) WHERE kind = 'turn' AND state = 'queued' DO NOTHING
                    """,
                    [.text(self.tenantID), .int(conversationID), .int(now)]
                )
                _ = try await session.query("UPDATE jobs SET state = 'done', finished_at = $1 WHERE id = $2", [.int(now), .int(jobID)])
                promoted += 1
            }
            return promoted
        }
    }

    // MARK: Calendar writes

    public func claimCalendarSync(worker: String, now: Int64, leaseMillis: Int64) async throws -> ClaimedCalendarSync? {
        let token = "\(worker)/\(UUID().uuidString)"
        let lockClause = database.dialect.lockClause("j")
        return try await database.transaction(durable: false) { session -> ClaimedCalendarSync? in
            let due = try await session.query(
                """
                SELECT j.id, j.attempts, j.payload FROM jobs j
                WHERE j.kind = 'calendar_sync' AND j.state IN ('queued', 'running') AND j.run_at <= $1
                  AND (j.state = 'queued' OR j.lease_until < $1)
                ORDER BY j.run_at, j.id
                LIMIT 1\(lockClause)
                """,
                [.int(now)]
            )
            guard let row = due.first, let jobID = row.int(0) else { return nil }
            let bookingID = row.string(2).flatMap(JSONValue.decode)?.value(at: "booking_id")?.scalarText.flatMap { Int64($0) }
            guard let booking = try await bookingID.asyncMap({ try await self.booking(id: $0, session: session) }) ?? nil else {
                _ = try await session.query(
                    "UPDATE jobs SET state = 'done', finished_at = $1, last_error = 'the booking no longer exists' WHERE id = $2", [.int(now), .int(jobID)]
                )
                return nil
            }
            _ = try await session.query(
                "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2, attempts = attempts + 1 WHERE id = $3",
                [.text(token), .int(now + leaseMillis), .int(jobID)]
            )
            return ClaimedCalendarSync(jobID: jobID, leaseToken: token, attempts: Int(row.int(1) ?? 0) + 1, booking: booking)
        }
    }

    public func finishCalendarSync(_ claim: ClaimedCalendarSync, error: String?, retryAt: Int64?, now: Int64) async throws {
        _ = try await database.transaction(durable: false) { session in
            if let error, let retryAt {
                try await session.query(
                    "UPDATE jobs SET state = 'queued', run_at = $1, last_error = $2, lease_owner = NULL, lease_until = NULL WHERE id = $3 AND lease_owner = $4",
                    [.int(retryAt), .text(error), .int(claim.jobID), .text(claim.leaseToken)]
                )
            } else {
                try await session.query(
                    "UPDATE jobs SET state = 'done', finished_at = $1, last_error = $2, lease_owner = NULL, lease_until = NULL WHERE id = $3 AND lease_owner = $4",
                    [.int(now), .optional(error), .int(claim.jobID), .text(claim.leaseToken)]
                )
            }
        }
    }

    // MARK: Inside a transaction

    /// A durable transaction holding the tenant's calendar lock; expired holds are cleared first.
    func calendarTransaction<Result: Sendable>(now: Int64, _ body: (any SQLSession) async throws -> Result) async throws -> Result {
        try await database.transaction(durable: true) { session in
            if self.database.dialect == .postgres {
                _ = try await session.query("SELECT pg_advisory_xact_lock(hashtext($1))", [.text("atende-calendar:" + self.tenantID)])
            }
            _ = try await session.query(
                "DELETE FROM bookings WHERE tenant_id = $1 AND status = 'held' AND hold_until <= $2", [.text(self.tenantID), .int(now)]
            )
            return try await body(session)
        }
    }

    /// The conversation's held or confirmed booking of exactly this slot.
    func ownBooking(_ claim: SlotClaim, session: any SQLSession) async throws -> Booking? {
        try await session.query(
            """
            SELECT \(Self.bookingColumns) FROM bookings b JOIN conversations c ON c.id = b.conversation_id
            WHERE b.conversation_id = $1 AND b.service = $2 AND b.starts_at = $3 AND b.status IN ('held', 'confirmed')
            """,
            [.int(claim.conversationID), .text(claim.service), .int(claim.startsAt)]
        ).first.flatMap(Self.booking)
    }

    /// Whether the slot fits what others hold or booked. The conversation's own holds do not count
    /// (a contact offered three slots books one), nor does the booking being moved.
    func fits(_ claim: SlotClaim, session: any SQLSession, now: Int64, excluding: Int64? = nil) async throws -> Bool {
        let others = try await occupancy(from: claim.startsAt - claim.bufferMillis, to: claim.endsAt + claim.bufferMillis, now: now, session: session)
            .filter { booking in
                booking.id != excluding && booking.id != claim.replacing && !(booking.status == .held && booking.conversationID == claim.conversationID)
            }
        return Occupancy.fits(
            start: claim.startsAt, end: claim.endsAt, bufferMillis: claim.bufferMillis, capacity: claim.capacity,
            bookings: others.map { ClosedInterval(start: $0.startsAt, end: $0.endsAt) }, external: claim.externalBusy
        )
    }

    /// Confirmed bookings and live holds overlapping `[from, to)`.
    func occupancy(from: Int64, to: Int64, now: Int64, session: any SQLSession) async throws -> [Booking] {
        try await session.query(
            """
            SELECT \(Self.bookingColumns) FROM bookings b JOIN conversations c ON c.id = b.conversation_id
            WHERE b.tenant_id = $1 AND b.starts_at < $2 AND b.ends_at > $3
              AND (b.status = 'confirmed' OR (b.status = 'held' AND b.hold_until > $4))
            ORDER BY b.starts_at, b.id
            """,
            [.text(tenantID), .int(to), .int(from), .int(now)]
        ).compactMap(Self.booking)
    }

    func insertBooking(_ claim: SlotClaim, status: Booking.Status, holdUntil: Int64?, contact: BookingContact, session: any SQLSession, now: Int64) async throws -> Int64 {
        let rows = try await session.query(
            """
            INSERT INTO bookings (tenant_id, conversation_id, service, starts_at, ends_at, status, hold_until, contact_name, email, token,
                replaces, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id
            """,
            [
                .text(tenantID), .int(claim.conversationID), .text(claim.service), .int(claim.startsAt), .int(claim.endsAt), .text(status.rawValue),
                holdUntil.map(SQLValue.int) ?? .null, .optional(contact.name), .optional(contact.email), .text(Self.newToken()),
                claim.replacing.map(SQLValue.int) ?? .null, .int(now),
            ]
        )
        guard let id = rows.first?.int(0) else { throw StoreError.unexpected("booking insert returned no id") }
        return id
    }

    func booking(id: Int64, session: any SQLSession) async throws -> Booking? {
        try await session.query(
            "SELECT \(Self.bookingColumns) FROM bookings b JOIN conversations c ON c.id = b.conversation_id WHERE b.id = $1 AND b.tenant_id = $2",
            [.int(id), .text(tenantID)]
        ).first.flatMap(Self.booking)
    }

    func queueJob(_ kind: String, conversationID: Int64, bookingID: Int64, startsAt: Int64?, runAt: Int64, session: any SQLSession, now: Int64) async throws {
        var payload: [String: JSONValue] = ["booking_id": .string(String(bookingID))]
        if let startsAt { payload["starts_at"] = .string(String(startsAt)) }
        _ = try await session.query(
            "INSERT INTO jobs (tenant_id, kind, conversation_id, state, run_at, payload, created_at) VALUES ($1, $2, $3, 'queued', $4, $5, $6)",
            [.text(tenantID), .text(kind), .int(conversationID), .int(runAt), .text(JSONValue.object(payload).encodedString()), .int(now)]
        )
    }

    /// 128 random bits as hex: the only thing that names a booking's calendar file.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let hex = String(generator.next() as UInt32, radix: 16)
            return String(repeating: "0", count: 8 - hex.count) + hex
        }.joined()
    }

    static func booking(_ row: SQLRow) -> Booking? {
        guard let id = row.int(0), let conversationID = row.int(1), let service = row.string(2), let startsAt = row.int(3), let endsAt = row.int(4),
            let status = row.string(5).flatMap(Booking.Status.init(rawValue:)), let token = row.string(9)
        else { return nil }
        return Booking(
            id: id, conversationID: conversationID, service: service, startsAt: startsAt, endsAt: endsAt, status: status, holdUntil: row.int(6),
            contactName: row.string(7), email: row.string(8), token: token, replaces: row.int(10), contactConfirmedAt: row.int(11),
            createdAt: row.int(12) ?? 0, updatedAt: row.int(13) ?? 0, channelID: row.string(14) ?? "", platformChatID: row.string(15) ?? ""
        )
    }
}

extension Optional {
    func asyncMap<Mapped>(_ transform: (Wrapped) async throws -> Mapped) async rethrows -> Mapped? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
