/// A time of day as written: "15h", "3pm", "às 10 e meia". `ambiguous` is true for a 12-hour
/// reading without am/pm ("às 3" can be 3:00 or 15:00).
struct Clock: Sendable, Equatable {
    var hour: Int
    var minute = 0
    var second = 0
    var grain: TimeGrain = .hour
    var ambiguous = false

    mutating func apply(_ meridiem: Meridiem) {
        switch meridiem {
        case .am:
            if hour == 12 { hour = 0 }
        case .pm:
            if hour < 12 { hour += 12 }
        }
        ambiguous = false
    }
}

enum Meridiem: Sendable { case am, pm }

/// A part of the day ("de manhã", "tonight"): the hours it covers, end exclusive, and how it reads
/// an ambiguous hour ("3 da tarde" is 15:00).
struct DayPeriod: Sendable, Equatable {
    var start: Int
    var end: Int
    var meridiem: Meridiem
    /// Evening and night read "12" as midnight ("this evening at 12").
    var twelveIsMidnight = false
}

/// Something that already is a span of the calendar: a day, a week, "in 2 hours", a weekend.
struct Span: Sendable, Equatable {
    var start: LocalDateTime
    var grain: TimeGrain
    /// Exclusive end for what is an interval by nature (a weekend, a season, "early March").
    var end: LocalDateTime?
    /// Whether "by <this>" ends at the end of the span ("by EOM") rather than at its start.
    var isBoundary = false
}

/// The pieces of one time expression before they are combined: "amanhã" + "às 3" + "da tarde".
struct TimePoint: Sendable {
    var span: Span?
    var clock: Clock?
    var period: DayPeriod?
    /// UTC offset in seconds of a zone written after the time ("4pm CET").
    var zone: Int?
    var isEmpty: Bool { span == nil && clock == nil && period == nil }
}

/// A resolved value in wall-clock time; converted to `Date` by the extractor.
struct ResolvedTime: Sendable, Equatable {
    var from: LocalDateTime?
    var to: LocalDateTime?
    var isInterval: Bool
    var grain: TimeGrain
    var zone: Int?

    static func instant(_ time: LocalDateTime, _ grain: TimeGrain, zone: Int? = nil) -> ResolvedTime {
        ResolvedTime(from: time, to: nil, isInterval: false, grain: grain, zone: zone)
    }

    static func interval(_ from: LocalDateTime?, _ to: LocalDateTime?, _ grain: TimeGrain, zone: Int? = nil) -> ResolvedTime {
        ResolvedTime(from: from, to: to, isInterval: true, grain: grain, zone: zone)
    }
}

/// Per-message cache of `parsePoint`, `parseSpan` and `parseClock` by token index. A class so
/// the grammar's methods stay non-mutating; it never leaves one `extract` call. One array of
/// slots rather than three arrays: one allocation per message.
final class Memo {
    struct Slot {
        var point: (TimePoint, Int)??
        var span: (Span, Int)??
        var clock: (Clock, Int)??
    }

    var slots: [Slot]

    init(count: Int) {
        slots = Array(repeating: Slot(), count: count + 1)
    }
}

/// The rule-based grammar over the tokens of one message. Each `parse…` function tries one family
/// of rules at a token index and returns what it read and the index after it, or nil.
struct DateGrammar {
    let tokens: [DateToken]
    let language: Language
    let now: LocalDateTime
    /// The reference zone's offset from UTC at now, in seconds.
    let utcOffset: Int
    /// Results already computed at a token index: the rules ask for the same point or span at the
    /// same place many times while trying alternatives.
    let memo: Memo
    let nextWeekdayReading: DateExtractor.NextWeekday
    var today: LocalDateTime { now.date }

    init(tokens: [DateToken], language: Language, now: LocalDateTime, utcOffset: Int, nextWeekday: DateExtractor.NextWeekday = .nextWeek) {
        self.tokens = tokens
        self.language = language
        self.now = now
        self.utcOffset = utcOffset
        nextWeekdayReading = nextWeekday
        memo = Memo(count: tokens.count)
    }

    // MARK: Token helpers
    // The small helpers below are forced inline: the rules call them hundreds of times per message.

    @inline(__always)
    func lexeme(_ i: Int) -> Lexeme {
        guard i < tokens.count else { return Lexeme() }
        return language == .pt ? tokens[i].portuguese : tokens[i].english
    }
    func cardinalWord(_ i: Int) -> Int? { lexeme(i).cardinal }
    func unit(_ i: Int) -> TimeGrain? { lexeme(i).unit }
    func ordinalWord(_ i: Int) -> Int? { lexeme(i).ordinal }

    /// The rule word at `i` (`.other` for a word no rule names), nil past the end or for a number
    /// or symbol.
    @inline(__always)
    func word(_ i: Int) -> DateWord? {
        i < tokens.count && tokens[i].kind == .word ? tokens[i].word : nil
    }

    /// The folded spelling of word `i`, for the few rules that look inside a word ("weeks").
    func spelling(_ i: Int) -> String { i < tokens.count ? tokens[i].text : "" }

    /// Non-words carry `.other`, which no rule asks for, so one integer comparison suffices.
    @inline(__always)
    func isWord(_ i: Int, _ word: DateWord) -> Bool { i < tokens.count && tokens[i].word == word }

    /// Array literals of enum cases stay on the stack and compare as integers.
    @inline(__always)
    func isWord(_ i: Int, in list: [DateWord]) -> Bool {
        guard i < tokens.count else { return false }
        let word = tokens[i].word
        for candidate in list where candidate == word { return true }
        return false
    }

    @inline(__always)
    func number(_ i: Int) -> Int? {
        i < tokens.count && tokens[i].kind == .number && tokens[i].value >= 0 ? tokens[i].value : nil
    }

    @inline(__always)
    func digits(_ i: Int) -> Int { i < tokens.count ? tokens[i].digits : 0 }

    @inline(__always)
    func isSymbol(_ i: Int, _ symbol: Unicode.Scalar) -> Bool {
        i < tokens.count && tokens[i].kind == .symbol && tokens[i].symbol == symbol
    }

    /// Token `i` follows the previous one with no space ("3pm", "15:30").
    @inline(__always)
    func glued(_ i: Int) -> Bool { i < tokens.count && !tokens[i].spaced }

    /// Skips `a` (and `b`, `c`, `d`) if they follow at `i`. Fixed arities avoid building an array
    /// per call on this hot path.
    func match(_ i: Int, _ a: DateWord) -> Int? { isWord(i, a) ? i + 1 : nil }
    func match(_ i: Int, _ a: DateWord, _ b: DateWord) -> Int? { isWord(i, a) && isWord(i + 1, b) ? i + 2 : nil }
    func match(_ i: Int, _ a: DateWord, _ b: DateWord, _ c: DateWord) -> Int? {
        isWord(i, a) && isWord(i + 1, b) && isWord(i + 2, c) ? i + 3 : nil
    }
    func match(_ i: Int, _ a: DateWord, _ b: DateWord, _ c: DateWord, _ d: DateWord) -> Int? {
        isWord(i, a) && isWord(i + 1, b) && isWord(i + 2, c) && isWord(i + 3, d) ? i + 4 : nil
    }

    /// Skips the words of `sequence` if they all follow at `i`.
    func match(_ i: Int, _ sequence: DateWord...) -> Int? { match(i, sequence) }

    func match(_ i: Int, _ sequence: [DateWord]) -> Int? {
        var j = i
        for word in sequence {
            guard isWord(j, word) else { return nil }
            j += 1
        }
        return j
    }

    /// The end of the first of `sequences` that follows at `i`.
    func match(_ i: Int, anyOf sequences: [[DateWord]]) -> Int? {
        guard let first = word(i), first != .other else { return nil }
        // Most tokens open none of the phrases: settle that without touching the inner arrays.
        var opens = false
        for sequence in sequences where sequence[0] == first { opens = true; break }
        guard opens else { return nil }
        for sequence in sequences where sequence[0] == first {
            if let end = match(i, sequence) { return end }
        }
        return nil
    }

    /// Skips any of `fillers` at `i` (for optional articles and prepositions).
    func skip(_ i: Int, _ fillers: [DateWord]) -> Int {
        var j = i
        while isWord(j, in: fillers) { j += 1 }
        return j
    }

    /// A number written in digits or words up to 59 ("15", "quinze", "vinte e quatro",
    /// "twenty-three").
    func cardinal(_ i: Int) -> (Int, Int)? {
        if let value = number(i) { return (value, i + 1) }
        guard let text = word(i) else { return nil }
        if let value = lexeme(i).cardinal { return (value, i + 1) }
        if let tens = lexeme(i).tens {
            var j = i + 1
            if language == .pt, isWord(j, .e) { j += 1 } else if isSymbol(j, "-") { j += 1 }
            if let unit = cardinalWord(j), (1...9).contains(unit) { return (tens + unit, j + 1) }
            return (tens, i + 1)
        }
        return nil
    }

    /// A count for durations: a cardinal, or "a"/"an"/"um"/"uma", "a couple of", "a few".
    func count(_ i: Int) -> (Int, Int)? {
        if language == .en {
            var j = i
            if isWord(j, .a) || isWord(j, .an) { j += 1 }
            if isWord(j, .couple) || isWord(j, .pair) {
                j += 1
                if isWord(j, .of) { j += 1 }
                return (2, j)
            }
            if isWord(j, .few) {
                j += 1
                if isWord(j, .more) { j += 1 }
                return (3, j)
            }
            if j > i { return (1, j) }
        } else {
            if isWord(i, .alguns) || isWord(i, .algumas) || isWord(i, .uns) || isWord(i, .umas) { return (3, i + 1) }
            if isWord(i, .um) || isWord(i, .uma) {
                if isWord(i + 1, .par), isWord(i + 2, .de) { return (2, i + 3) }
                return (1, i + 1)
            }
        }
        // No one counts more than 9999 days, weeks or years ahead: larger counts are not dates, and
        // arithmetic on them would leave the range of an instant in milliseconds.
        guard let (value, next) = cardinal(i), value <= 9999 else { return nil }
        return (value, next)
    }

    /// A year: four digits, or "two thousand ten".
    func year(_ i: Int) -> (Int, Int)? {
        if let value = number(i), digits(i) == 4, (1000...2999).contains(value) { return (value, i + 1) }
        if language == .en, isWord(i, .two), isWord(i + 1, .thousand) {
            if let (rest, next) = cardinal(i + 2), rest < 100 { return (2000 + rest, next) }
            return (2000, i + 2)
        }
        return nil
    }

    /// An ordinal suffix glued to a number: "1st", "2nd", "15th", "1o", "1º".
    func ordinalSuffix(_ i: Int) -> Int {
        guard glued(i), let text = word(i) else { return i }
        switch text {
        case .st, .nd, .rd, .th: return i + 1
        case .o, .a: return language == .pt ? i + 1 : i
        default: return i
        }
    }

    /// A day of the month, in digits ("15", "15th") or words ("quinze", "fifteenth", "primeiro").
    func dayOfMonth(_ i: Int) -> (Int, Int)? {
        if let value = number(i), digits(i) <= 2, (1...31).contains(value) { return (value, ordinalSuffix(i + 1)) }
        guard let text = word(i) else { return nil }
        if language == .pt {
            if text == .primeiro { return (1, i + 1) }
            if let (value, next) = cardinal(i), (1...31).contains(value) { return (value, next) }
            return nil
        }
        if let tens = lexeme(i).tens {
            var j = i + 1
            if isSymbol(j, "-") { j += 1 }
            if let unit = ordinalWord(j), (1...9).contains(unit) { return (tens + unit, j + 1) }
        }
        if let value = lexeme(i).ordinal, value > 0 { return (value, i + 1) }
        return nil
    }

    func month(_ i: Int, allowAbbreviation: Bool) -> (Int, Int)? {
        guard let text = word(i) else { return nil }
        if let value = lexeme(i).month { return (value, isSymbol(i + 1, ".") ? i + 2 : i + 1) }
        if allowAbbreviation, let value = lexeme(i).monthAbbreviation ?? (language == .en && text == .may ? 5 : nil) {
            return (value, isSymbol(i + 1, ".") ? i + 2 : i + 1)
        }
        return nil
    }

    /// A weekday name: "segunda-feira", "terça feira", "sáb.", "Thursday". Abbreviations that are
    /// also common words need their period.
    func weekday(_ i: Int) -> (Int, Int)? {
        guard let value = lexeme(i).weekday else { return nil }
        var j = i + 1
        if lexeme(i).isRiskyWeekday {
            guard isSymbol(j, ".") else { return nil }
        }
        if isSymbol(j, ".") { j += 1 }
        if language == .pt {
            if isSymbol(j, "-"), isWord(j + 1, .feira) { j += 2 } else if isWord(j, .feira) { j += 1 }
        }
        return (value, j)
    }
}
