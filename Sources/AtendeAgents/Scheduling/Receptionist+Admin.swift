import AtendeCore
import AtendeScheduling
import Foundation

/// What admins ask of the calendar (`atende bookings …` and the admin API), with the same rules
/// the chat flow uses.
extension Receptionist {
    /// Every booking starting on `day` in the business's time zone, any status.
    public func bookings(on day: CivilDay, calendar: BusinessCalendar) async throws -> [Booking] {
        try await store.bookings(from: day.startMillis(in: calendar.timeZone), to: day.adding(days: 1).startMillis(in: calendar.timeZone))
    }

    /// The free slots of `day` for a service, as a customer would be offered them now.
    public func freeSlots(on day: CivilDay, service: BusinessService, calendar: BusinessCalendar, now: Int64) async throws -> [Slot] {
        let from = day.startMillis(in: calendar.timeZone)
        let to = day.adding(days: 1).startMillis(in: calendar.timeZone)
        let busy = try await busyIntervals(from: from - 86_400_000, to: to + 86_400_000, conversationID: -1, ignoring: nil, now: now)
        return Availability(calendar: calendar).slots(for: service, from: from, to: to, busy: busy, now: now)
    }

    /// Cancels a booking for the business; the contact is not messaged.
    public func cancel(bookingID: Int64, now: Int64) async throws -> Booking? {
        try await store.cancelBooking(id: bookingID, followUps: BookingFollowUps(syncCalendar: syncsCalendar), now: now)
    }

    /// Records what happened at an appointment: `completed` or `no_show`.
    public func mark(bookingID: Int64, _ status: Booking.Status, now: Int64) async throws -> Booking? {
        try await store.setBookingStatus(id: bookingID, status, now: now)
    }
}
