/// One word, number or symbol of a message, with where it sits in the text.
struct DateToken: Sendable {
    enum Kind: Sendable { case word, number, symbol }

    var kind: Kind
    /// Words only: lowercased with accents removed ("Amanhã" → "amanha"); empty for numbers and
    /// symbols, which the grammar reads through `value`, `digits` and `symbol`.
    var text: String
    /// The rule word this spelling is (`.other` for unknown words and for non-words).
    var word: DateWord
    /// Position in `DateLexicon.entries`, -1 when the spelling is unknown or not a word.
    var entry: Int32
    /// The value of a number token; -1 when it has more than nine digits.
    var value: Int
    /// How many digits a number token has; 0 for other tokens.
    var digits: Int
    /// The character of a symbol token; NUL for other tokens.
    var symbol: Unicode.Scalar
    /// Offsets in Unicode scalars.
    var start: Int
    var end: Int
    /// Whether whitespace separates this token from the previous one ("3pm" vs "3 pm").
    var spaced: Bool
    /// Carries a date: a number, or a word the lexicon marks as core ("amanha", "friday").
    var isCore = false
    /// May begin an expression: a core token, a leading word ("às", "next"), "@" or "(".
    var canStart = false
    /// The word's meanings in each language, copied from the lexicon so the rules read them
    /// straight from the token.
    var portuguese = Lexeme()
    var english = Lexeme()

    /// Looks up a word's spelling once; every later test on the token compares integers.
    mutating func identify() {
        entry = DateLexicon.entry(text)
        if entry >= 0 {
            let info = DateLexicon.entries[Int(entry)]
            word = info.word
            isCore = info.isCore
            canStart = info.isCore || info.isLeading
            portuguese = info.portuguese
            english = info.english
        } else {
            word = .other
            isCore = false
            canStart = false
            portuguese = Lexeme()
            english = Lexeme()
        }
    }
}

/// Splits a message into tokens in one pass over its Unicode scalars. Letters and digits are split
/// apart ("15h30" → 15, h, 30) so the grammar sees the pieces; `spaced` keeps what was glued.
/// Numbers are accumulated as integers and words as folded UTF-8 bytes, so only a word becomes a
/// `String` (a small one, stored inline, for the lexicon lookup).
enum DateTokenizer {
    static func tokens(_ text: String) -> [DateToken] {
        var tokens: [DateToken] = []
        tokens.reserveCapacity(24)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var number = 0
        var digitCount = 0
        var currentKind: DateToken.Kind?
        var currentStart = 0
        var spaced = true
        var offset = 0
        var hasApostrophe = false

        func flush(at end: Int) {
            guard let kind = currentKind else { return }
            var token = DateToken(kind: kind, text: "", word: .other, entry: -1, value: 0, digits: 0, symbol: "\0",
                                  start: currentStart, end: end, spaced: spaced)
            if kind == .number {
                token.value = digitCount > 9 ? -1 : number
                token.digits = digitCount
                token.isCore = true
                token.canStart = true
            } else {
                token.text = String(decoding: bytes, as: UTF8.self)
                token.identify()
            }
            tokens.append(token)
            spaced = false
            currentKind = nil
        }

        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v >= 48 && v <= 57 {
                if currentKind != .number { flush(at: offset); currentKind = .number; currentStart = offset; number = 0; digitCount = 0 }
                if digitCount < 10 { number = number * 10 + Int(v - 48) }
                digitCount += 1
            } else if let folded = fold(scalar) {
                if currentKind != .word { flush(at: offset); currentKind = .word; currentStart = offset; bytes.removeAll(keepingCapacity: true) }
                bytes.append(UInt8(folded.value))
            } else if v == 32 || v == 9 || v == 10 || v == 13 || (v > 0x7F && scalar.properties.isWhitespace) {
                flush(at: offset)
                spaced = true
            } else {
                flush(at: offset)
                if v == 39 || v == 0x2019 { hasApostrophe = true }
                tokens.append(DateToken(kind: .symbol, text: "", word: .other, entry: -1, value: 0, digits: 0, symbol: scalar,
                                        start: offset, end: offset + 1, spaced: spaced, canStart: v == 64 || v == 40))
                spaced = false
            }
            offset += 1
        }
        flush(at: offset)
        return hasApostrophe ? joiningApostrophes(tokens) : tokens
    }

    /// "year's", "o'clock", "b'av" become one word, so names match however they are spelled;
    /// an apostrophe with a space after it ("King' day") stays a symbol.
    private static func joiningApostrophes(_ tokens: [DateToken]) -> [DateToken] {
        var joined: [DateToken] = []
        joined.reserveCapacity(tokens.count)
        var k = 0
        while k < tokens.count {
            let token = tokens[k]
            if token.kind == .symbol, token.symbol == "'" || token.symbol == "\u{2019}", !token.spaced, let previous = joined.last,
               previous.kind == .word, k + 1 < tokens.count, tokens[k + 1].kind == .word, !tokens[k + 1].spaced {
                joined[joined.count - 1].text += tokens[k + 1].text
                joined[joined.count - 1].end = tokens[k + 1].end
                joined[joined.count - 1].identify()
                k += 2
                continue
            }
            joined.append(token)
            k += 1
        }
        return joined
    }

    /// Lowercase ASCII for a letter, with Portuguese (and common Latin-1) accents removed;
    /// nil for anything that is not a letter. "º" and "ª" read as "o" and "a" ("1º de dezembro").
    @inline(__always)
    static func fold(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        let v = scalar.value
        switch v {
        case 0x61...0x7A: return scalar
        case 0x41...0x5A: return Unicode.Scalar(v + 32)
        case 0xAA: return "a"
        case 0xBA: return "o"
        case 0xC0...0xC5, 0xE0...0xE5: return "a"
        case 0xC7, 0xE7: return "c"
        case 0xC8...0xCB, 0xE8...0xEB: return "e"
        case 0xCC...0xCF, 0xEC...0xEF: return "i"
        case 0xD1, 0xF1: return "n"
        case 0xD2...0xD6, 0xF2...0xF6: return "o"
        case 0xD9...0xDC, 0xF9...0xFC: return "u"
        default:
            // Other letters (emoji are not letters) still belong to a word, so "café☕" stays one
            // token; they never match the vocabulary.
            return v > 0x7F && scalar.properties.isAlphabetic ? "_" : nil
        }
    }
}
