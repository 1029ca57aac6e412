import Foundation

/// How a holiday's date is found in a given Gregorian year.
enum HolidayRule: Sendable {
    case fixed(month: Int, day: Int)
    /// `n`th weekday (1 = Monday) of a month; `n` = -1 for the last.
    case nthWeekday(n: Int, weekday: Int, month: Int, offset: Int)
    /// Days after (Western) Easter Sunday.
    case easter(offset: Int)
    case orthodoxEaster(offset: Int)
    /// A day of the Hebrew calendar (Foundation's months: 1 = Tishrei … 7 = Adar (II), 8 = Nisan,
    /// 13 = Elul). Jewish days begin at sunset, so `offset` -1 gives the eve, as Duckling does.
    case hebrew(month: Int, day: Int, offset: Int)
    /// A day of the Islamic (Umm al-Qura) calendar.
    case islamic(month: Int, day: Int)
    /// The last Friday of Ramadan.
    case lastFridayOfRamadan
    /// A day of the Chinese lunisolar calendar.
    case chinese(month: Int, day: Int)
    /// October 16, moved to the nearest weekday.
    case bossDay
    /// April 27, or the 26th when the 27th is a Sunday.
    case kingsDay
    /// The Shahenshahi calendar has no leap years: new year moves a day earlier every four years.
    case parsiNewYear
    /// The day the sun enters a sidereal sign (Makar Sankranti, Vaisakhi): a known transit plus
    /// whole sidereal years, read in India's time; a transit after sunset (18:00) is kept the next day.
    case solarTransit(epoch: Int, offset: Int)
    case yomHaatzmaut
    case yomHashoah
    case tishaBav
}

struct Holiday: Sendable {
    var names: [String]
    var rule: HolidayRule
    /// Days covered; more than 1 makes an interval (Hanukkah, Ramadan).
    var length: Int = 1
    /// An interval ending on another rule's day (Lent ends at Easter).
    var endRule: HolidayRule?

    /// The holiday's first day (and exclusive end for intervals) in Gregorian year `year`.
    func days(in year: Int) -> (LocalDateTime, LocalDateTime?)? {
        guard let start = HolidayCalendar.date(rule, year: year) else { return nil }
        if let endRule, let end = HolidayCalendar.date(endRule, year: year) { return (start, end) }
        return (start, length > 1 ? start.adding(days: length) : nil)
    }
}

enum HolidayCalendar {
    static let utc = TimeZone(secondsFromGMT: 0)!

    static func date(_ rule: HolidayRule, year: Int) -> LocalDateTime? {
        switch rule {
        case let .fixed(month, day):
            return LocalDateTime(year: year, month: month, day: day)
        case let .nthWeekday(n, weekday, month, offset):
            return LocalDateTime.nthWeekday(n, weekday, month: month, year: year).adding(days: offset)
        case let .easter(offset):
            return easter(year).adding(days: offset)
        case let .orthodoxEaster(offset):
            return orthodoxEaster(year).adding(days: offset)
        case let .hebrew(month, day, offset):
            return hebrew(month: month, day: day, inGregorianYear: year)?.adding(days: offset)
        case let .islamic(month, day):
            return islamic(month: month, day: day, inGregorianYear: year)
        case .lastFridayOfRamadan:
            guard let end = islamic(month: 10, day: 1, inGregorianYear: year) else { return nil }
            return end.adding(days: -(LocalDateTime.floorModulo(end.weekday - 5 - 1, 7) + 1))
        case let .chinese(month, day):
            return chinese(month: month, day: day, inGregorianYear: year)
        case .bossDay:
            let day = LocalDateTime(year: year, month: 10, day: 16)
            switch day.weekday {
            case 6: return day.adding(days: -1)
            case 7: return day.adding(days: 1)
            default: return day
            }
        case .kingsDay:
            let day = LocalDateTime(year: year, month: 4, day: 27)
            return day.weekday == 7 ? day.adding(days: -1) : day
        case .parsiNewYear:
            let base = LocalDateTime(year: 2018, month: 8, day: 17)
            let yearsSince = year - 2018
            let candidate = base.adding(days: yearsSince * 365)
            return candidate.year == year ? candidate : nil
        case let .solarTransit(epoch, offset):
            let siderealYear = 365.256_363 * 86_400
            let base = LocalDateTime(secondsSinceEpoch: epoch)
            let transit = Double(epoch) + Double(year - base.year) * siderealYear
            var day = LocalDateTime(secondsSinceEpoch: Int(transit) + 19_800)
            if day.hour >= 18 { day = day.adding(days: 1) }
            return day.date.adding(days: offset)
        case .yomHaatzmaut:
            // 5 Iyar, moved earlier from Friday/Saturday and later from Monday; eve like the others.
            guard let day = hebrew(month: 9, day: 5, inGregorianYear: year) else { return nil }
            switch day.weekday {
            case 5: return day.adding(days: -2)
            case 6: return day.adding(days: -3)
            case 1: return day
            default: return day.adding(days: -1)
            }
        case .yomHashoah:
            guard let day = hebrew(month: 8, day: 27, inGregorianYear: year) else { return nil }
            switch day.weekday {
            case 5: return day.adding(days: -2)
            case 7: return day
            default: return day.adding(days: -1)
            }
        case .tishaBav:
            // 9 Av; postponed to Sunday when it falls on the Sabbath.
            guard let day = hebrew(month: 12, day: 9, inGregorianYear: year) else { return nil }
            return day.weekday == 6 ? day : day.adding(days: -1)
        }
    }

    static func easter(_ year: Int) -> LocalDateTime {
        let (month, day) = WesternEaster.monthAndDay(year: year)
        return LocalDateTime(year: year, month: month, day: day)
    }

    /// Julian computus (Meeus), converted to the Gregorian calendar.
    static func orthodoxEaster(_ year: Int) -> LocalDateTime {
        let a = year % 4, b = year % 7, c = year % 19
        let d = (19 * c + 15) % 30
        let e = (2 * a + 4 * b - d + 34) % 7
        let month = (d + e + 114) / 31
        let day = (d + e + 114) % 31 + 1
        let julianToGregorian = year / 100 - year / 400 - 2
        return LocalDateTime(year: year, month: month, day: day).adding(days: julianToGregorian)
    }

    private static func calendar(_ identifier: Calendar.Identifier) -> Calendar {
        var calendar = Calendar(identifier: identifier)
        calendar.timeZone = utc
        return calendar
    }

    private static func local(_ date: Date) -> LocalDateTime {
        LocalDateTime(secondsSinceEpoch: Int(date.timeIntervalSince1970))
    }

    static func hebrew(month: Int, day: Int, inGregorianYear year: Int) -> LocalDateTime? {
        let calendar = calendar(.hebrew)
        for hebrewYear in [year + 3760, year + 3761] {
            var month = month
            // Adar of a common year is Foundation's month 6 … check what the year has.
            if month == 7, !isHebrewLeap(hebrewYear) { month = 6 }
            var components = DateComponents()
            components.year = hebrewYear
            components.month = month
            components.day = day
            guard let date = calendar.date(from: components) else { continue }
            let found = local(date)
            if found.year == year { return found }
        }
        return nil
    }

    static func isHebrewLeap(_ year: Int) -> Bool { (7 * year + 1) % 19 < 7 }

    static func islamic(month: Int, day: Int, inGregorianYear year: Int) -> LocalDateTime? {
        let calendar = calendar(.islamicUmmAlQura)
        let approximate = Int((Double(year - 622) * 33.0 / 32.0).rounded())
        var best: LocalDateTime?
        for islamicYear in (approximate - 2)...(approximate + 2) {
            var components = DateComponents()
            components.year = islamicYear
            components.month = month
            components.day = day
            guard let date = calendar.date(from: components) else { continue }
            let found = local(date)
            if found.year == year, best == nil || found < best! { best = found }
        }
        return best
    }

    static func chinese(month: Int, day: Int, inGregorianYear year: Int) -> LocalDateTime? {
        let calendar = calendar(.chinese)
        var probe = LocalDateTime(year: year, month: 1, day: 15).adding(days: (month - 1) * 29 + day - 12)
        for _ in 0..<50 {
            let date = probe.instant(atUTCOffset: 0)
            let components = calendar.dateComponents([.month, .day, .isLeapMonth], from: date)
            if components.month == month, components.day == day, components.isLeapMonth != true { return probe }
            probe = probe.adding(days: 1)
        }
        return nil
    }
}

/// The holidays the grammar knows by name, in folded words ("new years eve" also matches
/// "New Year's Eve"). Names are looked up by their first word.
enum HolidayNames {
    static let all: [Holiday] = [
        // Brazil (and Christian feasts named in Portuguese)
        Holiday(names: ["natal", "dia de natal"], rule: .fixed(month: 12, day: 25)),
        Holiday(names: ["vespera de natal", "noite de natal"], rule: .fixed(month: 12, day: 24)),
        Holiday(names: ["ano novo", "reveillon", "dia de ano novo", "primeiro do ano"], rule: .fixed(month: 1, day: 1)),
        Holiday(names: ["vespera de ano novo", "virada do ano"], rule: .fixed(month: 12, day: 31)),
        Holiday(names: ["carnaval", "terca de carnaval", "terca feira de carnaval"], rule: .easter(offset: -47)),
        Holiday(names: ["quarta feira de cinzas", "quarta de cinzas"], rule: .easter(offset: -46)),
        Holiday(names: ["sexta feira santa", "sexta santa", "paixao de cristo"], rule: .easter(offset: -2)),
        Holiday(names: ["pascoa", "domingo de pascoa"], rule: .easter(offset: 0)),
        Holiday(names: ["tiradentes", "dia de tiradentes"], rule: .fixed(month: 4, day: 21)),
        Holiday(names: ["dia do trabalho", "dia do trabalhador"], rule: .fixed(month: 5, day: 1)),
        Holiday(names: ["corpus christi"], rule: .easter(offset: 60)),
        Holiday(names: ["dia da independencia", "independencia do brasil", "sete de setembro"], rule: .fixed(month: 9, day: 7)),
        Holiday(names: ["dia de nossa senhora aparecida", "nossa senhora aparecida", "dia das criancas"], rule: .fixed(month: 10, day: 12)),
        Holiday(names: ["finados", "dia de finados"], rule: .fixed(month: 11, day: 2)),
        Holiday(names: ["proclamacao da republica"], rule: .fixed(month: 11, day: 15)),
        Holiday(names: ["dia da consciencia negra", "consciencia negra"], rule: .fixed(month: 11, day: 20)),
        Holiday(names: ["dia das maes"], rule: .nthWeekday(n: 2, weekday: 7, month: 5, offset: 0)),
        Holiday(names: ["dia dos pais"], rule: .nthWeekday(n: 2, weekday: 7, month: 8, offset: 0)),
        Holiday(names: ["dia dos namorados"], rule: .fixed(month: 6, day: 12)),
        // English
        Holiday(names: ["thanksgiving day", "thanksgiving"], rule: .nthWeekday(n: 4, weekday: 4, month: 11, offset: 0)),
        Holiday(names: ["black friday"], rule: .nthWeekday(n: 4, weekday: 4, month: 11, offset: 1)),
        Holiday(names: ["christmas day", "christmas", "xmas", "xmas day"], rule: .fixed(month: 12, day: 25)),
        Holiday(names: ["christmas eve", "xmas eve"], rule: .fixed(month: 12, day: 24)),
        Holiday(names: ["new years eve", "new year eve"], rule: .fixed(month: 12, day: 31)),
        Holiday(names: ["new years day", "new year day", "new years"], rule: .fixed(month: 1, day: 1)),
        Holiday(names: ["valentines day", "valentine day", "valentines"], rule: .fixed(month: 2, day: 14)),
        Holiday(names: ["halloween"], rule: .fixed(month: 10, day: 31)),
        Holiday(names: ["bosss day", "boss day", "bosss", "bosses day"], rule: .bossDay),
        Holiday(names: ["mlk day", "mlk jr day", "martin luther king day", "martin luther kings day", "martin luther king jr day", "civil rights day"],
                rule: .nthWeekday(n: 3, weekday: 1, month: 1, offset: 0)),
        Holiday(names: ["world vegan day"], rule: .fixed(month: 11, day: 1)),
        Holiday(names: ["st patricks day", "st paddys day", "saint patricks day", "saint paddys day", "st patrick day", "saint patrick day"], rule: .fixed(month: 3, day: 17)),
        Holiday(names: ["independence day", "fourth of july"], rule: .fixed(month: 7, day: 4)),
        Holiday(names: ["memorial day"], rule: .nthWeekday(n: -1, weekday: 1, month: 5, offset: 0)),
        Holiday(names: ["labor day", "labour day"], rule: .nthWeekday(n: 1, weekday: 1, month: 9, offset: 0)),
        Holiday(names: ["mothers day", "mother day"], rule: .nthWeekday(n: 2, weekday: 7, month: 5, offset: 0)),
        Holiday(names: ["fathers day", "father day"], rule: .nthWeekday(n: 3, weekday: 7, month: 6, offset: 0)),
        Holiday(names: ["easter sunday", "easter"], rule: .easter(offset: 0)),
        Holiday(names: ["easter monday", "easter mon"], rule: .easter(offset: 1)),
        Holiday(names: ["good friday", "great friday"], rule: .easter(offset: -2)),
        Holiday(names: ["maundy thursday", "covenant thursday", "covenant thu", "thursday of mysteries", "thu of mysteries", "holy thursday"], rule: .easter(offset: -3)),
        Holiday(names: ["palm sunday", "branch sunday"], rule: .easter(offset: -7)),
        Holiday(names: ["pentecost", "white sunday", "whit sunday", "whitsunday"], rule: .easter(offset: 49)),
        Holiday(names: ["whit monday", "monday of the holy spirit", "pentecost monday"], rule: .easter(offset: 50)),
        Holiday(names: ["trinity sunday"], rule: .easter(offset: 56)),
        Holiday(names: ["ascension day", "ascension thursday"], rule: .easter(offset: 39)),
        Holiday(names: ["shrove tuesday", "pancake day", "mardi gras", "pancake tuesday"], rule: .easter(offset: -47)),
        Holiday(names: ["ash wednesday"], rule: .easter(offset: -46)),
        Holiday(names: ["lent"], rule: .easter(offset: -46), endRule: .easter(offset: 0)),
        Holiday(names: ["orthodox easter sunday", "orthodox easter"], rule: .orthodoxEaster(offset: 0)),
        Holiday(names: ["orthodox good friday", "orthodox great friday"], rule: .orthodoxEaster(offset: -2)),
        Holiday(names: ["clean monday", "orthodox shrove monday", "pure monday"], rule: .orthodoxEaster(offset: -48)),
        Holiday(names: ["lazarus saturday"], rule: .orthodoxEaster(offset: -8)),
        Holiday(names: ["great fast", "great lent"], rule: .orthodoxEaster(offset: -48), endRule: .orthodoxEaster(offset: -8)),
        Holiday(names: ["chinese new year", "chinese lunar new year", "chinese new years day", "chinese lunar new years day", "chinese new years", "lunar new year", "spring festival"],
                rule: .chinese(month: 1, day: 1)),
        Holiday(names: ["vesak", "vaisakha", "buddha day", "buddha purnima"], rule: .chinese(month: 4, day: 15)),
        // Jewish holidays start at sunset: Duckling reports the eve.
        Holiday(names: ["yom kippur"], rule: .hebrew(month: 1, day: 10, offset: -1)),
        Holiday(names: ["shemini atzeret"], rule: .hebrew(month: 1, day: 22, offset: -1)),
        Holiday(names: ["simchat torah", "simhat torah"], rule: .hebrew(month: 1, day: 23, offset: -1)),
        Holiday(names: ["tisha bav", "tisha beav"], rule: .tishaBav),
        Holiday(names: ["yom haatzmaut"], rule: .yomHaatzmaut),
        Holiday(names: ["lag bomer", "lag baomer"], rule: .hebrew(month: 9, day: 18, offset: -1)),
        Holiday(names: ["yom hashoah", "holocaust day", "holocaust remembrance day"], rule: .yomHashoah),
        Holiday(names: ["rosh hashanah", "rosh hashana", "rosh hashanna"], rule: .hebrew(month: 1, day: 1, offset: -1), length: 3),
        Holiday(names: ["chanukah", "hanukah", "hannukkah", "hanukkah", "chanukkah", "hannukah"], rule: .hebrew(month: 3, day: 25, offset: -1), length: 8),
        Holiday(names: ["passover", "pesach"], rule: .hebrew(month: 8, day: 15, offset: -1), length: 9),
        Holiday(names: ["sukkot", "succos", "feast of the ingathering", "feast of tabernacles", "feast of booths"], rule: .hebrew(month: 1, day: 15, offset: -1), length: 9),
        Holiday(names: ["shavuot", "shavuos"], rule: .hebrew(month: 10, day: 6, offset: -1), length: 3),
        Holiday(names: ["tu bishvat", "tu bshvat"], rule: .hebrew(month: 5, day: 15, offset: -1)),
        Holiday(names: ["purim"], rule: .hebrew(month: 7, day: 14, offset: -1)),
        Holiday(names: ["shushan purim"], rule: .hebrew(month: 7, day: 15, offset: -1)),
        // Islamic
        Holiday(names: ["eid al fitr", "eid ul fitr", "id ul fitr", "eid"], rule: .islamic(month: 10, day: 1)),
        Holiday(names: ["eid al adha", "id ul adha", "eid ul adha", "sacrifice feast", "bakr id", "bakrid"], rule: .islamic(month: 12, day: 10)),
        Holiday(names: ["mawlid al nabawi", "mawlid", "mawlid an nabi"], rule: .islamic(month: 3, day: 12)),
        Holiday(names: ["laylat al kadr", "laylat al qadr", "night of measures", "night of power"], rule: .islamic(month: 9, day: 27)),
        Holiday(names: ["islamic new year", "amun jadid", "hijri new year"], rule: .islamic(month: 1, day: 1)),
        Holiday(names: ["day of ashura", "ashura"], rule: .islamic(month: 1, day: 10)),
        Holiday(names: ["jamat ul vida", "jumuatul wida"], rule: .lastFridayOfRamadan),
        Holiday(names: ["isra and miraj", "prophets ascension", "night journey", "ascension to heaven"], rule: .islamic(month: 7, day: 27)),
        Holiday(names: ["ramadan"], rule: .islamic(month: 9, day: 1), endRule: .islamic(month: 10, day: 1)),
        // Hindu and Sikh festivals fixed by the sun: Makar Sankranti 2018-01-14 08:15 UTC and
        // Mesha Sankranti 2018-04-14 02:43 UTC are the epochs.
        Holiday(names: ["pongal", "thai pongal", "makara sankranthi", "makar sankranti", "makara sankranti", "maghi"], rule: .solarTransit(epoch: 1_515_917_700, offset: 0)),
        Holiday(names: ["bogi pandigai", "bhogi", "boghi"], rule: .solarTransit(epoch: 1_515_917_700, offset: -1)),
        Holiday(names: ["maattu pongal", "mattu pongal"], rule: .solarTransit(epoch: 1_515_917_700, offset: 1)),
        Holiday(names: ["kaanum pongal", "kanni pongal"], rule: .solarTransit(epoch: 1_515_917_700, offset: 2)),
        Holiday(names: ["vaisakhi", "baisakhi", "vasakhi", "vaishakhi"], rule: .solarTransit(epoch: 1_523_673_780, offset: 0)),
        // Others with a calendar rule
        Holiday(names: ["parsi new year", "jamshedi navroz"], rule: .parsiNewYear),
        Holiday(names: ["koningsdag", "kings day"], rule: .kingsDay),
    ]

    /// Names split into words, indexed by their first word.
    static let byFirstWord: [String: [(words: [String], holiday: Int)]] = {
        var index: [String: [(words: [String], holiday: Int)]] = [:]
        for (position, holiday) in all.enumerated() {
            for name in holiday.names {
                let words = name.split(separator: " ").map(String.init)
                index[words[0], default: []].append((words, position))
            }
        }
        for key in index.keys { index[key]!.sort { $0.words.count > $1.words.count } }
        return index
    }()

    /// The same names as lexicon entries, so matching a name compares integers.
    static let byFirstEntry: [Int32: [(entries: [Int32], holiday: Int)]] = {
        var index: [Int32: [(entries: [Int32], holiday: Int)]] = [:]
        for (word, candidates) in byFirstWord {
            index[DateLexicon.entry(word)] = candidates.map { (entries: $0.words.map(DateLexicon.entry), holiday: $0.holiday) }
        }
        return index
    }()
}

/// Easter Sunday of the Western churches, which Carnaval, Good Friday and Corpus Christi follow.
public enum WesternEaster {
    /// Anonymous Gregorian computus.
    public static func monthAndDay(year: Int) -> (month: Int, day: Int) {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        return ((h + l - 7 * m + 114) / 31, (h + l - 7 * m + 114) % 31 + 1)
    }
}
