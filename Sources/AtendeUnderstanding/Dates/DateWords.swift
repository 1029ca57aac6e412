/// Every word the grammar's rules name. Tokens carry one of these (or `.other`) so a rule compares
/// a small integer instead of a `String`; the raw value is the folded spelling the tokenizer
/// produces, used only once to build `DateLexicon`.
enum DateWord: String, Sendable, CaseIterable {
    /// A word no rule names, or a token that is not a word.
    case other = " "
    case a, about, actual, ad, after, afternoon, afternoonish, ago, agora, algumas, alguns, all, almoco, am
    case amanha, amnh, an, and, ano, anteontem, anterior, anteriores, antes, anytime, ao, aos, apos, approx
    case approximately, around, `as`, asap, `at`, ate, atm, atras, atual, autumn, b, back, bc, before, beginning, bem
    case between, bom, boy, brt, bst, but, by, c, cdt, cedinho, cedo, cest, cet, clock, comecinho, comeco, coming, corrente
    case couple, cst, current, d, da, daqui, das, day, de, decim, dentro, depois, desde, dessa, desse, desta
    case deste, dia, dias, `do`, dos, durante, during, e, early, edt, eet, em, end, entre, eod, eom, eoy, essa
    case esse, est, esta, estacao, este, evening, fall, faz, fazem, feira, few, fim, final, finalzinho, following
    case `for`, fortnight, from, gmt, good, h, ha, half, hence, hj, hoje, hora, horas, hour, hours, hrs, hs
    case ides, `in`, inicio, instante, inverno, ish, ist, jr, just, la, last, late, later, lunch, lunchtime
    case m, madrugada, mais, manha, maximo, may, mdt, meados, meia, meianoite, meio, meiodia, mes, mid, midday
    case midnight, min, mins, minute, minutes, minuto, minutos, moment, momento, month, more, morning, mst
    case na, nao, nd, nessa, nesse, nesta, neste, next, night, no, noite, noitinha, noon, not, now, o, oclock
    case of, oh, `on`, ontem, os, ou, outono, outra, over, p, pair, par, para, parte, partir, passada, passadas
    case passado, passados, past, pdt, pela, pelas, pelo, periodo, pm, ponto, por, possible, pra, pras, previous
    case primavera, primeiro, proxima, proximas, proximo, proximos, pst, q, quarter, quarters, quarto, que
    case rd, rest, resto, right, s, school, season, seasons, seguinte, seguintes, semana, sharp, since, sometimes
    case soon, spring, st, start, starting, summer, tarde, tardinha, ter, th, than, the, this, thousand, three
    case through, thru, til, till, time, to, toda, today, tomorrow, tomorrows, tonight, tonite, two, ultima
    case ultimas, ultimo, ultimos, um, uma, umas, uns, until, untill, upcoming, utc, vem, verao, volta, week
    case weekend, weeks, wet, winter, within, wkend, year, yesterday, zero
}

/// Everything known about one spelling, gathered once so each word of a message costs a single
/// dictionary lookup: the rule word it is, whether it carries a date, whether it may open an
/// expression, which language it hints at, and its meanings in each language.
struct WordInfo: Sendable {
    var word = DateWord.other
    /// Carries a date by itself (a weekday, a month, a unit, "amanhã", "noon").
    var isCore = false
    /// Opens an expression without carrying a date ("às", "next").
    var isLeading = false
    var hintsPortuguese = false
    var hintsEnglish = false
    /// First word of a holiday name ("natal", "black").
    var startsHoliday = false
    var portuguese = Lexeme.none
    var english = Lexeme.none

    func lexeme(_ language: Language) -> Lexeme { language == .pt ? portuguese : english }
}

/// The table behind `WordInfo`, built once from the vocabularies, the rule words and the holiday
/// names. Token `entry` values index `entries`.
enum DateLexicon {
    static let index: [String: Int32] = {
        var index: [String: Int32] = [:]
        for (position, spelling) in spellings.enumerated() { index[spelling] = Int32(position) }
        return index
    }()

    static let entries: [WordInfo] = {
        let portugueseLexicon = DateVocabulary.portuguese.makeLexicon()
        let englishLexicon = DateVocabulary.english.makeLexicon()
        let core = DateVocabulary.portuguese.coreWords.union(DateVocabulary.english.coreWords)
        let portuguese = DateVocabulary.portuguese, english = DateVocabulary.english
        return spellings.map { spelling in
            var info = WordInfo()
            info.word = DateWord(rawValue: spelling) ?? .other
            info.isCore = core.contains(spelling)
            info.isLeading = DateExtractor.leadingWords.contains(spelling)
            info.hintsPortuguese = DateExtractor.portugueseHints.contains(spelling) || portuguese.weekdays[spelling] != nil || portuguese.months[spelling] != nil
            info.hintsEnglish = DateExtractor.englishHints.contains(spelling) || english.weekdays[spelling] != nil || english.months[spelling] != nil
            info.startsHoliday = HolidayNames.byFirstWord[spelling] != nil
            info.portuguese = portugueseLexicon[spelling] ?? .none
            info.english = englishLexicon[spelling] ?? .none
            return info
        }
    }()

    /// Every spelling any table knows, in a fixed order.
    private static let spellings: [String] = {
        var all = Set(DateWord.allCases.map(\.rawValue)).subtracting([DateWord.other.rawValue])
        for vocabulary in [DateVocabulary.portuguese, DateVocabulary.english] {
            all.formUnion(vocabulary.makeLexicon().keys)
            all.formUnion(vocabulary.coreWords)
        }
        all.formUnion(DateExtractor.leadingWords)
        all.formUnion(DateExtractor.portugueseHints)
        all.formUnion(DateExtractor.englishHints)
        for name in HolidayNames.all.flatMap(\.names) { all.formUnion(name.split(separator: " ").map(String.init)) }
        return all.sorted()
    }()

    static func entry(_ spelling: String) -> Int32 { index[spelling] ?? -1 }
}
