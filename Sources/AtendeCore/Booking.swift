/// An appointment, or a slot held for a contact while they choose.
public struct Booking: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Offered to a contact and kept free for them until `holdUntil`.
        case held
        case confirmed
        case cancelled
        case completed
        case noShow = "no_show"
    }

    public var id: Int64
    public var conversationID: Int64
    /// The service's id in the business calendar.
    public var service: String
    public var startsAt: Int64
    public var endsAt: Int64
    public var status: Status
    public var holdUntil: Int64?
    public var contactName: String?
    public var email: String?
    /// Unguessable: names the booking's calendar file (`/calendar/{token}.ics`).
    public var token: String
    /// The booking this one replaced when the contact moved an appointment.
    public var replaces: Int64?
    /// When the contact answered a reminder confirming they will come.
    public var contactConfirmedAt: Int64?
    public var createdAt: Int64
    public var updatedAt: Int64
    /// Where the conversation is, for admins and reminders.
    public var channelID: String
    public var platformChatID: String

    public init(
        id: Int64, conversationID: Int64, service: String, startsAt: Int64, endsAt: Int64, status: Status, holdUntil: Int64? = nil,
        contactName: String? = nil, email: String? = nil, token: String, replaces: Int64? = nil, contactConfirmedAt: Int64? = nil,
        createdAt: Int64, updatedAt: Int64, channelID: String, platformChatID: String
    ) {
        self.id = id
        self.conversationID = conversationID
        self.service = service
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.status = status
        self.holdUntil = holdUntil
        self.contactName = contactName
        self.email = email
        self.token = token
        self.replaces = replaces
        self.contactConfirmedAt = contactConfirmedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.channelID = channelID
        self.platformChatID = platformChatID
    }

    /// Whether the booking takes room in the calendar at `now`.
    public func isActive(now: Int64) -> Bool {
        switch status {
        case .confirmed: true
        case .held: (holdUntil ?? 0) > now
        case .cancelled, .completed, .noShow: false
        }
    }
}

/// A slot a conversation wants, with the calendar's rules the store enforces atomically.
public struct SlotClaim: Sendable, Hashable {
    public var conversationID: Int64
    public var service: String
    public var startsAt: Int64
    public var endsAt: Int64
    /// Free time kept after every appointment: two appointments conflict when
    /// `[start, end + buffer)` of one overlaps the other's.
    public var bufferMillis: Int64
    /// How many appointments may overlap at any instant.
    public var capacity: Int
    /// Busy times from the business's own calendar that the store cannot see; each blocks all capacity.
    public var externalBusy: [ClosedInterval]
    /// A confirmed booking of the conversation this one moves: it does not count against the new
    /// time, and booking cancels it in the same transaction.
    public var replacing: Int64?

    public init(
        conversationID: Int64, service: String, startsAt: Int64, endsAt: Int64, bufferMillis: Int64, capacity: Int,
        externalBusy: [ClosedInterval] = [], replacing: Int64? = nil
    ) {
        self.replacing = replacing
        self.conversationID = conversationID
        self.service = service
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.bufferMillis = bufferMillis
        self.capacity = capacity
        self.externalBusy = externalBusy
    }
}

/// `[start, end)` in milliseconds.
public struct ClosedInterval: Sendable, Hashable, Codable {
    public var start: Int64
    public var end: Int64

    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }
}

/// What a confirmed booking sets off, stored in the booking's own transaction.
public struct BookingFollowUps: Sendable, Hashable {
    /// When to remind the contact (each fires once, and only if the booking is still on).
    public var reminderTimes: [Int64]
    /// Whether to write the change to the business's CalDAV calendar.
    public var syncCalendar: Bool

    public init(reminderTimes: [Int64] = [], syncCalendar: Bool = false) {
        self.reminderTimes = reminderTimes
        self.syncCalendar = syncCalendar
    }
}

/// The contact's details a booking keeps.
public struct BookingContact: Sendable, Hashable {
    public var name: String?
    public var email: String?

    public init(name: String? = nil, email: String? = nil) {
        self.name = name
        self.email = email
    }
}

/// A calendar write waiting to be made: the booking's current state decides what (write or remove).
public struct ClaimedCalendarSync: Sendable, Hashable {
    public var jobID: Int64
    public var leaseToken: String
    public var attempts: Int
    public var booking: Booking

    public init(jobID: Int64, leaseToken: String, attempts: Int, booking: Booking) {
        self.jobID = jobID
        self.leaseToken = leaseToken
        self.attempts = attempts
        self.booking = booking
    }
}

/// Bookings and holds. Every change that could overbook runs as one serialized claim: concurrent
/// attempts on the same time beyond capacity fail, on every store and across processes.
public protocol BookingStore: Sendable {
    /// Holds each slot for the conversation until `until`; `nil` where the slot is no longer free.
    /// The conversation's other holds are released: a contact holds only what they were last offered.
    func hold(_ claims: [SlotClaim], until: Int64, now: Int64) async throws -> [Booking?]

    /// Books a slot for the conversation: its own hold on it becomes the booking, otherwise the slot
    /// is taken if capacity allows; `nil` when it is full. The conversation's other holds are released.
    /// Booking a slot the conversation already booked returns that booking (a retried turn books once).
    /// Reminders and the calendar write are queued in the same transaction.
    func book(_ claim: SlotClaim, contact: BookingContact, followUps: BookingFollowUps, now: Int64) async throws -> Booking?

    /// Cancels a held or confirmed booking; returns it as it is afterwards, `nil` if there is none.
    func cancelBooking(id: Int64, followUps: BookingFollowUps, now: Int64) async throws -> Booking?
    /// Releases every hold of the conversation (the contact left the booking flow).
    func releaseHolds(conversationID: Int64, now: Int64) async throws
    /// Records the contact's "yes, I'll come" to a reminder.
    func confirmAttendance(bookingID: Int64, now: Int64) async throws -> Booking?
    /// Sets a past booking `completed` or `no_show` (an admin's record).
    func setBookingStatus(id: Int64, _ status: Booking.Status, now: Int64) async throws -> Booking?

    func booking(id: Int64) async throws -> Booking?
    func booking(token: String) async throws -> Booking?
    /// Bookings starting in `[from, to)`, every status, in start order.
    func bookings(from: Int64, to: Int64) async throws -> [Booking]
    /// The conversation's confirmed bookings that have not started at `now`, soonest first.
    func upcomingBookings(conversationID: Int64, now: Int64) async throws -> [Booking]
    /// What takes room between `from` and `to`: confirmed bookings and live holds.
    func occupancy(from: Int64, to: Int64, now: Int64) async throws -> [Booking]

    /// Turns due reminders into events of their conversations, each once, skipping reminders of
    /// bookings that were cancelled or moved. Returns how many became events.
    func promoteDueReminders(now: Int64, limit: Int) async throws -> Int

    /// Claims the oldest due calendar write.
    func claimCalendarSync(worker: String, now: Int64, leaseMillis: Int64) async throws -> ClaimedCalendarSync?
    /// Finishes a calendar write, or schedules another try at `retryAt` (`nil`: give up, keep the error).
    func finishCalendarSync(_ claim: ClaimedCalendarSync, error: String?, retryAt: Int64?, now: Int64) async throws
}

/// The one rule for whether an appointment fits, shared by the offers and the store's claim.
public enum Occupancy {
    /// Whether `[start, end)` fits next to `bookings` (other appointments and holds, each taking one
    /// unit of capacity) and `external` busy times (each taking all of it). An appointment occupies
    /// its time plus `bufferMillis` after it; at no instant may more than `capacity` occupy the calendar.
    public static func fits(
        start: Int64, end: Int64, bufferMillis: Int64, capacity: Int, bookings: [ClosedInterval], external: [ClosedInterval]
    ) -> Bool {
        if external.contains(where: { $0.start < end && start < $0.end }) { return false }
        let occupied = ClosedInterval(start: start, end: end + bufferMillis)
        // Each overlapping appointment, clipped to ours; the most that overlap at one instant must leave room.
        var edges: [(at: Int64, change: Int)] = []
        for booking in bookings {
            let from = max(booking.start, occupied.start)
            let to = min(booking.end + bufferMillis, occupied.end)
            guard from < to else { continue }
            edges.append((from, 1))
            edges.append((to, -1))
        }
        guard edges.count / 2 >= capacity else { return true }
        // At equal instants an end comes first: back-to-back appointments do not overlap.
        edges.sort { $0.at != $1.at ? $0.at < $1.at : $0.change < $1.change }
        var current = 0
        for edge in edges {
            current += edge.change
            if current >= capacity { return false }
        }
        return true
    }
}
