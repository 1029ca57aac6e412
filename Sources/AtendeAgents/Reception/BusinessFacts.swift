import AtendeCore
import AtendeScheduling
import AtendeUnderstanding
import Foundation

/// What a topic answers from the business profile instead of from an agent's canned answers:
/// an intent's `facts:` in a prompt file, or an entry of `faq:` in `negocio.yaml`.
public enum FactKind: Sendable, Hashable {
    /// Opening hours: the week, a day the question names, or whether it is open now.
    case hours
    /// The address, the map link and how to reach the business.
    case location
    case payments
    /// The services with price and duration, or the one the question names.
    case services
    /// What the business does, and its services.
    case business
    /// The answer of the `faq:` entry at this index.
    case faq(Int)

    /// The names an intent's `facts:` takes.
    static let names: [String: FactKind] = [
        "hours": .hours, "location": .location, "payments": .payments, "services": .services, "business": .business,
    ]
}

/// Reception that knows the business, with no LLM: answers to customers' most common questions
/// composed from `negocio.yaml` (hours from the calendar when there is one, holidays and closed
/// days included), in the contact's language, worded by the `reception_*` texts of `textos.yaml`.
struct BusinessFacts {
    let business: BusinessProfile
    let texts: SystemTexts

    /// The answer to `question` on `kind`, or `nil` when the profile lacks the facts (the agent's
    /// own answer is used then).
    /// `service` is the one the question is about: named in it, or by the previous answer.
    func answer(_ kind: FactKind, to question: String, service: BusinessService?, language: Language, now: Int64) -> String? {
        switch kind {
        case .hours: return hours(question, language: language, now: now)
        case .location: return location(language)
        case .payments:
            guard !business.payments.isEmpty else { return nil }
            return texts.text(.receptionPayments, language, ["payments": list(business.payments.map { $0.text(language) }, language)])
        case .services:
            guard let calendar = business.calendar, !calendar.services.isEmpty else { return nil }
            if let closed = closedDayAnswer(question, service: service, calendar: calendar, language: language, now: now) { return closed }
            if let service { return price(service, language) }
            return texts.text(.receptionServices, language, ["services": servicesList(calendar, language)])
        case .business:
            guard let calendar = business.calendar, !calendar.services.isEmpty else { return nil }
            if let closed = closedDayAnswer(question, service: service, calendar: calendar, language: language, now: now) { return closed }
            if let service { return price(service, language) }
            var text = texts.text(.receptionBusiness, language, ["services": servicesList(calendar, language)])
            let contacts = [business.website, business.phone].filter { !$0.isEmpty }
            if !contacts.isEmpty { text += "\n" + texts.text(.receptionContacts, language, ["contacts": contacts.joined(separator: " · ")]) }
            return text
        case .faq(let index):
            return business.faq.indices.contains(index) ? business.faq[index].answer.text(language) : nil
        }
    }

    /// Everything the facts say, for a model's system prompt, so it answers from them.
    func summary(language: Language, now: Int64) -> String {
        var lines = ["Facts about \(business.name) (answer from these; never invent others):"]
        if let week = weekHours(language) ?? (business.hours.isEmpty ? nil : business.hours) { lines.append("- Opening hours: \(week)") }
        if let calendar = business.calendar {
            let today = CivilDay(instant: now, in: calendar.timeZone)
            let closed = (0..<30).map { today.adding(days: $0) }.compactMap { day -> String? in
                guard let reason = calendar.closure(on: day), reason != "fechado" || calendar.closedDays.contains(day) else { return nil }
                return "\(day) (\(reason))"
            }
            if !closed.isEmpty { lines.append("- Closed in the next 30 days: \(closed.joined(separator: ", "))") }
        }
        if !business.address.isEmpty { lines.append("- Address: \(business.address)" + (business.mapsURL.isEmpty ? "" : " (map: \(business.mapsURL))")) }
        let contacts = [business.phone, business.email, business.website].filter { !$0.isEmpty }
        if !contacts.isEmpty { lines.append("- Contacts: \(contacts.joined(separator: ", "))") }
        if !business.payments.isEmpty { lines.append("- Payment methods: \(business.payments.map { $0.text(language) }.joined(separator: ", "))") }
        if let calendar = business.calendar, !calendar.services.isEmpty {
            lines.append("- Services:")
            lines += calendar.services.map { "  - " + serviceLine($0, language) }
        }
        for entry in business.faq {
            lines.append("- Q: \(entry.questions.first ?? "") A: \(entry.answer.text(language))")
        }
        return lines.joined(separator: "\n")
    }

    // MARK: Hours

    func hours(_ question: String, language: Language, now: Int64) -> String? {
        guard let calendar = business.calendar else {
            return business.hours.isEmpty ? nil : texts.text(.receptionHoursWeek, language, ["week": business.hours])
        }
        let today = CivilDay(instant: now, in: calendar.timeZone)
        let words = Set(TextNormalizer.words(question))
        if !words.isDisjoint(with: ["agora", "now", "aberto", "abertos", "aberta", "abertas"]) || question.lowercased().contains("open now") {
            return openNow(calendar, today: today, now: now, language: language)
        }
        if let day = namedDay(question, calendar: calendar, now: now, language: language) {
            return dayAnswer(day, calendar: calendar, today: today, language: language, asksWhen: Self.asksWhen(question))
        }
        let week = texts.text(.receptionHoursWeek, language, ["week": weekHours(language) ?? business.hours])
        // Asked at night or on a closed day, the week's hours also say when it opens next.
        guard openPeriod(calendar, today: today, now: now) == nil else { return week }
        return week + "\n" + openNow(calendar, today: today, now: now, language: language)
    }

    /// Whether it is open at `now`, and until when or when it opens next.
    func openNow(_ calendar: BusinessCalendar, today: CivilDay, now: Int64, language: Language) -> String {
        if let period = openPeriod(calendar, today: today, now: now) {
            return texts.text(.receptionOpenNow, language, ["until": clock(period.end, language)])
        }
        let minute = Int((now - today.startMillis(in: calendar.timeZone)) / 60_000)
        return texts.text(.receptionClosedNow, language, ["next": nextOpening(after: today, minute: minute, today: today, calendar: calendar, language: language)])
    }

    /// The opening period `now` falls in, if any.
    func openPeriod(_ calendar: BusinessCalendar, today: CivilDay, now: Int64) -> OpeningPeriod? {
        let minute = Int((now - today.startMillis(in: calendar.timeZone)) / 60_000)
        return calendar.periods(on: today).first { $0.start <= minute && minute < $0.end }
    }

    /// The first day the question names (a weekday, "amanhã", a date), in the business's zone.
    func namedDay(_ question: String, calendar: BusinessCalendar, now: Int64, language: Language) -> CivilDay? {
        let entities = calendar.dateExtractor.extract(from: question, reference: Date(timeIntervalSince1970: Double(now) / 1000), timeZone: calendar.timeZone, language: language)
        for entity in entities {
            let date: Date?
            switch entity.value {
            case .instant(let instant): date = instant
            case .interval(let from, _): date = from
            }
            guard let millis = date?.epochMillis, entity.grain <= .day || entity.grain == .week else { continue }
            return CivilDay(instant: millis, in: calendar.timeZone)
        }
        // "aos domingos", "on sundays": every such day, which the next one answers for.
        let words = TextNormalizer.words(question)
        if let weekday = words.lazy.compactMap({ Self.pluralWeekdays[$0] }).first {
            var day = CivilDay(instant: now, in: calendar.timeZone)
            while day.weekday != weekday { day = day.adding(days: 1) }
            return day
        }
        return nil
    }

    /// ISO weekdays (1 = Monday) of "segundas" … "domingos", "mondays" … "sundays".
    static let pluralWeekdays: [String: Int] = [
        "segundas": 1, "tercas": 2, "quartas": 3, "quintas": 4, "sextas": 5, "sabados": 6, "domingos": 7,
        "mondays": 1, "tuesdays": 2, "wednesdays": 3, "thursdays": 4, "fridays": 5, "saturdays": 6, "sundays": 7,
    ]

    /// "do you do nails on sundays?": when the day `question` names is closed, that comes first,
    /// then the price of `service` if there is one.
    func closedDayAnswer(_ question: String, service: BusinessService?, calendar: BusinessCalendar, language: Language, now: Int64) -> String? {
        guard let day = namedDay(question, calendar: calendar, now: now, language: language), calendar.periods(on: day).isEmpty else { return nil }
        let closed = dayAnswer(day, calendar: calendar, today: CivilDay(instant: now, in: calendar.timeZone), language: language)
        return service.map { closed + "\n" + price($0, language) } ?? closed
    }

    /// "qual o horário de sábado?", "what are your hours on saturday?": asks when, not whether.
    static func asksWhen(_ question: String) -> Bool {
        !Set(TextNormalizer.words(question)).isDisjoint(with: ["qual", "quais", "horario", "horarios", "horas", "what", "when", "which", "hours", "time", "times"])
    }

    /// `asksWhen`: the hours are said without the "yes" that answers "are you open on Saturday?".
    func dayAnswer(_ day: CivilDay, calendar: BusinessCalendar, today: CivilDay, language: Language, asksWhen: Bool = false) -> String {
        let name = dayName(day, today: today, language: language)
        if let reason = calendar.closure(on: day) {
            let why = reason == "fechado" ? "" : " (\(reason))"
            let next = nextOpening(after: day, minute: 24 * 60, today: today, calendar: calendar, language: language)
            return texts.text(.receptionClosedOn, language, ["day": name, "why": why, "next": next])
        }
        return texts.text(asksWhen ? .receptionHoursOn : .receptionOpenOn, language, ["day": name, "periods": periodsText(calendar.periods(on: day), language)])
    }

    /// "Abrimos amanhã às 9h.": the first opening after `minute` of `day`, within two weeks.
    func nextOpening(after day: CivilDay, minute: Int, today: CivilDay, calendar: BusinessCalendar, language: Language) -> String {
        for offset in 0..<14 {
            let candidate = day.adding(days: offset)
            guard let first = calendar.periods(on: candidate).first(where: { offset > 0 || $0.start > minute }) else { continue }
            return texts.text(.receptionNextOpen, language, ["day": dayName(candidate, today: today, language: language), "time": clock(first.start, language)])
        }
        return ""
    }

    /// The week as runs of days with the same hours: "segunda a sexta, das 9h às 12h e das 13h às 19h; sábado, das 9h às 14h; domingo, fechado".
    func weekHours(_ language: Language) -> String? {
        guard let calendar = business.calendar else { return nil }
        var runs: [(first: Int, last: Int, periods: [OpeningPeriod])] = []
        for weekday in 1...7 {
            let periods = calendar.hours[weekday] ?? []
            if let last = runs.last, last.periods == periods { runs[runs.count - 1].last = weekday } else { runs.append((weekday, weekday, periods)) }
        }
        let closed = language == .pt ? "fechado" : "closed"
        return runs.map { run in
            let days = run.first == run.last ? weekdayName(run.first, language) : "\(weekdayName(run.first, language)) \(language == .pt ? "a" : "to") \(weekdayName(run.last, language))"
            return "\(days), \(run.periods.isEmpty ? closed : periodsText(run.periods, language))"
        }.joined(separator: "; ")
    }

    func periodsText(_ periods: [OpeningPeriod], _ language: Language) -> String {
        let parts = periods.map { language == .pt ? "das \(clock($0.start, language)) às \(clock($0.end, language))" : "\(clock($0.start, language))–\(clock($0.end, language))" }
        return list(parts, language)
    }

    func clock(_ minute: Int, _ language: Language) -> String {
        let hour = minute / 60, rest = minute % 60
        if language == .pt { return rest == 0 ? "\(hour)h" : "\(hour)h\(String(format: "%02d", rest))" }
        return String(format: "%d:%02d", hour, rest)
    }

    func dayName(_ day: CivilDay, today: CivilDay, language: Language) -> String {
        switch today.days(until: day) {
        case 0: return language == .pt ? "hoje" : "today"
        case 1: return language == .pt ? "amanhã" : "tomorrow"
        case 2...6: return (language == .pt ? "" : "on ") + weekdayName(day.weekday, language)
        default: return (language == .pt ? "" : "on ") + "\(weekdayName(day.weekday, language)) \(String(format: "%02d/%02d", day.day, day.month))"
        }
    }

    func weekdayName(_ weekday: Int, _ language: Language) -> String {
        let pt = ["segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo"]
        let en = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        let names = language == .pt ? pt : en
        return names[min(max(weekday, 1), 7) - 1]
    }

    // MARK: Location, services

    func location(_ language: Language) -> String? {
        guard !business.address.isEmpty else { return nil }
        var text = texts.text(.receptionLocation, language)
        if !business.mapsURL.isEmpty { text += "\n" + business.mapsURL }
        let contacts = [business.phone, business.email, business.website].filter { !$0.isEmpty }
        if !contacts.isEmpty { text += "\n" + texts.text(.receptionContacts, language, ["contacts": contacts.joined(separator: " · ")]) }
        return text
    }

    func price(_ service: BusinessService, _ language: Language) -> String {
        texts.text(.receptionPrice, language, ["service": service.name, "price": service.price ?? (language == .pt ? "a combinar" : "on request"), "minutes": "\(service.minutes)"])
    }

    func servicesList(_ calendar: BusinessCalendar, _ language: Language) -> String {
        calendar.services.map { "• " + serviceLine($0, language) }.joined(separator: "\n")
    }

    func serviceLine(_ service: BusinessService, _ language: Language) -> String {
        "\(service.name): \(service.price.map { $0 + ", " } ?? "")\(service.minutes) min"
    }

    func list(_ items: [String], _ language: Language) -> String {
        guard items.count > 1, let last = items.last else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + (language == .pt ? " e " : " and ") + last
    }
}
