import AtendeCore
import Foundation

/// Reads the parts of iCalendar text the gateway needs: busy periods of a `VFREEBUSY`, and the
/// times of `VEVENT`s.
public enum ICalendarReader {
    /// One content line: `NAME;PARAM=x:value`.
    struct Line {
        var name: String
        var parameters: [String: String]
        var value: String
    }

    /// Lines with folding undone (a line starting with a space or tab continues the previous one).
    static func lines(_ text: String) -> [Line] {
        var unfolded: [String] = []
        for raw in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = raw.first, first == " " || first == "\t", !unfolded.isEmpty {
                unfolded[unfolded.count - 1] += raw.dropFirst()
            } else if !raw.isEmpty {
                unfolded.append(String(raw))
            }
        }
        return unfolded.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let head = line[..<colon].split(separator: ";")
            guard let name = head.first else { return nil }
            var parameters: [String: String] = [:]
            for parameter in head.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { parameters[pair[0].uppercased()] = String(pair[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
            return Line(name: name.uppercased(), parameters: parameters, value: String(line[line.index(after: colon)...]))
        }
    }

    /// `FREEBUSY` periods of type BUSY, BUSY-UNAVAILABLE or BUSY-TENTATIVE (FREE is free).
    public static func freeBusy(_ text: String) -> [BusyInterval] {
        lines(text).filter { $0.name == "FREEBUSY" && ($0.parameters["FBTYPE"]?.uppercased() ?? "BUSY") != "FREE" }.flatMap { line in
            line.value.split(separator: ",").compactMap { period -> BusyInterval? in
                let ends = period.split(separator: "/")
                guard ends.count == 2, let start = instant(String(ends[0]), parameters: [:]) else { return nil }
                let end = instant(String(ends[1]), parameters: [:]) ?? duration(String(ends[1])).map { start + $0 }
                guard let end, end > start else { return nil }
                return BusyInterval(start: start, end: end, takesAllCapacity: true)
            }
        }
    }

    /// The busy time of each `VEVENT` that blocks time (not transparent, not cancelled).
    public static func busyEvents(_ text: String) -> [BusyInterval] {
        var events: [BusyInterval] = []
        var current: [Line]?
        for line in lines(text) {
            if line.name == "BEGIN", line.value.uppercased() == "VEVENT" { current = [] }
            else if line.name == "END", line.value.uppercased() == "VEVENT", let event = current {
                current = nil
                if let busy = busy(event) { events.append(busy) }
            } else { current?.append(line) }
        }
        return events
    }

    static func busy(_ event: [Line]) -> BusyInterval? {
        func first(_ name: String) -> Line? { event.first { $0.name == name } }
        if first("TRANSP")?.value.uppercased() == "TRANSPARENT" || first("STATUS")?.value.uppercased() == "CANCELLED" { return nil }
        guard let startLine = first("DTSTART"), let start = instant(startLine.value, parameters: startLine.parameters) else { return nil }
        let allDay = startLine.parameters["VALUE"]?.uppercased() == "DATE" || startLine.value.count == 8
        var end: Int64?
        if let endLine = first("DTEND") { end = instant(endLine.value, parameters: endLine.parameters) }
        if end == nil, let length = first("DURATION").flatMap({ duration($0.value) }) { end = start + length }
        let finish = end ?? start + (allDay ? 86_400_000 : 0)
        return finish > start ? BusyInterval(start: start, end: finish, takesAllCapacity: true) : nil
    }

    /// `20261127T130000Z`, `20261127T100000` with `TZID`, or a `20261127` date. A date, or a time
    /// with neither `Z` nor a known zone, is read in UTC: servers expanding a query answer in UTC.
    static func instant(_ value: String, parameters: [String: String]) -> Int64? {
        let digits = value.filter { $0.isNumber }
        guard digits.count == 8 || digits.count == 14 else { return nil }
        let numbers = Array(digits)
        func number(_ range: Range<Int>) -> Int { Int(String(numbers[range])) ?? 0 }
        var components = DateComponents(year: number(0..<4), month: number(4..<6), day: number(6..<8))
        if digits.count == 14 {
            components.hour = number(8..<10)
            components.minute = number(10..<12)
            components.second = number(12..<14)
        }
        var calendar = Calendar(identifier: .gregorian)
        let zone = value.hasSuffix("Z") ? nil : parameters["TZID"].flatMap(TimeZone.init(identifier:))
        calendar.timeZone = zone ?? TimeZone(secondsFromGMT: 0)!
        return calendar.date(from: components)?.epochMillis
    }

    /// `PT1H30M`, `P1D`, `P2W`, `-PT15M` → milliseconds.
    static let longestDurationSeconds: Int64 = 366 * 86_400

    static func duration(_ value: String) -> Int64? {
        var text = Substring(value.uppercased())
        var sign: Int64 = 1
        if text.first == "-" { sign = -1; text = text.dropFirst() } else if text.first == "+" { text = text.dropFirst() }
        guard text.first == "P" else { return nil }
        text = text.dropFirst()
        var total: Int64 = 0
        var digits = ""
        var inTime = false
        for character in text {
            if character.isNumber { digits.append(character); continue }
            if character == "T" { inTime = true; continue }
            // The server's numbers are anyone's: at most 9 digits each, and the total held to a
            // year, so no multiplication or sum can overflow.
            guard digits.count <= 9, let amount = Int64(digits) else { return nil }
            digits = ""
            let seconds: Int64
            switch (character, inTime) {
            case ("W", false): seconds = amount * 7 * 86_400
            case ("D", false): seconds = amount * 86_400
            case ("H", true): seconds = amount * 3600
            case ("M", true): seconds = amount * 60
            case ("S", true): seconds = amount
            default: return nil
            }
            total = min(total + seconds, Self.longestDurationSeconds)
        }
        return digits.isEmpty ? sign * total * 1000 : nil
    }

    /// The iCalendar texts inside a `calendar-query` multistatus answer, XML entities undone.
    public static func calendarData(inMultistatus xml: String) -> [String] {
        var texts: [String] = []
        var rest = Substring(xml)
        while let open = rest.range(of: "calendar-data") {
            // The element's start tag ends at the next '>'; a self-closed tag carries nothing.
            guard let tagEnd = rest[open.upperBound...].firstIndex(of: ">") else { break }
            if rest[rest.index(before: tagEnd)] == "/" { rest = rest[rest.index(after: tagEnd)...]; continue }
            let content = rest[rest.index(after: tagEnd)...]
            guard let close = content.range(of: "</") else { break }
            let body = String(content[..<close.lowerBound])
            if body.contains("BEGIN:VCALENDAR") { texts.append(unescapeXML(body)) }
            rest = content[close.upperBound...]
            if let after = rest.firstIndex(of: ">") { rest = rest[rest.index(after: after)...] }
        }
        return texts
    }

    static func unescapeXML(_ text: String) -> String {
        var text = text
        if text.hasPrefix("<![CDATA["), text.hasSuffix("]]>") { return String(text.dropFirst(9).dropLast(3)) }
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'"), ("&#13;", "\r"), ("&#xD;", "\r"), ("&#10;", "\n"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text
    }
}
