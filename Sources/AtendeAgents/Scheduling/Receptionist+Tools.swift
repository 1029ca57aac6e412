import AtendeCore
import AtendeScheduling
import AtendeUnderstanding
import Foundation

/// What a calendar tool call knows about the turn it runs in.
struct SchedulingToolCaller: Sendable {
    var conversationID: Int64
    var now: Int64
    var language: Language
}

/// The receptionist's operations as LLM tools. The model chooses; the rules are enforced here and
/// in the store, exactly as in the chat flow: only free slots on the calendar's grid, within
/// notice and horizon, within capacity, and only the contact's own bookings.
extension Receptionist {
    func runTool(_ tool: AgentTool, _ fields: [String: JSONValue], caller: SchedulingToolCaller, calendar: BusinessCalendar) async -> String {
        do {
            return try await run(tool, fields, caller: caller, calendar: calendar)
        } catch let refusal as ToolRefusal {
            return "error: " + refusal.message
        } catch {
            return "error: the calendar is unavailable right now (\(error)); apologise and offer to try again in a moment."
        }
    }

    struct ToolRefusal: Error {
        var message: String
    }

    private func run(_ tool: AgentTool, _ fields: [String: JSONValue], caller: SchedulingToolCaller, calendar: BusinessCalendar) async throws -> String {
        let zone = calendar.timeZone
        func service() throws -> BusinessService {
            let name = fields["service"]?.scalarText ?? ""
            guard let service = calendar.service(id: name) ?? calendar.service(matching: name) ?? (calendar.services.count == 1 ? calendar.services[0] : nil) else {
                throw ToolRefusal(message: "unknown service '\(name)'; the services are: " + calendar.services.map { "\($0.id) (\($0.name), \($0.minutes) min)" }.joined(separator: ", "))
            }
            return service
        }
        func start(_ key: String = "start") throws -> Int64 {
            let text = fields[key]?.scalarText ?? ""
            guard let millis = Self.instant(iso: text) else { throw ToolRefusal(message: "'\(text)' is not an ISO-8601 time with offset such as 2026-11-27T10:00:00-03:00") }
            return millis
        }
        func ownBooking() async throws -> Booking {
            let id = fields["booking_id"]?.scalarText.flatMap { Int64($0) }
            let upcoming = try await store.upcomingBookings(conversationID: caller.conversationID, now: caller.now)
            guard let booking = upcoming.first(where: { $0.id == id }) else {
                throw ToolRefusal(message: "the contact has no upcoming booking with id \(fields["booking_id"]?.scalarText ?? "?"); call list_my_bookings")
            }
            return booking
        }
        /// A slot the contact may take: on the calendar's grid, open, within notice and horizon, free.
        func freeSlot(_ start: Int64, _ service: BusinessService, ignoring: Int64? = nil) async throws -> Slot {
            let slot = Slot(start: start, end: start + Int64(service.minutes) * 60_000)
            let busy = try await busyIntervals(from: start - 86_400_000, to: start + 86_400_000, conversationID: caller.conversationID, ignoring: ignoring, now: caller.now)
            guard Availability(calendar: calendar).isBookable(slot, service: service, busy: busy, now: caller.now) else {
                throw ToolRefusal(message: "\(Self.iso(start, zone)) is not a free time for \(service.name); call find_free_slots and offer what it returns")
            }
            return slot
        }
        func claim(_ slot: Slot, _ service: BusinessService, replacing: Int64? = nil) async throws -> SlotClaim {
            var claim = SlotClaim(
                conversationID: caller.conversationID, service: service.id, startsAt: slot.start, endsAt: slot.end,
                bufferMillis: Int64(calendar.bufferMinutes) * 60_000, capacity: calendar.capacity, replacing: replacing
            )
            claim.externalBusy = try await externalBusy(from: slot.start, to: slot.end)
            return claim
        }
        func describe(_ booking: Booking) -> JSONValue {
            .object([
                "booking_id": .string(String(booking.id)), "service": .string(calendar.service(id: booking.service)?.name ?? booking.service),
                "start": .string(Self.iso(booking.startsAt, zone)), "status": .string(booking.status.rawValue),
                "calendar_link": .string(calendarLinks?.link(booking) ?? ""),
            ])
        }
        let holdUntil = caller.now + Int64(calendar.holdMinutes) * 60_000

        switch tool {
        case .findSlots:
            let service = try service()
            let when = fields["when"]?.scalarText ?? ""
            let wish = Self.instant(iso: when).map { ClosedInterval(start: $0, end: $0 + 1) }
                ?? self.wish(text: when, now: caller.now, language: caller.language, calendar: calendar)
            let horizonEnd = caller.now + Int64(calendar.horizonDays + 1) * 86_400_000
            let busy = try await busyIntervals(from: caller.now, to: horizonEnd, conversationID: caller.conversationID, ignoring: nil, now: caller.now)
            let slots = SlotSearch(availability: Availability(calendar: calendar))
                .offer(wish.map { .window(from: $0.start, to: $0.end) } ?? .anytime, service: service, busy: busy, now: caller.now, count: 3)
            var claims: [SlotClaim] = []
            for slot in slots { claims.append(try await claim(slot, service)) }
            let held = claims.isEmpty ? [] : try await store.hold(claims, until: holdUntil, now: caller.now)
            let free = zip(slots, held).compactMap { $1 == nil ? nil : JSONValue.string(Self.iso($0.start, zone)) }
            return JSONValue.object(["service": .string(service.name), "free_starts": .array(free), "held_minutes": .int(Int64(calendar.holdMinutes))]).encodedString()
        case .holdSlot:
            let service = try service()
            let slot = try await freeSlot(try start(), service)
            guard try await store.hold([try await claim(slot, service)], until: holdUntil, now: caller.now).first ?? nil != nil else {
                throw ToolRefusal(message: "that time was just taken; call find_free_slots again")
            }
            return JSONValue.object(["held": .string(Self.iso(slot.start, zone)), "minutes": .int(Int64(calendar.holdMinutes))]).encodedString()
        case .book:
            let service = try service()
            let slot = try await freeSlot(try start(), service)
            let name = fields["name"]?.scalarText?.trimmingCharacters(in: .whitespaces) ?? ""
            guard !name.isEmpty else { throw ToolRefusal(message: "ask the contact's name first, then book") }
            var email: String?
            if let given = fields["email"]?.scalarText, !given.isEmpty {
                guard let valid = ContactDetails.extract(from: given).emails.first?.address else {
                    throw ToolRefusal(message: "'\(given)' is not a valid email; ask again or book without it")
                }
                email = valid
            }
            let followUps = BookingFollowUps(reminderTimes: calendar.reminderOffsetsMinutes.map { slot.start - Int64($0) * 60_000 }, syncCalendar: syncsCalendar)
            guard let booking = try await store.book(try await claim(slot, service), contact: BookingContact(name: name, email: email), followUps: followUps, now: caller.now) else {
                throw ToolRefusal(message: "that time was just taken by someone else; call find_free_slots and offer other times")
            }
            return describe(booking).encodedString()
        case .cancelBooking:
            let booking = try await ownBooking()
            let cancelled = try await store.cancelBooking(id: booking.id, followUps: BookingFollowUps(syncCalendar: syncsCalendar), now: caller.now)
            return describe(cancelled ?? booking).encodedString()
        case .reschedule:
            let booking = try await ownBooking()
            guard let service = calendar.service(id: booking.service) else { throw ToolRefusal(message: "the booked service no longer exists; hand off to a person") }
            let slot = try await freeSlot(try start(), service, ignoring: booking.id)
            let followUps = BookingFollowUps(reminderTimes: calendar.reminderOffsetsMinutes.map { slot.start - Int64($0) * 60_000 }, syncCalendar: syncsCalendar)
            guard let moved = try await store.book(
                try await claim(slot, service, replacing: booking.id), contact: BookingContact(name: booking.contactName, email: booking.email), followUps: followUps, now: caller.now
            ) else { throw ToolRefusal(message: "that time was just taken; call find_free_slots again") }
            return describe(moved).encodedString()
        case .listBookings:
            let upcoming = try await store.upcomingBookings(conversationID: caller.conversationID, now: caller.now)
            return JSONValue.object(["bookings": .array(upcoming.map(describe))]).encodedString()
        case .handoff, .summarize:
            throw ToolRefusal(message: "not a calendar tool")
        }
    }

    public static func iso(_ millis: Int64, _ zone: TimeZone) -> String {
        ISO8601Text.string(Date(timeIntervalSince1970: Double(millis) / 1000), in: zone)
    }

    /// `2026-11-27T10:00:00-03:00`, with or without fractional seconds.
    static func instant(iso text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date.epochMillis }
        formatter.formatOptions.insert(.withFractionalSeconds)
        return formatter.date(from: text)?.epochMillis
    }
}
