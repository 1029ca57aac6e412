import AsyncHTTPClient
import AtendeScheduling
import Foundation
import Testing

/// The CalDAV client against a real Radicale server (`scripts/radicale`, which `scripts/test`
/// always runs), and its iCalendar reading without one.
@Suite struct CalDAVTests {
    static let environment = ProcessInfo.processInfo.environment
    static let url = environment["ATENDE_TEST_CALDAV_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let hasServer = url != nil
    static let hour: Int64 = 3_600_000
    /// 2026-11-27 00:00 UTC.
    static let friday: Int64 = 1_795_737_600_000

    static func calendar(password: String? = environment["ATENDE_TEST_CALDAV_PASSWORD"]) throws -> CalDAVCalendar {
        CalDAVCalendar(
            settings: CalDAVSettings(collectionURL: try #require(url), username: environment["ATENDE_TEST_CALDAV_USER"], password: password),
            httpClient: HTTPClient.shared
        )
    }

    static func event(_ uid: String, _ start: Int64, _ end: Int64, extra: [String] = []) -> String {
        (["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", "UID:\(uid)", "DTSTAMP:20261101T000000Z",
          "DTSTART:\(ICalendarEvent.utc(start))", "DTEND:\(ICalendarEvent.utc(end))", "SUMMARY:busy"] + extra + ["END:VEVENT", "END:VCALENDAR"])
            .joined(separator: "\r\n") + "\r\n"
    }

    @Test("events written are busy, removed ones free again; free-busy and the event query agree", .enabled(if: hasServer, "ATENDE_TEST_CALDAV_URL is not set (scripts/test runs a Radicale)"))
    func busyTimesFromARealServer() async throws {
        let calendar = try Self.calendar()
        let uid = "test-\(UUID().uuidString)"
        try await calendar.putEvent(uid: uid, icalendar: Self.event(uid, Self.friday + 13 * Self.hour, Self.friday + 14 * Self.hour))
        // A local time with its zone: 15:00 in São Paulo is 18:00 UTC.
        let zoned = "zoned-\(UUID().uuidString)"
        let zonedEvent = """
            BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTIMEZONE\r\nTZID:America/Sao_Paulo\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:-0300\r\nTZOFFSETTO:-0300\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:\(zoned)\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=America/Sao_Paulo:20261127T150000\r\nDURATION:PT30M\r\nSUMMARY:zoned\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n
            """
        try await calendar.putEvent(uid: zoned, icalendar: zonedEvent)
        // Transparent events do not block time.
        let free = "free-\(UUID().uuidString)"
        try await calendar.putEvent(uid: free, icalendar: Self.event(free, Self.friday + 20 * Self.hour, Self.friday + 21 * Self.hour, extra: ["TRANSP:TRANSPARENT"]))

        let expected = [
            BusyInterval(start: Self.friday + 13 * Self.hour, end: Self.friday + 14 * Self.hour, takesAllCapacity: true),
            BusyInterval(start: Self.friday + 18 * Self.hour, end: Self.friday + 18 * Self.hour + Self.hour / 2, takesAllCapacity: true),
        ]
        let busy = try await calendar.busyIntervals(from: Self.friday, to: Self.friday + 24 * Self.hour)
        #expect(busy.sorted { $0.start < $1.start } == expected)
        let fromEvents = try await calendar.busyFromEvents(from: Self.friday, to: Self.friday + 24 * Self.hour)
        #expect(fromEvents.sorted { $0.start < $1.start } == expected)

        try await calendar.deleteEvent(uid: uid)
        try await calendar.deleteEvent(uid: uid)
        let after = try await calendar.busyIntervals(from: Self.friday, to: Self.friday + 24 * Self.hour)
        #expect(after == [expected[1]])
        try await calendar.deleteEvent(uid: zoned)
        try await calendar.deleteEvent(uid: free)
    }

    @Test("a wrong password is a clear error that is not retried, and does not carry the password", .enabled(if: hasServer, "ATENDE_TEST_CALDAV_URL is not set"))
    func wrongPassword() async throws {
        let calendar = try Self.calendar(password: "not-the-password")
        let error = try await #require(throws: CalDAVError.self) { try await calendar.busyIntervals(from: Self.friday, to: Self.friday + Self.hour) }
        #expect(error.status == 401 && !error.retryable)
        #expect(error.description.contains("caldav.password") && !error.description.contains("not-the-password"))
    }

    @Test("an unreachable server is a retryable error")
    func unreachable() async throws {
        let calendar = CalDAVCalendar(settings: CalDAVSettings(collectionURL: "http://127.0.0.1:9/cal/", timeoutMillis: 2000), httpClient: HTTPClient.shared)
        let error = try await #require(throws: CalDAVError.self) { try await calendar.putEvent(uid: "x", icalendar: "") }
        #expect(error.retryable && error.status == nil)
    }

    @Test("VFREEBUSY periods: lists, durations, folded lines; FREE is not busy")
    func readsFreeBusy() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VFREEBUSY\r\nFREEBUSY;FBTYPE=BUSY:20261127T130000Z/20261127T140000Z,20261127T150\r\n 000Z/PT1H30M\r\nFREEBUSY;FBTYPE=FREE:20261127T180000Z/20261127T190000Z\r\nFREEBUSY:20261127T200000Z/PT15M\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n"
        #expect(ICalendarReader.freeBusy(text) == [
            BusyInterval(start: Self.friday + 13 * Self.hour, end: Self.friday + 14 * Self.hour, takesAllCapacity: true),
            BusyInterval(start: Self.friday + 15 * Self.hour, end: Self.friday + 16 * Self.hour + Self.hour / 2, takesAllCapacity: true),
            BusyInterval(start: Self.friday + 20 * Self.hour, end: Self.friday + 20 * Self.hour + Self.hour / 4, takesAllCapacity: true),
        ])
    }

    @Test("VEVENT times: UTC, a zone, all-day, a duration; cancelled and transparent events skipped; XML entities undone")
    func readsEvents() {
        let events = """
            <d:multistatus xmlns:d="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><d:response><d:propstat><d:prop><C:calendar-data>BEGIN:VCALENDAR
            BEGIN:VEVENT
            DTSTART;TZID=America/Sao_Paulo:20261127T100000
            DTEND;TZID=America/Sao_Paulo:20261127T110000
            SUMMARY:Caf&#233; &amp; reuni&#227;o
            END:VEVENT
            BEGIN:VEVENT
            DTSTART;VALUE=DATE:20261128
            SUMMARY:feriado
            END:VEVENT
            BEGIN:VEVENT
            DTSTART:20261127T200000Z
            DURATION:PT45M
            STATUS:CANCELLED
            END:VEVENT
            END:VCALENDAR
            </C:calendar-data></d:prop></d:propstat></d:response></d:multistatus>
            """
        let texts = ICalendarReader.calendarData(inMultistatus: events)
        #expect(texts.count == 1)
        #expect(texts.flatMap(ICalendarReader.busyEvents) == [
            BusyInterval(start: Self.friday + 13 * Self.hour, end: Self.friday + 14 * Self.hour, takesAllCapacity: true),
            BusyInterval(start: Self.friday + 24 * Self.hour, end: Self.friday + 48 * Self.hour, takesAllCapacity: true),
        ])
    }

    /// A calendar server's numbers are anyone's: a duration no Int64 holds is held to a year.
    @Test func hugeDurationsAreHeldToAYear() {
        let year: Int64 = 366 * 86_400_000
        for duration in ["P99999999999999W", "P999999999W999999999W999999999W", "PT9223372036854775807S"] {
            let text = "BEGIN:VEVENT\nDTSTART:20261127T130000Z\nDURATION:\(duration)\nEND:VEVENT\n"
            let events = ICalendarReader.busyEvents(text)
            #expect(events.count <= 1)
            if let event = events.first { #expect(event.end - event.start <= year, "\(duration)") }
        }
        let periods = ICalendarReader.freeBusy("FREEBUSY:20261127T130000Z/P99999999999999999999W\n")
        #expect(periods.allSatisfy { $0.end - $0.start <= year })
    }
}
