import Foundation

/// Finds dates and times in chat messages, Portuguese or English, relative to when the message
/// was written in the contact's time zone: "amanha as 3 da tarde", "sexta que vem de manhã",
/// "entre 14h e 16h", "next Friday 3pm".
public struct DateExtractor: Sendable {
    /// How "sexta que vem", "próxima sexta" and "next Friday" are read: Friday of next week (the
    /// default, as Duckling and "semana que vem na sexta" read it) or the coming Friday.
    public enum NextWeekday: String, Sendable, CaseIterable {
        /// Said on Monday 23/11, "sexta que vem" is Friday 04/12.
        case nextWeek = "next_week"
        /// Said on Monday 23/11, "sexta que vem" is Friday 27/11; said on that Friday, 04/12.
        case coming
    }

    public var nextWeekday: NextWeekday

    public init(nextWeekday: NextWeekday = .nextWeek) {
        self.nextWeekday = nextWeekday
    }

    /// `language` nil lets the extractor pick from the words of the message. Portuguese reads
    /// "5/6" as day/month, English as month/day.
    public func extract(from text: String, reference: Date, timeZone: TimeZone, language: Language? = nil) -> [TimeEntity] {
        let tokens = DateTokenizer.tokens(text)
        // No token carrying a date means no date; and an expression must have one near its start,
        // so most positions of a message are never parsed.
        guard tokens.contains(where: \.isCore) else { return [] }
        let given = language
        let guess = Self.guessLanguage(tokens)
        let first = parse(tokens, language: given ?? guess.language, reference: reference, timeZone: timeZone)
        // Nothing in either language's words ("Dec 3", "5/6"): the other grammar gets a try.
        guard first.isEmpty, given == nil, !guess.hinted else { return first }
        return parse(tokens, language: guess.language == .pt ? .en : .pt, reference: reference, timeZone: timeZone)
    }

    private func parse(_ tokens: [DateToken], language: Language, reference: Date, timeZone: TimeZone) -> [TimeEntity] {
        // One zone lookup (an ICU call on Linux) serves both the wall-clock now and the offset.
        let utcOffset = timeZone.secondsFromGMT(for: reference)
        let now = LocalDateTime(secondsSinceEpoch: Int(reference.timeIntervalSince1970.rounded(.down)) + utcOffset)
        let grammar = DateGrammar(tokens: tokens, language: language, now: now, utcOffset: utcOffset, nextWeekday: nextWeekday)
        var entities: [TimeEntity] = []
        var i = 0
        while i < tokens.count {
            if tokens[i].canStart, tokens[i..<min(i + 5, tokens.count)].contains(where: \.isCore),
               let (resolved, end) = grammar.parseExpression(i), end > i {
                entities.append(Self.entity(resolved, range: tokens[i].start..<tokens[end - 1].end, timeZone: timeZone))
                i = end
            } else {
                i += 1
            }
        }
        return entities
    }

    /// Words that begin an expression without carrying a date themselves ("às", "depois",
    /// "next", "the").
    static let leadingWords: Set<String> = [
        "as", "a", "o", "os", "no", "na", "de", "do", "da", "das", "dos", "dia", "em", "entre", "desde", "depois", "antes",
        "ate", "apos", "daqui", "dentro", "faz", "fazem", "ha", "por", "la", "pelas", "pela", "pelo", "nesta", "nessa",
        "neste", "nesse", "esta", "essa", "este", "esse", "proxima", "proximo", "proximos", "proximas", "ultimo", "ultima",
        "ultimos", "ultimas", "passado", "passada", "passados", "passadas", "anterior", "anteriores", "meados", "inicio", "comeco", "toda", "nao", "durante", "ao",
        "at", "on", "the", "in", "from", "between", "after", "before", "since", "until", "untill", "till", "through", "thru",
        "by", "within", "around", "about", "approximately", "approx", "for", "this", "next", "last", "past", "previous",
        "an", "early", "mid", "late", "all", "rest", "start", "anytime", "sometimes", "later", "not", "starting", "right",
        "just", "current", "coming", "upcoming", "following", "during", "over", "@", "(",
    ]

    static let portugueseHints: Set<String> = [
        "de", "da", "do", "que", "para", "pra", "pro", "voce", "vc", "nao", "sim", "as", "ate", "depois", "antes", "hoje", "amanha",
        "ontem", "manha", "tarde", "noite", "semana", "mes", "ano", "dia", "proxima", "proximo", "entre", "e", "em", "no", "na",
        "meio", "meia", "horas", "hora", "segunda", "terca", "quarta", "quinta", "sexta", "sabado", "domingo", "marcar", "pode",
        "ser", "tem", "quero", "queria", "consigo", "posso", "dias", "agora", "passada", "passado", "vem", "um", "uma", "o", "os",
        "com", "por", "favor", "obrigado", "obrigada", "oi", "ola", "bom", "boa", "tudo", "isso", "esse", "essa", "este", "esta",
    ]
    static let englishHints: Set<String> = [
        "the", "at", "on", "in", "to", "and", "of", "is", "are", "can", "could", "would", "i", "we", "you", "my", "me", "please",
        "next", "last", "this", "tomorrow", "today", "yesterday", "tonight", "morning", "afternoon", "evening", "night", "week",
        "month", "year", "from", "after", "before", "until", "between", "pm", "am", "monday", "tuesday", "wednesday", "thursday",
        "friday", "saturday", "sunday", "day", "days", "hours", "hour", "minutes", "ago", "book", "want", "need", "meet", "see",
        "by", "for", "it", "an", "be", "do", "does", "what", "when", "how", "noon", "midnight", "christmas", "easter",
    ]

    /// Portuguese unless the message has more English words (the gateway is Portuguese first).
    /// The language with more hint words; `hinted` is false when no word leaned either way.
    static func guessLanguage(_ tokens: [DateToken]) -> (language: Language, hinted: Bool) {
        let entries = DateLexicon.entries
        var portuguese = 0
        var english = 0
        for token in tokens where token.entry >= 0 {
            let info = entries[Int(token.entry)]
            if info.hintsPortuguese { portuguese += 1 }
            if info.hintsEnglish { english += 1 }
        }
        return (english > portuguese ? .en : .pt, english != portuguese)
    }

    static func entity(_ resolved: ResolvedTime, range: Range<Int>, timeZone: TimeZone) -> TimeEntity {
        func date(_ time: LocalDateTime?) -> Date? {
            guard let time else { return nil }
            if let zone = resolved.zone { return time.instant(atUTCOffset: zone) }
            return time.instant(in: timeZone)
        }
        let value: TimeEntity.Value = resolved.isInterval
            ? .interval(from: date(resolved.from), to: date(resolved.to))
            : .instant(date(resolved.from)!)
        return TimeEntity(value: value, grain: resolved.grain, range: range)
    }
}
