import AtendeCore
import AtendeStorage
import Foundation
import Testing

/// The `BookingStore` contract on both stores: holds, atomic booking within capacity, moves,
/// reminders that fire once, calendar writes queued with the change.
@Suite(.serialized)
struct BookingStoreTests {
    typealias Conformance = StoreConformanceTests
    static let t0 = Conformance.t0
    static let hour: Int64 = 3_600_000
    /// Tomorrow 10:00–11:00 relative to t0, as far as the store cares.
    static let ten = t0 + 24 * hour

    static func claim(_ conversation: Int64, at start: Int64 = ten, minutes: Int64 = 60, capacity: Int = 1, buffer: Int64 = 0, replacing: Int64? = nil) -> SlotClaim {
        SlotClaim(
            conversationID: conversation, service: "corte", startsAt: start, endsAt: start + minutes * 60_000, bufferMillis: buffer,
            capacity: capacity, replacing: replacing
        )
    }

    /// `count` conversations, one contact each.
    static func conversations(_ count: Int, in store: any GatewayStore) async throws -> [Int64] {
        let outcomes = try await store.ingest((0..<count).map { Conformance.inbound("chat-\($0)", "e\($0)", "oi") }, debounceMillis: 0)
        return outcomes.compactMap { outcome in
            if case .stored(_, let conversationID) = outcome { return conversationID }
            return nil
        }
    }

    static func withBookings(_ backend: Conformance.Backend, _ body: @escaping @Sendable (any GatewayStore & BookingStore) async throws -> Void) async throws {
        try await Conformance.withStore(backend) { store in
            try await body(try #require(store as? any GatewayStore & BookingStore))
        }
    }

    @Test("many parallel attempts on one slot: exactly capacity succeed", arguments: Conformance.backends, [1, 3])
    func raceForOneSlot(backend: Conformance.Backend, capacity: Int) async throws {
        try await Self.withBookings(backend) { store in
            let ids = try await Self.conversations(24, in: store)
            let winners = try await withThrowingTaskGroup(of: Booking?.self) { group in
                for id in ids {
                    group.addTask {
                        try await store.book(Self.claim(id, capacity: capacity), contact: BookingContact(name: "C\(id)"), followUps: BookingFollowUps(), now: Self.t0)
                    }
                }
                return try await group.reduce(into: [Booking]()) { if let booking = $1 { $0.append(booking) } }
            }
            #expect(winners.count == capacity)
            let stored = try await store.bookings(from: Self.ten, to: Self.ten + 1)
            #expect(stored.filter { $0.status == .confirmed }.count == capacity)
            // An appointment overlapping the full one is full too; one right after it is free.
            #expect(try await store.book(Self.claim(ids[0], at: Self.ten + 30 * 60_000, capacity: capacity), contact: BookingContact(), followUps: BookingFollowUps(), now: Self.t0) == nil || winners.contains { $0.conversationID == ids[0] })
            #expect(try await store.book(Self.claim(ids[0], at: Self.ten + Self.hour, capacity: capacity), contact: BookingContact(), followUps: BookingFollowUps(), now: Self.t0) != nil)
        }
    }

    @Test("parallel holds on one slot: exactly capacity are held, and a hold blocks others until it expires", arguments: Conformance.backends)
    func holdsBlockUntilTheyExpire(backend: Conformance.Backend) async throws {
        try await Self.withBookings(backend) { store in
            let ids = try await Self.conversations(10, in: store)
            let held = try await withThrowingTaskGroup(of: Booking?.self) { group in
                for id in ids {
                    group.addTask { try await store.hold([Self.claim(id)], until: Self.t0 + 600_000, now: Self.t0).first ?? nil }
                }
                return try await group.reduce(into: [Booking]()) { if let booking = $1 { $0.append(booking) } }
            }
            #expect(held.count == 1)
            let holder = try #require(held.first)
            #expect(holder.status == .held)
            let other = try #require(ids.first { $0 != holder.conversationID })
            #expect(try await store.book(Self.claim(other), contact: BookingContact(), followUps: BookingFollowUps(), now: Self.t0 + 1000) == nil)
            // Once the hold runs out the slot is free for someone else, and the holder lost it.
            let booked = try await store.book(Self.claim(other), contact: BookingContact(name: "Ana"), followUps: BookingFollowUps(), now: Self.t0 + 600_000)
            #expect(booked?.status == .confirmed)
            #expect(try await store.book(Self.claim(holder.conversationID), contact: BookingContact(), followUps: BookingFollowUps(), now: Self.t0 + 600_001) == nil)
        }
    }

    @Test("booking a held slot confirms that hold and releases the others; booking again returns the same booking", arguments: Conformance.backends)
    func bookingIsIdempotent(backend: Conformance.Backend) async throws {
        try await Self.withBookings(backend) { store in
            let id = try #require(try await Self.conversations(1, in: store).first)
            let offered = [Self.ten, Self.ten + 2 * Self.hour, Self.ten + 4 * Self.hour].map { Self.claim(id, at: $0) }
            let held = try await store.hold(offered, until: Self.t0 + 600_000, now: Self.t0)
            #expect(held.compactMap { $0?.status } == [.held, .held, .held])
            let followUps = BookingFollowUps(reminderTimes: [Self.ten - 12 * Self.hour, Self.ten - Self.hour], syncCalendar: true)
            let first = try #require(try await store.book(offered[1], contact: BookingContact(name: "Ana", email: "ana@example.com"), followUps: followUps, now: Self.t0 + 1000))
            #expect(first.id == held[1]?.id)
            #expect(first.status == .confirmed && first.holdUntil == nil && first.contactName == "Ana" && first.email == "ana@example.com")
            #expect(first.token.count == 32)
            let again = try await store.book(offered[1], contact: BookingContact(name: "Ana"), followUps: followUps, now: Self.t0 + 2000)
            #expect(again?.id == first.id)
            let day = try await store.bookings(from: Self.ten, to: Self.ten + 6 * Self.hour)
            #expect(day.map(\.id) == [first.id])
            #expect(try await store.booking(token: first.token)?.id == first.id)
            #expect(try await store.upcomingBookings(conversationID: id, now: Self.t0).map(\.id) == [first.id])
            // One set of reminders and one calendar write, however often the turn retried.
            #expect(try await store.promoteDueReminders(now: Self.ten - Self.hour, limit: 10) == 2)
            let sync = try #require(try await store.claimCalendarSync(worker: "w", now: Self.t0 + 3000, leaseMillis: 1000))
            #expect(sync.booking.id == first.id)
            try await store.finishCalendarSync(sync, error: nil, retryAt: nil, now: Self.t0 + 3000)
            #expect(try await store.claimCalendarSync(worker: "w", now: Self.t0 + 10_000, leaseMillis: 1000) == nil)
        }
    }

    @Test("the buffer after an appointment keeps the next one out; capacity counts overlaps at one instant", arguments: Conformance.backends)
    func bufferAndCapacity(backend: Conformance.Backend) async throws {
        try await Self.withBookings(backend) { store in
            let ids = try await Self.conversations(4, in: store)
            let buffer: Int64 = 15 * 60_000
            #expect(try await store.book(Self.claim(ids[0], buffer: buffer), contact: BookingContact(), followUps: BookingFollowUps(), now: Self.t0) != nil)
            // 11:00 is inside the 15-minute buffer after 10:00–11:00; 11:15 is not.
            #expect(try await store.book(Self.claim(ids[1], at: Self.ten + Self.hour, buffer: buffer), contact: BookingContact(), followUps: BookingFollowUps(), now: Self.t0) == nil)
            #expect(try await store.book(Self.claim(ids[1], at: Self.ten + Self.hour + buffer, buffer: buffer), contact: BookingContact(), followUps: BookingFollowUps(), now: Self.t0) != nil)
            // Capacity 2: 10:00–11:00 and 11:15–12:15 never overlap each other, so 10:30–12:00 fits beside them once…
            let middle = Self.claim(ids[2], at: Self.ten + 30 * 60_000, minutes: 90, capacity: 2, buffer: 0)
            #expect(try await store.book(middle, contact: BookingContact(), followUps: BookingFollowUps(), now: Self.t0) != nil)
            // …and not a second time.
            let again = Self.claim(ids[3], at: Self.ten + 30 * 60_000, minutes: 90, capacity: 2, buffer: 0)
            #expect(try await store.book(again, contact: BookingContact(), followUps: BookingFollowUps(), now: Self.t0) == nil)
            // A busy time from the business's own calendar blocks everything.
            var blocked = Self.claim(ids[3], at: Self.ten + 4 * Self.hour, capacity: 5)
            blocked.externalBusy = [ClosedInterval(start: Self.ten + 4 * Self.hour + 60_000, end: Self.ten + 5 * Self.hour)]
            #expect(try await store.book(blocked, contact: BookingContact(), followUps: BookingFollowUps(), now: Self.t0) == nil)
        }
    }

    @Test("a move books the new time and cancels the old one at once; reminders of the old time never fire", arguments: Conformance.backends)
    func moveAndReminders(backend: Conformance.Backend) async throws {
        try await Self.withBookings(backend) { store in
            let ids = try await Self.conversations(2, in: store)
            let followUps = { (start: Int64) in BookingFollowUps(reminderTimes: [start - Self.hour], syncCalendar: false) }
            let first = try #require(try await store.book(Self.claim(ids[0]), contact: BookingContact(name: "Ana"), followUps: followUps(Self.ten), now: Self.t0))
            // Half an hour later overlaps the old time, which does not count against its own move.
            let later = Self.ten + 30 * 60_000
            let moved = try #require(try await store.book(Self.claim(ids[0], at: later, replacing: first.id), contact: BookingContact(name: "Ana"), followUps: followUps(later), now: Self.t0 + 1000))
            #expect(moved.replaces == first.id)
            #expect(try await store.booking(id: first.id)?.status == .cancelled)
            #expect(try await store.upcomingBookings(conversationID: ids[0], now: Self.t0).map(\.id) == [moved.id])

            let second = try #require(try await store.book(Self.claim(ids[1], at: Self.ten + 3 * Self.hour), contact: BookingContact(), followUps: followUps(Self.ten + 3 * Self.hour), now: Self.t0))
            #expect(try await store.cancelBooking(id: second.id, followUps: BookingFollowUps(), now: Self.t0 + 2000)?.status == .cancelled)
            #expect(try await store.cancelBooking(id: second.id, followUps: BookingFollowUps(), now: Self.t0 + 2000)?.status == .cancelled)

            #expect(try await store.promoteDueReminders(now: Self.ten - 2 * Self.hour, limit: 10) == 0)
            // The old time's reminder is skipped; the moved one fires, once; the cancelled one never does.
            #expect(try await store.promoteDueReminders(now: Self.ten - Self.hour, limit: 10) == 0)
            #expect(try await store.promoteDueReminders(now: later - Self.hour, limit: 10) == 1)
            #expect(try await store.promoteDueReminders(now: later - Self.hour + 1, limit: 10) == 0)
            #expect(try await store.promoteDueReminders(now: Self.ten + 2 * Self.hour, limit: 10) == 0)
            let turn = try #require(try await store.claimTurn(worker: "w", now: later, leaseMillis: 60_000))
            #expect(turn.turn.conversation.id == ids[0])
            let reminder = try #require(turn.turn.messages.first { $0.kind == .reminder })
            #expect(reminder.target == String(moved.id))
        }
    }
}
