/// What one word can mean to the grammar in one language; read from `DateLexicon` for a token.
/// Stored in eight bytes (values are small, `absent` marks none) because the rules read it many
/// times per message and a struct of seven optionals costs a 112-byte copy each time.
struct Lexeme: Sendable {
    private static var absent: Int8 { .min }
    private var cardinalValue = absent
    private var tensValue = absent
    private var ordinalValue = absent
    private var weekdayValue = absent
    private var monthValue = absent
    private var abbreviationValue = absent
    var unit: TimeGrain?
    /// A weekday abbreviation that is also a common word ("ter"): it needs its period.
    var isRiskyWeekday = false

    static let none = Lexeme()

    var cardinal: Int? { get { Self.read(cardinalValue) } set { cardinalValue = Self.store(newValue) } }
    var tens: Int? { get { Self.read(tensValue) } set { tensValue = Self.store(newValue) } }
    var ordinal: Int? { get { Self.read(ordinalValue) } set { ordinalValue = Self.store(newValue) } }
    var weekday: Int? { get { Self.read(weekdayValue) } set { weekdayValue = Self.store(newValue) } }
    var month: Int? { get { Self.read(monthValue) } set { monthValue = Self.store(newValue) } }
    var monthAbbreviation: Int? { get { Self.read(abbreviationValue) } set { abbreviationValue = Self.store(newValue) } }

    private static func read(_ value: Int8) -> Int? { value == absent ? nil : Int(value) }
    private static func store(_ value: Int?) -> Int8 { value.map { Int8($0) } ?? absent }
}

/// The words of one language the date grammar reads, in folded form (lowercase, no accents).
/// Built once per language as static constants; the grammar only looks words up.
struct DateVocabulary: Sendable {
    let language: Language
    /// 1 = Monday … 7 = Sunday.
    let weekdays: [String: Int]
    /// Weekday abbreviations that are also common words ("ter" = to have, "sat", "sun"); they
    /// count only when written with a period or next to a date.
    let riskyWeekdays: Set<String>
    let months: [String: Int]
    /// "dez", "set", "mar", "may": months only next to a day number or a year.
    let monthAbbreviations: [String: Int]
    let cardinals: [String: Int]
    let tens: [String: Int]
    let ordinals: [String: Int]
    let units: [String: TimeGrain]

    /// Words that carry a date by themselves (a weekday, a month, a unit, "amanhã", "noon"), as
    /// opposed to prepositions; an expression must have one within its first few tokens.
    /// Every word of the tables above with all its meanings.
    func makeLexicon() -> [String: Lexeme] {
        var lexicon: [String: Lexeme] = [:]
        for (word, value) in cardinals { lexicon[word, default: .none].cardinal = value }
        for (word, value) in tens { lexicon[word, default: .none].tens = value }
        for (word, value) in ordinals { lexicon[word, default: .none].ordinal = value }
        for (word, value) in weekdays { lexicon[word, default: .none].weekday = value }
        for (word, value) in months { lexicon[word, default: .none].month = value }
        for (word, value) in monthAbbreviations { lexicon[word, default: .none].monthAbbreviation = value }
        for (word, value) in units { lexicon[word, default: .none].unit = value }
        for word in riskyWeekdays { lexicon[word, default: .none].isRiskyWeekday = true }
        return lexicon
    }

    var coreWords: Set<String> {
        var words = Set(weekdays.keys).union(months.keys).union(monthAbbreviations.keys).union(units.keys)
            .union(cardinals.keys).union(tens.keys).union(ordinals.keys)
        words.formUnion([
            "hoje", "hj", "amanha", "amnh", "ontem", "anteontem", "agora", "meio", "meia", "meiodia", "meianoite", "manha",
            "tarde", "tardinha", "noite", "noitinha", "madrugada", "almoco", "verao", "inverno", "outono", "primavera",
            "instante", "momento", "fim", "final", "resto", "today", "tomorrow", "tomorrows", "yesterday", "tonight", "tonite",
            "now", "atm", "asap", "noon", "midnight", "midday", "morning", "afternoon", "afternoonish", "evening", "night",
            "lunch", "lunchtime", "school", "weekend", "wkend", "eod", "eom", "eoy", "bom", "boy", "summer", "winter", "spring",
            "fall", "autumn", "season", "seasons", "ides", "fortnight", "moment", "half", "couple", "few", "pair", "soon",
            "week", "am", "pm", "alguns", "algumas", "end", "beginning",
        ])
        return words.union(HolidayNames.byFirstWord.keys)
    }

    static let portuguese: DateVocabulary = {
        let weekdays: [String: Int] = [
            "segunda": 1, "seg": 1, "terca": 2, "ter": 2, "quarta": 3, "qua": 3, "quinta": 4, "qui": 4,
            "sexta": 5, "sex": 5, "sabado": 6, "sab": 6, "domingo": 7, "dom": 7,
        ]
        let months: [String: Int] = [
            "janeiro": 1, "fevereiro": 2, "marco": 3, "abril": 4, "maio": 5, "junho": 6, "julho": 7,
            "agosto": 8, "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12,
        ]
        let abbreviations: [String: Int] = [
            "jan": 1, "fev": 2, "mar": 3, "abr": 4, "mai": 5, "jun": 6, "jul": 7, "ago": 8, "set": 9,
            "out": 10, "nov": 11, "dez": 12,
        ]
        let cardinals: [String: Int] = [
            "zero": 0, "um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5, "seis": 6,
            "sete": 7, "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12, "treze": 13, "quatorze": 14,
            "catorze": 14, "quinze": 15, "dezesseis": 16, "dezasseis": 16, "dezessete": 17, "dezassete": 17,
            "dezoito": 18, "dezenove": 19, "dezanove": 19,
        ]
        let tens: [String: Int] = ["vinte": 20, "trinta": 30, "quarenta": 40, "cinquenta": 50]
        let ordinals: [String: Int] = [
            "primeiro": 1, "primeira": 1, "segundo": 2, "segunda": 2, "terceiro": 3, "terceira": 3,
            "quarto": 4, "quarta": 4, "quinto": 5, "quinta": 5, "sexto": 6, "sexta": 6, "setimo": 7,
            "setima": 7, "oitavo": 8, "oitava": 8, "nono": 9, "nona": 9, "decimo": 10, "decima": 10,
            "ultimo": -1, "ultima": -1,
        ]
        let units: [String: TimeGrain] = [
            "segundo": .second, "segundos": .second, "seg": .second, "minuto": .minute, "minutos": .minute,
            "min": .minute, "mins": .minute, "hora": .hour, "horas": .hour, "h": .hour, "hs": .hour,
            "dia": .day, "dias": .day, "semana": .week, "semanas": .week, "mes": .month, "meses": .month,
            "trimestre": .quarter, "trimestres": .quarter, "ano": .year, "anos": .year,
        ]
        return DateVocabulary(
            language: .pt, weekdays: weekdays, riskyWeekdays: ["ter"], months: months,
            monthAbbreviations: abbreviations, cardinals: cardinals, tens: tens, ordinals: ordinals,
            units: units
        )
    }()

    static let english: DateVocabulary = {
        let weekdays: [String: Int] = [
            "monday": 1, "mon": 1, "tuesday": 2, "tue": 2, "tues": 2, "wednesday": 3, "wed": 3,
            "thursday": 4, "thu": 4, "thur": 4, "thurs": 4, "friday": 5, "fri": 5, "saturday": 6, "sat": 6,
            "sunday": 7, "sun": 7,
        ]
        let months: [String: Int] = [
            "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
            "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
        ]
        let abbreviations: [String: Int] = [
            "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
            "oct": 10, "nov": 11, "dec": 12,
        ]
        let cardinals: [String: Int] = [
            "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
            "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
        ]
        let tens: [String: Int] = ["twenty": 20, "thirty": 30, "forty": 40, "fifty": 50]
        let ordinals: [String: Int] = [
            "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
            "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
            "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
            "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "last": -1,
        ]
        let units: [String: TimeGrain] = [
            "second": .second, "seconds": .second, "sec": .second, "secs": .second, "minute": .minute,
            "minutes": .minute, "min": .minute, "mins": .minute, "hour": .hour, "hours": .hour, "hr": .hour,
            "hrs": .hour, "h": .hour, "day": .day, "days": .day, "week": .week, "weeks": .week,
            "month": .month, "months": .month, "quarter": .quarter, "quarters": .quarter, "qtr": .quarter,
            "qtrs": .quarter, "year": .year, "years": .year, "yr": .year, "yrs": .year,
        ]
        return DateVocabulary(
            language: .en, weekdays: weekdays, riskyWeekdays: [], months: months,
            monthAbbreviations: abbreviations, cardinals: cardinals, tens: tens, ordinals: ordinals,
            units: units
        )
    }()

    static func `for`(_ language: Language) -> DateVocabulary {
        language == .pt ? portuguese : english
    }
}
