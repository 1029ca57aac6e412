import Foundation

/// One appointment as an iCalendar (RFC 5545) event: the `.ics` link in a confirmation and the
/// event written to the business's CalDAV calendar.
public struct ICalendarEvent: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case confirmed = "CONFIRMED"
        case cancelled = "CANCELLED"
    }

    public var uid: String
    public var start: Int64
    public var end: Int64
    public var summary: String
    public var location: String?
    public var description: String?
    public var status: Status
    /// Raised on every change, so calendars replace their copy.
    public var sequence: Int
    /// When this version was made.
    public var stamp: Int64

    public init(uid: String, start: Int64, end: Int64, summary: String, location: String? = nil, description: String? = nil, status: Status = .confirmed, sequence: Int = 0, stamp: Int64) {
        self.uid = uid
        self.start = start
        self.end = end
        self.summary = summary
        self.location = location
        self.description = description
        self.status = status
        self.sequence = sequence
        self.stamp = stamp
    }

    /// A whole `VCALENDAR` with this one event: CRLF lines, folded at 75 octets, times in UTC.
    /// - Parameter method: `PUBLISH` for a file handed to the contact; none for a CalDAV
    ///   resource, where RFC 4791 forbids it.
    public func document(method: String? = nil, productID: String = "-//Atende//Agenda//PT") -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:\(productID)", "CALSCALE:GREGORIAN"]
        if let method { lines.append("METHOD:\(method)") }
        lines += [
            "BEGIN:VEVENT",
            "UID:\(Self.escape(uid))",
            "DTSTAMP:\(Self.utc(stamp))",
            "DTSTART:\(Self.utc(start))",
            "DTEND:\(Self.utc(end))",
            "SEQUENCE:\(sequence)",
            "STATUS:\(status.rawValue)",
            "SUMMARY:\(Self.escape(summary))",
        ]
        if let location, !location.isEmpty { lines.append("LOCATION:\(Self.escape(location))") }
        if let description, !description.isEmpty { lines.append("DESCRIPTION:\(Self.escape(description))") }
        lines += ["END:VEVENT", "END:VCALENDAR"]
        return lines.map(Self.fold).joined(separator: "\r\n") + "\r\n"
    }

    /// `20261127T130000Z`.
    public static func utc(_ millis: Int64) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let p = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(millis) / 1000))
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", p.year ?? 0, p.month ?? 0, p.day ?? 0, p.hour ?? 0, p.minute ?? 0, p.second ?? 0)
    }

    /// TEXT values: backslash, semicolon, comma and newlines escaped.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\\": escaped += "\\\\"
            case ";": escaped += "\\;"
            case ",": escaped += "\\,"
            case "\n", "\r\n": escaped += "\\n"
            case "\r": continue
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Lines longer than 75 octets continue on the next line after a space, never inside a character.
    static func fold(_ line: String) -> String {
        var output = ""
        var octets = 0
        var limit = 75
        for character in line {
            let size = String(character).utf8.count
            if octets + size > limit {
                output += "\r\n "
                octets = 0
                limit = 74
            }
            output.append(character)
            octets += size
        }
        return output
    }
}
