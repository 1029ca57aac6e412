import AtendeCore
import AtendeScheduling

extension ICalendarEvent {
    /// A booking as the contact's and the business's calendars see it. The uid stays the same for
    /// the booking's life, so a cancellation replaces the event instead of adding one.
    public static func booking(_ booking: Booking, business: BusinessProfile, now: Int64) -> ICalendarEvent {
        let service = business.calendar?.service(id: booking.service)?.name ?? booking.service
        let who = booking.contactName.map { " – \($0)" } ?? ""
        return ICalendarEvent(
            uid: "atende-booking-\(booking.id)",
            start: booking.startsAt,
            end: booking.endsAt,
            summary: "\(service) · \(business.name)\(who)",
            location: business.address.isEmpty ? nil : business.address,
            description: [business.phone, business.website].filter { !$0.isEmpty }.joined(separator: " · "),
            status: booking.status == .confirmed || booking.status == .completed ? .confirmed : .cancelled,
            sequence: Int(max(0, booking.updatedAt - booking.createdAt) / 1000),
            stamp: now
        )
    }
}
