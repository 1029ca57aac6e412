import Foundation

/// Folds chat text to comparable words: lowercase, no accents, no punctuation or emoji, and
/// letters repeated for emphasis squeezed ("oiii" → "oi", "obrigadaaa" → "obrigada").
public enum TextNormalizer {
    public static func words(_ text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "en_US_POSIX"))
        var words: [String] = []
        var current = ""
        for character in folded {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                words.append(squeeze(current))
                current = ""
            }
        }
        if !current.isEmpty { words.append(squeeze(current)) }
        return words
    }

    /// Runs of three or more of the same letter become one; doubled letters stay ("carro", "cool").
    static func squeeze(_ word: String) -> String {
        var output = ""
        var run: Character?
        var count = 0
        for character in word {
            if character == run {
                count += 1
            } else {
                run = character
                count = 1
            }
            if count <= 2 { output.append(character) }
        }
        // A trailing double of a vowel is emphasis too ("oii", "blzz").
        if output.count > 2, let last = output.last, output.dropLast().last == last, !last.isNumber {
            output.removeLast()
        }
        return output
    }
}
