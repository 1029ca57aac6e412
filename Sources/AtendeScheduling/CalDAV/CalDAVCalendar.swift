import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Where the business's calendar collection is and how to sign in.
public struct CalDAVSettings: Sendable {
    /// The collection, ending in `/`: `https://cloud.example.com/remote.php/dav/calendars/ana/agenda/`.
    public var collectionURL: String
    public var username: String?
    public var password: String?
    public var timeoutMillis: Int64

    public init(collectionURL: String, username: String? = nil, password: String? = nil, timeoutMillis: Int64 = 10_000) {
        self.collectionURL = collectionURL.hasSuffix("/") ? collectionURL : collectionURL + "/"
        self.username = username
        self.password = password
        self.timeoutMillis = timeoutMillis
    }
}

/// A CalDAV call that failed, with what an admin can do about it. Never carries the password.
public struct CalDAVError: Error, CustomStringConvertible, Sendable {
    public var status: Int?
    public var message: String
    /// Worth trying again later: the server is down, busy or slow.
    public var retryable: Bool

    public var description: String {
        "CalDAV: \(message)" + (status.map { " (HTTP \($0))" } ?? "")
    }
}

/// The business's own calendar over CalDAV (Nextcloud, Radicale, iCloud, Google): busy times
/// to keep free, and one event per booking.
public struct CalDAVCalendar: BusyTimeSource {
    public let settings: CalDAVSettings
    let httpClient: HTTPClient

    public init(settings: CalDAVSettings, httpClient: HTTPClient) {
        self.settings = settings
        self.httpClient = httpClient
    }

    /// Busy times from a `free-busy-query`; servers that do not answer one on a collection
    /// (Google, some iCloud setups) get a `calendar-query` with recurring events expanded.
    public func busyIntervals(from: Int64, to: Int64) async throws -> [BusyInterval] {
        let range = "start=\"\(ICalendarEvent.utc(from))\" end=\"\(ICalendarEvent.utc(to))\""
        let query = """
            <?xml version="1.0" encoding="utf-8"?>
            <C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range \(range)/></C:free-busy-query>
            """
        let response = try await send("REPORT", url: settings.collectionURL, body: query, headers: ["Depth": "1"], accept: [200, 207, 400, 403, 404, 405, 415, 501])
        if response.status == 200, response.body.contains("BEGIN:VFREEBUSY") {
            return ICalendarReader.freeBusy(response.body).filter { $0.start < to && $0.end > from }
        }
        return try await busyFromEvents(from: from, to: to)
    }

    /// Busy times from the events themselves: the fallback for servers without free-busy.
    public func busyFromEvents(from: Int64, to: Int64) async throws -> [BusyInterval] {
        let range = "start=\"\(ICalendarEvent.utc(from))\" end=\"\(ICalendarEvent.utc(to))\""
        let query = """
            <?xml version="1.0" encoding="utf-8"?>
            <C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
            <D:prop><C:calendar-data><C:expand \(range)/></C:calendar-data></D:prop>
            <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range \(range)/></C:comp-filter></C:comp-filter></C:filter>
            </C:calendar-query>
            """
        let response = try await send("REPORT", url: settings.collectionURL, body: query, headers: ["Depth": "1"], accept: [207])
        return ICalendarReader.calendarData(inMultistatus: response.body).flatMap(ICalendarReader.busyEvents).filter { $0.start < to && $0.end > from }
    }

    /// Writes the event `uid` (a new one, or over the old version).
    public func putEvent(uid: String, icalendar: String) async throws {
        _ = try await send("PUT", url: eventURL(uid), body: icalendar, contentType: "text/calendar; charset=utf-8", accept: [200, 201, 204])
    }

    /// Removes the event `uid`; one already gone counts as removed.
    public func deleteEvent(uid: String) async throws {
        _ = try await send("DELETE", url: eventURL(uid), body: nil, accept: [200, 204, 404, 410])
    }

    func eventURL(_ uid: String) -> String {
        let safe = uid.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? uid
        return settings.collectionURL + safe + ".ics"
    }

    func send(
        _ method: String, url: String, body: String?, headers: [String: String] = [:], contentType: String = "application/xml; charset=utf-8", accept: Set<Int>
    ) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        if let username = settings.username, let password = settings.password {
            request.headers.add(name: "Authorization", value: "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response: HTTPClientResponse
        var text: String
        do {
            response = try await httpClient.execute(request, timeout: .milliseconds(settings.timeoutMillis))
            text = String(buffer: try await response.body.collect(upTo: 8 << 20))
        } catch {
            throw CalDAVError(status: nil, message: "cannot reach \(settings.collectionURL): \(error)", retryable: true)
        }
        let status = Int(response.status.code)
        guard accept.contains(status) else {
            let excerpt = text.prefix(200).replacingOccurrences(of: "\n", with: " ")
            switch status {
            case 401, 403:
                throw CalDAVError(status: status, message: "the server refused the credentials of '\(settings.username ?? "(none)")' for \(settings.collectionURL); check caldav.user and caldav.password", retryable: false)
            case 404:
                throw CalDAVError(status: status, message: "there is no calendar collection at \(settings.collectionURL); check caldav.url", retryable: false)
            case 429, 500...:
                throw CalDAVError(status: status, message: "\(method) \(url) failed: \(excerpt)", retryable: true)
            default:
                throw CalDAVError(status: status, message: "\(method) \(url) was refused: \(excerpt)", retryable: false)
            }
        }
        text = text.replacingOccurrences(of: "\r\n", with: "\n")
        return (status, text)
    }
}
