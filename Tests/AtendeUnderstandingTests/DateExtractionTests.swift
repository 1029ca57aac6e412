import AtendeUnderstanding
import Foundation
import Testing

/// Chat phrases against a fixed "now": Friday 2026-11-20 10:00 in São Paulo (no DST since 2019).
struct DateExtractionTests {
    static let saoPaulo = TimeZone(identifier: "America/Sao_Paulo")!
    /// 2026-11-20T10:00:00-03:00
    static let reference = Date(timeIntervalSince1970: 1_795_179_600)

    struct Case: CustomTestStringConvertible, Sendable {
        var text: String
        /// ISO text of the instant, or "from – to" ("nil" for an open side).
        var value: String
        var grain: TimeGrain
        /// The span in Unicode scalars; nil means the whole text.
        var range: Range<Int>?
        var testDescription: String { text }

        init(_ text: String, _ value: String, _ grain: TimeGrain, _ range: Range<Int>? = nil) {
            self.text = text
            self.value = value
            self.grain = grain
            self.range = range
        }
    }

    static func describe(_ entity: TimeEntity, in zone: TimeZone) -> String {
        switch entity.value {
        case let .instant(date):
            return ISO8601Text.string(date, in: zone)
        case let .interval(from, to):
            return "\(from.map { ISO8601Text.string($0, in: zone) } ?? "nil") – \(to.map { ISO8601Text.string($0, in: zone) } ?? "nil")"
        }
    }

    /// "sexta que vem" is next week's Friday by default and the coming Friday where the business
    /// reads it so; a phrase that names the week is next week's either way.
    @Test func nextWeekdayIsReadAsTheBusinessReadsIt() {
        let monday = Date(timeIntervalSince1970: 1_795_179_600 + 3 * 86_400)  // 2026-11-23 10:00
        func day(_ text: String, _ reading: DateExtractor.NextWeekday, at reference: Date = monday) -> String? {
            guard let entity = DateExtractor(nextWeekday: reading).extract(from: text, reference: reference, timeZone: Self.saoPaulo, language: nil).first,
                case .instant(let date) = entity.value else { return nil }
            return String(ISO8601Text.string(date, in: Self.saoPaulo).prefix(10))
        }
        #expect(day("sexta que vem", .nextWeek) == "2026-12-04")
        #expect(day("sexta que vem", .coming) == "2026-11-27")
        #expect(day("próxima sexta", .coming) == "2026-11-27")
        #expect(day("next friday", .coming) == "2026-11-27")
        #expect(day("next friday", .nextWeek) == "2026-12-04")
        #expect(day("sexta da semana que vem", .coming) == "2026-12-04")
        #expect(day("semana que vem na sexta", .coming) == "2026-12-04")
        // Said on that Friday, the coming one is a week later.
        let friday = Date(timeIntervalSince1970: 1_795_179_600 + 7 * 86_400)
        #expect(day("sexta que vem", .coming, at: friday) == "2026-12-04")
    }

    static func check(_ item: Case, language: Language?, zone: TimeZone = saoPaulo, reference: Date = reference) {
        let entities = DateExtractor().extract(from: item.text, reference: reference, timeZone: zone, language: language)
        #expect(entities.count == 1, "\(item.text): \(entities.map { describe($0, in: zone) })")
        guard let entity = entities.first else { return }
        #expect(describe(entity, in: zone) == item.value, "\(item.text)")
        #expect(entity.grain == item.grain, "\(item.text)")
        #expect(entity.range == (item.range ?? 0..<item.text.unicodeScalars.count), "\(item.text)")
    }

    static let portuguese: [Case] = [
        Case("amanha as 3 da tarde da pra marcar?", "2026-11-21T15:00:00.000-03:00", .hour, 0..<20),
        Case("hoje", "2026-11-20T00:00:00.000-03:00", .day),
        Case("amanhã", "2026-11-21T00:00:00.000-03:00", .day),
        Case("amanha", "2026-11-21T00:00:00.000-03:00", .day),
        Case("depois de amanhã", "2026-11-22T00:00:00.000-03:00", .day),
        Case("daqui a 3 dias", "2026-11-23T10:00:00.000-03:00", .hour),
        Case("sexta", "2026-11-27T00:00:00.000-03:00", .day),
        Case("sabado", "2026-11-21T00:00:00.000-03:00", .day),
        Case("terca", "2026-11-24T00:00:00.000-03:00", .day),
        Case("próxima terça", "2026-11-24T00:00:00.000-03:00", .day),
        Case("pode ser quarta que vem às 14h30?", "2026-11-25T14:30:00.000-03:00", .minute, 9..<32),
        Case("25/11", "2026-11-25T00:00:00.000-03:00", .day),
        Case("dia 25", "2026-11-25T00:00:00.000-03:00", .day),
        Case("25 de novembro", "2026-11-25T00:00:00.000-03:00", .day),
        Case("1º de dezembro", "2026-12-01T00:00:00.000-03:00", .day),
        Case("dia 5", "2026-12-05T00:00:00.000-03:00", .day),
        Case("15h", "2026-11-20T15:00:00.000-03:00", .hour),
        Case("15:30", "2026-11-20T15:30:00.000-03:00", .minute),
        Case("às 10 e meia", "2026-11-20T10:30:00.000-03:00", .minute),
        Case("as 3", "2026-11-20T15:00:00.000-03:00", .hour),
        Case("meio-dia", "2026-11-20T12:00:00.000-03:00", .hour),
        Case("8 da noite", "2026-11-20T20:00:00.000-03:00", .hour),
        Case("3 da tarde", "2026-11-20T15:00:00.000-03:00", .hour),
        Case("de manhã", "2026-11-20T04:00:00.000-03:00 – 2026-11-20T12:00:00.000-03:00", .hour),
        Case("à tarde", "2026-11-20T12:00:00.000-03:00 – 2026-11-20T19:00:00.000-03:00", .hour),
        Case("depois do almoço", "2026-11-20T13:00:00.000-03:00 – 2026-11-20T17:00:00.000-03:00", .hour),
        Case("posso ir sexta de manhã?", "2026-11-27T04:00:00.000-03:00 – 2026-11-27T12:00:00.000-03:00", .hour, 9..<23),
        Case("entre 14h e 16h", "2026-11-20T14:00:00.000-03:00 – 2026-11-20T17:00:00.000-03:00", .hour),
        Case("depois das 15h", "2026-11-20T15:00:00.000-03:00 – nil", .hour),
        // After "das", a bare hour is a time, as after "às"; a plural noun after it is not.
        Case("depois das 17", "2026-11-20T17:00:00.000-03:00 – nil", .hour),
        Case("amanha a partir das 14", "2026-11-21T14:00:00.000-03:00 – nil", .hour),
        Case("antes do meio-dia", "nil – 2026-11-20T12:00:00.000-03:00", .hour),
        Case("semana que vem", "2026-11-23T00:00:00.000-03:00", .week),
        Case("natal", "2026-12-25T00:00:00.000-03:00", .day),
        Case("vou no carnaval", "2027-02-09T00:00:00.000-03:00", .day, 4..<15),
        // The week first, then the day; noon with its article; parts of parts of the day.
        Case("semana que vem na quinta às 16h", "2026-11-26T16:00:00.000-03:00", .hour),
        Case("na próxima semana, terça às 10", "2026-11-24T10:00:00.000-03:00", .hour),
        Case("quinta da semana que vem às 16h", "2026-11-26T16:00:00.000-03:00", .hour),
        Case("amanhã ao meio-dia", "2026-11-21T12:00:00.000-03:00", .hour),
        Case("terça da semana que vem ao meio dia", "2026-11-24T12:00:00.000-03:00", .hour),
        Case("amanhã cedo", "2026-11-21T06:00:00.000-03:00 – 2026-11-21T10:00:00.000-03:00", .hour),
        Case("sexta no fim da tarde", "2026-11-27T17:00:00.000-03:00 – 2026-11-27T19:00:00.000-03:00", .hour),
        Case("quinta no começo da tarde", "2026-11-26T12:00:00.000-03:00 – 2026-11-26T14:00:00.000-03:00", .hour),
        Case("sexta no fim do dia", "2026-11-27T16:00:00.000-03:00 – 2026-11-27T20:00:00.000-03:00", .hour),
    ]

    static let english: [Case] = [
        Case("next Friday", "2026-11-27T00:00:00.000-03:00", .day),
        Case("in 2 hours", "2026-11-20T12:00:00.000-03:00", .minute),
        Case("Dec 3", "2026-12-03T00:00:00.000-03:00", .day),
        Case("3pm", "2026-11-20T15:00:00.000-03:00", .hour),
        Case("tonight", "2026-11-20T18:00:00.000-03:00 – 2026-11-21T00:00:00.000-03:00", .hour),
        Case("from 2 to 4pm", "2026-11-20T14:00:00.000-03:00 – 2026-11-20T17:00:00.000-03:00", .hour),
        Case("can we meet tomorrow at 3pm?", "2026-11-21T15:00:00.000-03:00", .hour, 12..<27),
        Case("thanksgiving", "2026-11-26T00:00:00.000-03:00", .day),
        Case("easter 2027", "2027-03-28T00:00:00.000-03:00", .day),
        Case("next week on thursday at 4pm", "2026-11-26T16:00:00.000-03:00", .hour),
        Case("tomorrow at noon", "2026-11-21T12:00:00.000-03:00", .hour),
        Case("friday late afternoon", "2026-11-27T17:00:00.000-03:00 – 2026-11-27T19:00:00.000-03:00", .hour),
        Case("tomorrow early", "2026-11-21T06:00:00.000-03:00 – 2026-11-21T10:00:00.000-03:00", .hour),
    ]

    @Test(arguments: portuguese)
    func portuguesePhrases(_ item: Case) {
        Self.check(item, language: .pt)
        // The language guess must get there alone too.
        Self.check(item, language: nil)
    }

    @Test(arguments: english)
    func englishPhrases(_ item: Case) {
        Self.check(item, language: .en)
        // Unhinted text ("Dec 3", "3pm") gets the other grammar when the first finds nothing.
        Self.check(item, language: nil)
    }

    /// New York changes to daylight time on 2026-03-08: "tomorrow at 15h" is at UTC-4, now at UTC-5.
    @Test func daylightSavingZone() {
        let newYork = TimeZone(identifier: "America/New_York")!
        let reference = Date(timeIntervalSince1970: 1_772_895_600) // 2026-03-07T10:00:00-05:00
        Self.check(Case("amanhã às 15h", "2026-03-08T15:00:00.000-04:00", .hour), language: .pt, zone: newYork, reference: reference)
        Self.check(Case("hoje", "2026-03-07T00:00:00.000-05:00", .day), language: .pt, zone: newYork, reference: reference)
    }

    @Test func utcZone() {
        let utc = TimeZone(identifier: "UTC")!
        let reference = Date(timeIntervalSince1970: 1_795_183_200) // 2026-11-20T10:00:00Z
        Self.check(Case("amanhã", "2026-11-21T00:00:00.000+00:00", .day), language: .pt, zone: utc, reference: reference)
        Self.check(Case("at 5pm", "2026-11-20T17:00:00.000+00:00", .hour), language: .en, zone: utc, reference: reference)
    }

    /// Counts no one uses for dates are not read as dates: the instants would not fit in an Int64
    /// of milliseconds, and loops over them would never end.
    @Test(arguments: ["quero marcar nos próximos 999999999 anos", "últimos 292277050 anos", "next 999999999 years", "999999999 fridays from now"])
    func hugeCountsAreNoDates(_ text: String) {
        for entity in DateExtractor().extract(from: text, reference: Self.reference, timeZone: Self.saoPaulo) {
            switch entity.value {
            case .instant(let date): #expect(abs(date.timeIntervalSince(Self.reference)) < 10_000 * 366 * 86_400, "\(text)")
            case .interval(let from, let to):
                for end in [from, to].compactMap({ $0 }) { #expect(abs(end.timeIntervalSince(Self.reference)) < 10_000 * 366 * 86_400, "\(text)") }
            }
        }
    }

    static let negatives = [
        "tenho 2 filhos", "pedido 12345", "custa 50 reais", "2 pizzas", "R$ 15,00", "meu número é (11) 98765-4321",
        "11 98765-4321", "boa tarde", "bom dia, tudo bem?", "quero 3 unidades", "obrigado!", "I have 2 kids", "good morning",
        "call me at 555-123-4567", "ter uma consulta", "depois das 3 sessões eu paro",
    ]

    @Test(arguments: negatives)
    func noTimeIn(_ text: String) {
        let entities = DateExtractor().extract(from: text, reference: Self.reference, timeZone: Self.saoPaulo)
        #expect(entities.isEmpty, "\(entities.map { Self.describe($0, in: Self.saoPaulo) })")
    }

    @Test func iso8601Text() {
        let date = Date(timeIntervalSince1970: 1_360_792_800) // 2013-02-13T22:00:00Z
        #expect(ISO8601Text.string(date, in: TimeZone(secondsFromGMT: -7200)!) == "2013-02-13T20:00:00.000-02:00")
        #expect(ISO8601Text.string(date, in: TimeZone(secondsFromGMT: 19800)!) == "2013-02-14T03:30:00.000+05:30")
    }
}
