import AtendeAgents
import AtendeCore
import AtendeScheduling
import AtendeUnderstanding
import Foundation

/// A booking as admins read it (the admin API and `atende bookings`): times in the business's
/// zone with their offset.
public struct BookingView: Encodable, Sendable {
    public var id: Int64
    public var service: String
    public var serviceName: String
    public var startsAt: String
    public var endsAt: String
    public var status: String
    public var contactName: String?
    public var email: String?
    public var channel: String
    public var chat: String
    public var contactConfirmed: Bool
    /// The path of the booking's calendar file.
    public var calendarPath: String

    public init(_ booking: Booking, calendar: BusinessCalendar?) {
        let zone = calendar?.timeZone ?? TimeZone(identifier: "America/Sao_Paulo") ?? .current
        id = booking.id
        service = booking.service
        serviceName = calendar?.service(id: booking.service)?.name ?? booking.service
        startsAt = ISO8601Text.string(Date(timeIntervalSince1970: Double(booking.startsAt) / 1000), in: zone)
        endsAt = ISO8601Text.string(Date(timeIntervalSince1970: Double(booking.endsAt) / 1000), in: zone)
        status = booking.status.rawValue
        contactName = booking.contactName
        email = booking.email
        channel = booking.channelID
        chat = booking.platformChatID
        contactConfirmed = booking.contactConfirmedAt != nil
        calendarPath = "/calendar/\(booking.token).ics"
    }

    /// One line for a terminal: `12  sex 27/11 10:00–10:30  confirmed  Corte  Ana  (telegram 1234)`.
    public var line: String {
        let start = startsAt.dropFirst(11).prefix(5)
        let end = endsAt.dropFirst(11).prefix(5)
        return "\(id)\t\(startsAt.prefix(10)) \(start)–\(end)\t\(status)\t\(serviceName)\t\(contactName ?? "—")\t(\(channel) \(chat))"
    }

    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
