/// A light suffix stripper for folded Portuguese and English words, so that "agendar",
/// "agendamento" and "agendado" (or "booking", "booked", "books") share a stem.
///
/// Portuguese follows the steps of RSLP (plural, adverb, noun, verb, final vowel) with a short
/// suffix list; English is a Porter-like subset. Neither tries to produce real words: the stem
/// is only compared with other stems. Words with digits or non-ASCII letters are left alone.
public enum Stemmer {
    public static func stem(_ word: String, language: Language) -> String {
        var bytes = Array(word.utf8)
        guard bytes.count > 3, bytes.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) else { return word }
        switch language {
        case .pt: stemPortuguese(&bytes)
        case .en: stemEnglish(&bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A suffix, what replaces it, and the shortest stem it may leave.
    struct Rule {
        let suffix: [UInt8]
        let replacement: [UInt8]
        let minimumStem: Int

        init(_ suffix: String, _ replacement: String = "", stem minimumStem: Int = 3) {
            self.suffix = Array(suffix.utf8)
            self.replacement = Array(replacement.utf8)
            self.minimumStem = minimumStem
        }
    }

    /// Applies the first rule whose suffix ends `word` with a long enough stem; true if one did.
    @discardableResult
    static func apply(_ rules: [Rule], to word: inout [UInt8], exceptions: Set<String> = []) -> Bool {
        for rule in rules where word.count >= rule.suffix.count + rule.minimumStem && word.ends(with: rule.suffix) {
            if !exceptions.isEmpty, exceptions.contains(String(decoding: word, as: UTF8.self)) { return false }
            word.removeLast(rule.suffix.count)
            word.append(contentsOf: rule.replacement)
            return true
        }
        return false
    }

    // MARK: - Portuguese

    static let portuguesePlural: [Rule] = [
        Rule("coes", "cao", stem: 1), Rule("oes", "ao", stem: 2), Rule("aes", "ao", stem: 2), Rule("ais", "al", stem: 2),
        Rule("eis", "el", stem: 2), Rule("ois", "ol", stem: 2), Rule("ns", "m", stem: 2), Rule("res", "r", stem: 3),
        Rule("les", "l", stem: 3), Rule("zes", "z", stem: 3), Rule("s", stem: 3),
    ]
    /// Words ending in "s" that are not plurals (or whose plural rule would go wrong).
    static let portugueseSingulars: Set<String> = [
        "mais", "menos", "depois", "apos", "atras", "antes", "simples", "pais", "lapis", "onibus", "tres", "seis",
        "mes", "voces", "nos", "vos", "eles", "elas", "cais", "gas", "ingles", "frances", "portugues", "atraves",
        "alias", "jamais", "pires", "juros", "reais", "oculos", "virus", "bonus", "status", "campus", "tenis",
    ]
    static let portugueseAdverb: [Rule] = [Rule("mente", stem: 4)]
    static let portugueseNoun: [Rule] = [
        Rule("amentos"), Rule("imentos"), Rule("amento"), Rule("imento"), Rule("mento"),
        Rule("acoes"), Rule("icoes"), Rule("acao"), Rule("icao"), Rule("cao", "c"),
        Rule("idades", stem: 4), Rule("idade", stem: 4), Rule("dade", stem: 4),
        Rule("aveis"), Rule("iveis"), Rule("avel"), Rule("ivel"),
        Rule("istas"), Rule("ista"), Rule("ismo"), Rule("eiros", stem: 4), Rule("eiras", stem: 4),
        Rule("eiro", stem: 4), Rule("eira", stem: 4), Rule("inhos"), Rule("inhas"), Rule("inho"), Rule("inha"),
        Rule("ancia"), Rule("encia"),
    ]
    static let portugueseVerb: [Rule] = [
        Rule("ariamos"), Rule("eriamos"), Rule("iriamos"), Rule("assemos"), Rule("essemos"), Rule("issemos"),
        Rule("aremos"), Rule("eremos"), Rule("iremos"), Rule("avamos"), Rule("ariam"), Rule("eriam"), Rule("iriam"),
        Rule("arao"), Rule("erao"), Rule("irao"), Rule("assem"), Rule("essem"), Rule("issem"),
        Rule("aria"), Rule("eria"), Rule("iria"), Rule("arei"), Rule("erei"), Rule("irei"),
        Rule("aram"), Rule("eram"), Rule("iram"), Rule("avam"), Rule("ando"), Rule("endo"), Rule("indo"),
        Rule("amos"), Rule("emos"), Rule("imos"), Rule("ados"), Rule("idos"), Rule("adas"), Rule("idas"),
        Rule("asse"), Rule("esse"), Rule("isse"), Rule("ado"), Rule("ido"), Rule("ada"), Rule("ida"),
        Rule("ava"), Rule("ar"), Rule("er"), Rule("ir"), Rule("ou"), Rule("ei"), Rule("eu"), Rule("iu"), Rule("am"),
    ]
    static let portugueseVowel: [Rule] = [Rule("a"), Rule("e"), Rule("o")]

    static func stemPortuguese(_ word: inout [UInt8]) {
        apply(portuguesePlural, to: &word, exceptions: portugueseSingulars)
        if apply(portugueseAdverb, to: &word) { return }
        if apply(portugueseNoun, to: &word) { return }
        if apply(portugueseVerb, to: &word) { return }
        apply(portugueseVowel, to: &word)
    }

    // MARK: - English

    static let englishPlural: [Rule] = [
        Rule("sses", "ss", stem: 1), Rule("ies", "y", stem: 2), Rule("ss", "ss", stem: 1), Rule("us", "us", stem: 1),
        Rule("is", "is", stem: 1), Rule("s", stem: 3),
    ]
    static let englishSuffix: [Rule] = [
        Rule("ational", "ate"), Rule("ations", "ate"), Rule("ation", "ate"), Rule("ements"), Rule("ement"), Rule("ments"), Rule("ment"),
        Rule("ness"), Rule("ingly"), Rule("edly"), Rule("fully"), Rule("ful"), Rule("ably"), Rule("able"), Rule("ible"), Rule("ly"),
        Rule("ings"), Rule("ing"), Rule("ed"), Rule("er", stem: 4),
    ]

    static func stemEnglish(_ word: inout [UInt8]) {
        apply(englishPlural, to: &word)
        guard apply(englishSuffix, to: &word) else {
            apply([Rule("e", stem: 3)], to: &word)
            return
        }
        // "stopped" → "stopp" → "stop"; "scheduled" → "schedul" already; "e" dropped above.
        let count = word.count
        if count > 3, word[count - 1] == word[count - 2], !"lsz".utf8.contains(word[count - 1]) {
            word.removeLast()
        }
        if word.count > 3, word.last == UInt8(ascii: "e") { word.removeLast() }
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool {
        guard suffix.count <= count else { return false }
        var i = count - suffix.count
        for byte in suffix {
            if self[i] != byte { return false }
            i += 1
        }
        return true
    }
}
