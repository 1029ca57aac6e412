import Foundation

/// Folds chat text to comparable words: lowercase, no accents, no punctuation or emoji, and
/// letters repeated for emphasis squeezed ("oiii" → "oi", "obrigadaaa" → "obrigada").
///
/// Works scalar by scalar instead of calling `String.folding` because it runs on every message
/// and the common case (ASCII and Latin-1 letters) is a table lookup.
public enum TextNormalizer {
    /// The folded words of `text`, in order. Apostrophes inside a word join it ("don't" → "dont");
    /// every other non-letter, non-digit character (punctuation, emoji, spaces) separates words.
    public static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func finishWord() {
            guard !current.isEmpty else { return }
            words.append(squeeze(current))
            current = String.UnicodeScalarView()
        }
        for scalar in text.unicodeScalars {
            switch fold(scalar) {
            case .letters(let folded):
                current.append(contentsOf: folded.unicodeScalars)
            case .letter(let folded):
                current.append(folded)
            case .skip:
                continue
            case .separator:
                finishWord()
            }
        }
        finishWord()
        return words
    }

    /// The words of `text` with chat abbreviations written out ("vc" → "voce", "pfv" → "por",
    /// "favor"): what the intent classifier and the other extractors compare.
    public static func chatWords(_ text: String) -> [String] {
        ChatAbbreviations.expand(words(text))
    }

    // MARK: - Folding one scalar

    enum FoldedScalar {
        case letter(Unicode.Scalar)
        case letters(String)
        case skip
        case separator
    }

    /// Lowercase, accent-free form of one scalar, or what to do with it.
    static func fold(_ scalar: Unicode.Scalar) -> FoldedScalar {
        let value = scalar.value
        switch value {
        case 0x61...0x7A, 0x30...0x39:  // a-z, 0-9
            return .letter(scalar)
        case 0x41...0x5A:  // A-Z
            return .letter(Unicode.Scalar(value + 0x20)!)
        case 0x27, 0x2019:  // ' and ’ join "don't", "d'agua"
            return .skip
        case 0x0300...0x036F:  // combining accents of decomposed (NFD) text
            return .skip
        case 0x00AA:  // ª as in "1ª"
            return .letter("a")
        case 0x00BA, 0x00B0:  // º ° as in "nº", "1º"
            return .letter("o")
        case 0x00C0...0x00FF:
            let folded = latin1[Int(value - 0xC0)]
            if folded.isEmpty { return .separator }
            if folded.unicodeScalars.count == 1 { return .letter(folded.unicodeScalars.first!) }
            return .letters(folded)
        case 0..<0x80:
            return .separator
        default:
            let properties = scalar.properties
            guard properties.isAlphabetic || properties.numericType != nil else {
                return properties.isDiacritic ? .skip : .separator
            }
            // Rare outside Latin-1: let Foundation fold it (Latin Extended, Greek, Cyrillic…).
            let folded = String(scalar).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: posix)
            return .letters(folded.lowercased())
        }
    }

    private static let posix = Locale(identifier: "en_US_POSIX")

    /// U+00C0…U+00FF folded; "" marks × and ÷, which separate words.
    private static let latin1: [String] = [
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",  // C0–CF
        "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",  // D0–DF
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",  // E0–EF
        "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",  // F0–FF
    ]

    // MARK: - Squeezing emphasis

    /// English words that really end in a doubled letter the squeeze would otherwise cut
    /// ("see" is not an emphatic "se"). Doubled l, s, f and d are always kept ("all", "miss").
    static let keptFinalDoubles: Set<String> = [
        "see", "free", "fee", "three", "tree", "agree", "coffee", "employee", "guarantee", "committee",
        "too", "zoo", "shampoo", "tattoo", "boo", "ee", "oo", "add", "odd", "egg", "inn", "err", "buzz", "jazz",
        "fizz", "quizz", "watt", "mitt", "butt", "ebb",
    ]
    private static let keptDoubleLetters: Set<Unicode.Scalar> = ["l", "s", "f", "d"]

    /// Runs of three or more of the same letter become one; doubled letters inside a word stay
    /// ("carro", "cool"), but a doubled last letter is emphasis ("oii", "simm", "naoo", "blzz")
    /// unless it is a real English ending. Digits are never squeezed ("2000").
    static func squeeze(_ scalars: String.UnicodeScalarView) -> String {
        var output = String.UnicodeScalarView()
        var run: Unicode.Scalar?
        var count = 0
        for scalar in scalars {
            if scalar == run {
                count += 1
            } else {
                run = scalar
                count = 1
            }
            let isDigit = scalar.value >= 0x30 && scalar.value <= 0x39
            if isDigit || count <= 2 {
                output.append(scalar)
            } else if count == 3 {
                output.removeLast()  // "oiii": one left, not two
            }
        }
        let word = String(output)
        guard output.count > 2, let last = output.last, !(last.value >= 0x30 && last.value <= 0x39) else { return word }
        let beforeLast = output[output.index(output.endIndex, offsetBy: -2)]
        guard beforeLast == last, !keptDoubleLetters.contains(last), !keptFinalDoubles.contains(word) else { return word }
        output.removeLast()
        return String(output)
    }
}
