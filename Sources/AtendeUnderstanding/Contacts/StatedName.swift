/// A name the person gives for themselves: "meu nome é Ana Souza", "me chamo joão", "aqui é a
/// Júlia", "sou o Pedro", "my name is Mary Jane", "this is Tom".
///
/// Introductions that are not names are left alone: "sou de São Paulo", "sou cliente", "aqui é
/// o lugar certo?", "this is urgent". Strong phrases ("meu nome é", "me chamo", "my name is")
/// accept a lowercase name when the whole message is lowercase (common in chat); weak ones
/// ("sou", "aqui é", "this is", "I'm") need a capitalised name, or for "sou o/a" and "aqui é o/a"
/// a lone word at the end of a sentence.
public struct StatedName: Sendable, Equatable {
    /// As written in the message ("ana souza").
    public var text: String
    /// Each word capitalised, connectors lowercase ("Ana Souza", "Maria da Silva").
    public var name: String
    public var range: Range<String.Index>

    struct Trigger {
        var words: [String]
        var strong: Bool
        /// Ends in an article ("sou o", "aqui é a"): a lone lowercase word at the end still counts.
        var withArticle: Bool
    }

    static let triggers: [Trigger] = {
        let strong = [
            "meu nome e", "meu nome eh", "meu nome", "me chamo", "pode me chamar de", "podem me chamar de", "my name is", "my names",
            "call me", "nome completo", "meu nome completo e",
        ]
        let withArticle = ["aqui e o", "aqui e a", "aqui quem fala e o", "aqui quem fala e a", "sou o", "sou a", "quem fala e o", "quem fala e a"]
        let weak = ["aqui e", "aqui quem fala e", "quem fala e", "sou", "this is", "i am", "im", "aqui eh", "it is"]
        return strong.map { Trigger(words: $0.split(separator: " ").map(String.init), strong: true, withArticle: false) }
            + withArticle.map { Trigger(words: $0.split(separator: " ").map(String.init), strong: false, withArticle: true) }
            + weak.map { Trigger(words: $0.split(separator: " ").map(String.init), strong: false, withArticle: false) }
    }()

    /// Lowercase joining words inside a name ("Maria da Silva").
    static let connectors: Set<String> = ["da", "de", "do", "das", "dos", "van", "von", "del", "di", "du"]

    /// Words that follow an introduction but are not names (folded).
    static let notNames: Set<String> = [
        "o", "a", "os", "as", "um", "uma", "de", "do", "da", "dos", "das", "em", "no", "na", "para", "pra", "com", "por", "que", "e", "eu",
        "ele", "ela", "voce", "vc", "aqui", "ali", "la", "cliente", "clienta", "novo", "nova", "dono", "dona", "paciente", "aluno", "aluna",
        "mae", "pai", "filho", "filha", "esposa", "esposo", "marido", "responsavel", "gerente", "proprietario", "proprietaria", "funcionario",
        "funcionaria", "estudante", "medico", "medica", "advogado", "advogada", "professor", "professora", "mesmo", "mesma", "primeiro",
        "primeira", "unico", "unica", "so", "muito", "bem", "assim", "lugar", "certo", "certa", "casa", "empresa", "loja", "salao", "clinica",
        "interessado", "interessada", "nome", "sim", "nao", "agora", "hoje", "amanha", "oi", "ola", "bom", "boa", "dia", "tarde", "noite",
        "brasileiro", "brasileira", "fa", "amigo", "amiga", "vizinho", "vizinha", "morador", "moradora", "socio", "socia", "atendente",
        "the", "an", "from", "here", "not", "sure", "looking", "interested", "new", "customer", "client", "owner", "just", "also", "very",
        "calling", "writing", "trying", "going", "sorry", "glad", "happy", "fine", "good", "ok", "okay", "brazilian", "urgent", "about",
        "it", "me", "my", "your", "a", "in", "at", "on", "to", "for", "is", "was", "that", "this", "what", "because", "still", "already",
        "ready", "available", "late", "coming", "having", "doing", "feeling", "wondering", "asking", "trying", "in", "out", "back", "home",
        "tomorrow", "today", "atrasado", "atrasada", "chegando", "indo", "vindo", "quero", "queria", "gostaria", "preciso", "tenho",
        "sou", "estou", "to", "vou", "moro", "trabalho", "falo", "and", "i", "want", "need", "would", "like",
    ]

    struct Word {
        var range: Range<String.Index>
        var text: Substring
        var folded: String
        var isCapitalized: Bool
        /// Punctuation (not just spaces) between this word and the one before.
        var afterPunctuation: Bool
    }

    public static func first(in text: String) -> StatedName? {
        let words = self.words(of: text)
        let messageHasCapitals = hasCapitalsInsideSentences(text)
        var i = 0
        while i < words.count {
            if let trigger = longestTrigger(in: words, at: i), let name = name(after: trigger, at: i + trigger.words.count, in: words, messageHasCapitals: messageHasCapitals, text: text) {
                return name
            }
            i += 1
        }
        return nil
    }

    static func longestTrigger(in words: [Word], at i: Int) -> Trigger? {
        var best: Trigger?
        for trigger in triggers where i + trigger.words.count <= words.count {
            guard (best?.words.count ?? 0) < trigger.words.count else { continue }
            var matches = true
            for (k, word) in trigger.words.enumerated() where words[i + k].folded != word || (k > 0 && words[i + k].afterPunctuation) {
                matches = false
                break
            }
            if matches { best = trigger }
        }
        return best
    }

    static func name(after trigger: Trigger, at start: Int, in words: [Word], messageHasCapitals: Bool, text: String) -> StatedName? {
        guard start < words.count else { return nil }
        let first = words[start]
        guard !first.afterPunctuation || trigger.strong, isNameWord(first) else { return nil }
        // With capitals in the message, a name is capitalised; all-lowercase chat gets the benefit of the doubt after a strong phrase.
        let lowercaseAllowed = !messageHasCapitals && trigger.strong
        if !first.isCapitalized && !lowercaseAllowed {
            // "sou o pedro." / "aqui é a julia": one word, then the end of the sentence.
            let endsThere = start + 1 == words.count || words[start + 1].afterPunctuation || words[start + 1].folded == "falando"
            guard trigger.withArticle, !messageHasCapitals, endsThere else { return nil }
        }
        var end = start + 1
        var k = start + 1
        // Up to four name words, with connectors between them.
        var nameWords = 1
        while k < words.count, nameWords < 4, !words[k].afterPunctuation {
            var next = k
            while next < words.count, connectors.contains(words[next].folded), !words[next].afterPunctuation { next += 1 }
            guard next < words.count, !words[next].afterPunctuation, isNameWord(words[next]) else { break }
            guard words[next].isCapitalized || (lowercaseAllowed && next == k) else { break }
            end = next + 1
            nameWords += 1
            k = next + 1
        }
        let range = words[start].range.lowerBound..<words[end - 1].range.upperBound
        let written = String(text[range])
        let display = words[start..<end].map { word in
            connectors.contains(word.folded) && word.range != words[start].range ? word.text.lowercased() : capitalized(word.text)
        }.joined(separator: " ")
        return StatedName(text: written, name: display, range: range)
    }

    /// Whether the writer uses capitals beyond the first letter of a sentence (phones capitalise
    /// those by themselves, so they say nothing about how names are written).
    static func hasCapitalsInsideSentences(_ text: String) -> Bool {
        var atSentenceStart = true
        for c in text {
            if c.isLetter {
                if c.isUppercase && !atSentenceStart { return true }
                atSentenceStart = false
            } else if c == "." || c == "!" || c == "?" || c == "\n" {
                atSentenceStart = true
            }
        }
        return false
    }

    static func isNameWord(_ word: Word) -> Bool {
        word.text.count >= 2 && !notNames.contains(word.folded) && !connectors.contains(word.folded)
            && word.text.allSatisfy { $0.isLetter || $0 == "'" || $0 == "-" }
    }

    static func capitalized(_ word: Substring) -> String {
        guard let first = word.first else { return "" }
        return first.uppercased() + word.dropFirst().lowercased()
    }

    /// Words of letters (with inner apostrophes and hyphens: "D'Ávila", "Ana-Maria") and their ranges.
    static func words(of text: String) -> [Word] {
        var words: [Word] = []
        var start: String.Index?
        var sawPunctuation = false
        var i = text.startIndex
        func finish(at end: String.Index) {
            guard let wordStart = start else { return }
            let slice = text[wordStart..<end]
            let folded = TextNormalizer.words(String(slice)).joined()
            words.append(Word(range: wordStart..<end, text: slice, folded: folded, isCapitalized: slice.first?.isUppercase ?? false, afterPunctuation: sawPunctuation))
            start = nil
            sawPunctuation = false
        }
        while i < text.endIndex {
            let c = text[i]
            let next = text.index(after: i)
            if c.isLetter || c.isNumber {
                if start == nil { start = i }
            } else if (c == "'" || c == "’" || c == "-"), start != nil, next < text.endIndex, text[next].isLetter {
                // inside a word
            } else {
                finish(at: i)
                if !c.isWhitespace { sawPunctuation = true }
            }
            i = next
        }
        finish(at: text.endIndex)
        return words
    }
}
