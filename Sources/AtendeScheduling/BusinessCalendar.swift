import AtendeCore
import AtendeUnderstanding
import AtendeYAML
import Foundation

/// Something the business offers, with how long it takes.
public struct BusinessService: Sendable, Hashable {
    public var id: String
    public var name: String
    /// Other words customers use for it ("corte", "cortar o cabelo").
    public var aliases: [String]
    public var minutes: Int
    /// Free text, shown as written ("R$ 80", "gratuita").
    public var price: String?

    public init(id: String, name: String, aliases: [String] = [], minutes: Int, price: String? = nil) {
        self.id = id
        self.name = name
        self.aliases = aliases
        self.minutes = minutes
        self.price = price
    }
}

/// `[start, end)` minutes after midnight: one stretch of opening hours.
public struct OpeningPeriod: Sendable, Hashable {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }
}

/// The business's calendar as the admin wrote it in the `calendar:` section of
/// `prompts/negocio.yaml`: when it opens, what it offers, and the booking rules.
public struct BusinessCalendar: Sendable, Hashable {
    public var timeZone: TimeZone
    /// ISO weekday (1 = Monday … 7 = Sunday) → its opening periods, in order; absent = closed.
    public var hours: [Int: [OpeningPeriod]]
    public var closesOnHolidays: Bool
    public var closedDays: Set<CivilDay>
    /// Days open even though they are holidays.
    public var openDays: Set<CivilDay>
    public var services: [BusinessService]
    public var slotMinutes: Int
    public var bufferMinutes: Int
    public var minimumNoticeMinutes: Int
    public var horizonDays: Int
    public var capacity: Int
    public var holdMinutes: Int
    /// Minutes before the appointment each reminder goes out.
    public var reminderOffsetsMinutes: [Int]
    /// How this business's customers mean "sexta que vem" (`next_weekday`).
    public var nextWeekday = DateExtractor.NextWeekday.nextWeek

    /// The date reader for this business's customers.
    public var dateExtractor: DateExtractor {
        DateExtractor(nextWeekday: nextWeekday)
    }

    public init(
        timeZone: TimeZone, hours: [Int: [OpeningPeriod]], closesOnHolidays: Bool = true, closedDays: Set<CivilDay> = [], openDays: Set<CivilDay> = [],
        services: [BusinessService], slotMinutes: Int = 30, bufferMinutes: Int = 0, minimumNoticeMinutes: Int = 60, horizonDays: Int = 60, capacity: Int = 1,
        holdMinutes: Int = 10, reminderOffsetsMinutes: [Int] = [24 * 60, 60]
    ) {
        self.timeZone = timeZone
        self.hours = hours
        self.closesOnHolidays = closesOnHolidays
        self.closedDays = closedDays
        self.openDays = openDays
        self.services = services
        self.slotMinutes = slotMinutes
        self.bufferMinutes = bufferMinutes
        self.minimumNoticeMinutes = minimumNoticeMinutes
        self.horizonDays = horizonDays
        self.capacity = capacity
        self.holdMinutes = holdMinutes
        self.reminderOffsetsMinutes = reminderOffsetsMinutes
    }

    public func service(id: String) -> BusinessService? {
        services.first { $0.id == id }
    }

    /// The service a customer's message names, by its id, name or an alias, as whole words with
    /// accents and case ignored; the longest match wins ("corte e escova" over "corte").
    public func service(matching text: String) -> BusinessService? {
        let words = TextNormalizer.words(text)
        guard !words.isEmpty else { return nil }
        let padded = " " + words.joined(separator: " ") + " "
        var best: (service: BusinessService, length: Int)?
        for service in services {
            for name in [service.id, service.name] + service.aliases {
                let phrase = TextNormalizer.words(name).joined(separator: " ")
                guard !phrase.isEmpty, padded.contains(" " + phrase + " ") else { continue }
                if phrase.count > best?.length ?? 0 { best = (service, phrase.count) }
            }
        }
        return best?.service
    }

    /// Why the business is closed on `day`: a holiday's name, "fechado" for a closed day or a
    /// weekday without hours; `nil` when it opens.
    public func closure(on day: CivilDay) -> String? {
        if closedDays.contains(day) { return "fechado" }
        if closesOnHolidays, !openDays.contains(day), let holiday = BrazilianHolidays.holiday(on: day) { return holiday }
        if hours[day.weekday]?.isEmpty ?? true { return "fechado" }
        return nil
    }

    /// The day's opening periods, empty when closed.
    public func periods(on day: CivilDay) -> [OpeningPeriod] {
        closure(on: day) == nil ? hours[day.weekday] ?? [] : []
    }

    // MARK: Reading the file

    static let keys: Set<String> = [
        "time_zone", "slot_minutes", "buffer_minutes", "minimum_notice_minutes", "horizon_days", "capacity", "hold_minutes", "reminders",
        "holidays", "closed", "open", "hours", "services", "next_weekday",
    ]
    static let weekdays: [String: Int] = [
        "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7,
        "seg": 1, "ter": 2, "qua": 3, "qui": 4, "sex": 5, "sab": 6, "dom": 7,
    ]

    /// Reads the `calendar:` section; every problem names the file, line and key.
    public static func parse(_ node: YAMLNode, defaultTimeZone: String) throws -> BusinessCalendar {
        let top = try node.mapping(allowed: keys)
        let zoneName = try top.string("time_zone") ?? defaultTimeZone
        guard let timeZone = TimeZone(identifier: zoneName) else {
            throw (top["time_zone"] ?? node).problem("'\(zoneName)' is not an IANA time zone name such as America/Sao_Paulo")
        }
        var hours: [Int: [OpeningPeriod]] = [:]
        for (name, value) in try top.required("hours").mappingEntries() {
            guard let weekday = weekdays[name.lowercased()] else {
                throw value.problem("'\(name)' is not a weekday; use seg, ter, qua, qui, sex, sab, dom (or mon … sun)")
            }
            guard hours[weekday] == nil else { throw value.problem("the hours of '\(name)' are given twice") }
            hours[weekday] = try periods(value)
        }
        guard hours.values.contains(where: { !$0.isEmpty }) else { throw try top.required("hours").problem("the business needs opening hours on at least one day") }
        var services: [BusinessService] = []
        for item in try top.required("services").sequence() {
            let fields = try item.mapping(allowed: ["id", "name", "aliases", "minutes", "price"])
            let id = try fields.requiredString("id")
            guard id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }), id.allSatisfy(\.isASCII) else {
                throw try fields.required("id").problem("a service id uses only letters without accents, digits, '-' and '_': '\(id)'")
            }
            guard !services.contains(where: { $0.id == id }) else { throw try fields.required("id").problem("the service id '\(id)' is used twice") }
            services.append(BusinessService(
                id: id, name: try fields.requiredString("name"), aliases: try fields["aliases"]?.strings() ?? [],
                minutes: try fields.required("minutes").int(in: 5...(24 * 60)), price: try fields.string("price")
            ))
        }
        guard !services.isEmpty else { throw try top.required("services").problem("list at least one service to book") }
        var calendar = BusinessCalendar(timeZone: timeZone, hours: hours, services: services)
        if let node = top["slot_minutes"] { calendar.slotMinutes = try node.int(in: 5...(24 * 60)) }
        if let node = top["buffer_minutes"] { calendar.bufferMinutes = try node.int(in: 0...(24 * 60)) }
        if let node = top["minimum_notice_minutes"] { calendar.minimumNoticeMinutes = try node.int(in: 0...(30 * 24 * 60)) }
        if let node = top["horizon_days"] { calendar.horizonDays = try node.int(in: 1...730) }
        if let node = top["capacity"] { calendar.capacity = try node.int(in: 1...1000) }
        if let node = top["hold_minutes"] { calendar.holdMinutes = try node.int(in: 1...(24 * 60)) }
        if let node = top["holidays"] { calendar.closesOnHolidays = try node.bool() }
        if let node = top["next_weekday"] {
            let name = try node.string()
            guard let reading = DateExtractor.NextWeekday(rawValue: name) else {
                throw node.problem("next_weekday is next_week (\"sexta que vem\" is next week's Friday) or coming (the coming Friday), not '\(name)'")
            }
            calendar.nextWeekday = reading
        }
        if let node = top["reminders"] {
            calendar.reminderOffsetsMinutes = try (node.isSequence ? node.sequence() : [node]).map { item in
                let text = try item.string()
                guard let minutes = duration(text) else { throw item.problem("'\(text)' is not a time before the appointment, up to 30 days, such as 24h, 1h, 30m or 2d") }
                return minutes
            }
        }
        calendar.closedDays = try days(top["closed"])
        calendar.openDays = try days(top["open"])
        return calendar
    }

    /// `"09:00-12:00, 13:00-19:00"`, or `closed` / `fechado`.
    static func periods(_ node: YAMLNode) throws -> [OpeningPeriod] {
        let text = try node.string().trimmingCharacters(in: .whitespaces)
        if ["closed", "fechado", ""].contains(text.lowercased()) { return [] }
        var periods: [OpeningPeriod] = []
        for part in text.split(separator: ",") {
            let ends = part.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
            guard ends.count == 2, let start = minutes(ends[0]), let end = minutes(ends[1]) else {
                throw node.problem("'\(part.trimmingCharacters(in: .whitespaces))' is not a period such as 09:00-12:00")
            }
            guard start < end else { throw node.problem("'\(part.trimmingCharacters(in: .whitespaces))' ends before it starts") }
            if let previous = periods.last, start < previous.end {
                throw node.problem("the periods overlap or are out of order: list them from morning to evening, such as 09:00-12:00, 13:00-19:00")
            }
            periods.append(OpeningPeriod(start: start, end: end))
        }
        return periods
    }

    /// `09:00`, `9h`, `9:30`, `24:00` → minutes after midnight.
    static func minutes(_ text: String) -> Int? {
        let parts = text.lowercased().replacingOccurrences(of: "h", with: ":").split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let hour = Int(parts[0]) else { return nil }
        let minute = parts.count == 2 && !parts[1].isEmpty ? Int(parts[1]) : 0
        guard let minute, (0...59).contains(minute), (0...24).contains(hour), hour < 24 || minute == 0 else { return nil }
        return hour * 60 + minute
    }

    /// `30m`, `1h`, `2d` → minutes, at most 30 days (a reminder further ahead is no reminder).
    static func duration(_ text: String) -> Int? {
        guard let unit = text.last, let number = Int(text.dropLast()), (1...999_999).contains(number) else { return nil }
        let minutes: Int
        switch unit {
        case "m": minutes = number
        case "h": minutes = number * 60
        case "d": minutes = number * 24 * 60
        default: return nil
        }
        return minutes <= 30 * 24 * 60 ? minutes : nil
    }

    static func days(_ node: YAMLNode?) throws -> Set<CivilDay> {
        guard let node else { return [] }
        return Set(try (node.isSequence ? node.sequence() : [node]).map { item in
            let text = try item.string()
            guard let day = CivilDay(text) else { throw item.problem("'\(text)' is not a date such as 2026-12-24") }
            return day
        })
    }
}
