/// One word, number or symbol of a message, with where it sits in the text.
struct DateToken: Sendable {
    enum Kind: Sendable { case word, number, symbol }

    var kind: Kind
    /// Words are lowercased with accents removed ("Amanhã" → "amanha"); numbers keep their digits;
    /// a symbol is its single character.
    var text: String
    /// The value of a number token; -1 when it has more than nine digits.
    var value: Int
    /// Offsets in Unicode scalars.
    var start: Int
    var end: Int
    /// Whether whitespace separates this token from the previous one ("3pm" vs "3 pm").
    var spaced: Bool

    var digits: Int { kind == .number ? text.utf8.count : 0 }
}

/// Splits a message into tokens in one pass over its Unicode scalars. Letters and digits are split
/// apart ("15h30" → 15, h, 30) so the grammar sees the pieces; `spaced` keeps what was glued.
enum DateTokenizer {
    static func tokens(_ text: String) -> [DateToken] {
        var tokens: [DateToken] = []
        tokens.reserveCapacity(16)
        var current = ""
        var currentKind: DateToken.Kind?
        var currentStart = 0
        var spaced = true
        var offset = 0

        func flush(at end: Int) {
            guard let kind = currentKind else { return }
            var value = 0
            if kind == .number {
                if current.utf8.count > 9 {
                    value = -1
                } else {
                    for byte in current.utf8 { value = value * 10 + Int(byte - 48) }
                }
            }
            tokens.append(DateToken(kind: kind, text: current, value: value, start: currentStart, end: end, spaced: spaced))
            spaced = false
            current = ""
            currentKind = nil
        }

        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v >= 48 && v <= 57 {
                if currentKind != .number { flush(at: offset); currentKind = .number; currentStart = offset }
                current.unicodeScalars.append(scalar)
            } else if let folded = fold(scalar) {
                if currentKind != .word { flush(at: offset); currentKind = .word; currentStart = offset }
                current.unicodeScalars.append(folded)
            } else if v == 32 || v == 9 || v == 10 || v == 13 || (v > 0x7F && scalar.properties.isWhitespace) {
                flush(at: offset)
                spaced = true
            } else {
                flush(at: offset)
                tokens.append(DateToken(kind: .symbol, text: String(scalar), value: 0, start: offset, end: offset + 1, spaced: spaced))
                spaced = false
            }
            offset += 1
        }
        flush(at: offset)
        return joiningApostrophes(tokens)
    }

    /// "year's", "o'clock", "b'av" become one word, so names match however they are spelled;
    /// an apostrophe with a space after it ("King' day") stays a symbol.
    private static func joiningApostrophes(_ tokens: [DateToken]) -> [DateToken] {
        guard tokens.contains(where: { $0.kind == .symbol && ($0.text == "'" || $0.text == "\u{2019}") }) else { return tokens }
        var joined: [DateToken] = []
        joined.reserveCapacity(tokens.count)
        var k = 0
        while k < tokens.count {
            let token = tokens[k]
            if token.kind == .symbol, token.text == "'" || token.text == "\u{2019}", !token.spaced, let previous = joined.last,
               previous.kind == .word, k + 1 < tokens.count, tokens[k + 1].kind == .word, !tokens[k + 1].spaced {
                joined[joined.count - 1].text += tokens[k + 1].text
                joined[joined.count - 1].end = tokens[k + 1].end
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
