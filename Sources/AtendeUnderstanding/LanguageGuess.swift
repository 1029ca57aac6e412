/// The two languages the gateway answers in.
public enum Language: String, Sendable, Hashable, CaseIterable {
    case pt
    case en

    /// Reads a platform hint such as `pt-br`, `en-US` or `en`.
    public init?(hint: String?) {
        guard let prefix = hint?.lowercased().prefix(2) else { return nil }
        self.init(rawValue: String(prefix))
    }
}

/// Guesses whether a message is Portuguese or English from common words of each.
public enum LanguageGuess {
    static let portuguese: Set<String> = [
        "oi", "ola", "bom", "boa", "dia", "tarde", "noite", "obrigado", "obrigada", "valeu", "vlw", "tudo", "bem", "voce", "vc",
        "nao", "sim", "que", "q", "pra", "para", "com", "uma", "um", "meu", "minha", "muita", "obrigadao", "quero", "queria", "preciso", "como", "quanto",
        "quando", "onde", "tem", "isso", "esta", "ta", "eu", "de", "do", "da", "e", "o", "os", "as", "na", "por", "favor",
        "tchau", "ate", "amanha", "hoje", "horario", "marcar", "falar", "atendente", "qual", "sou", "somos", "td", "blz", "beleza",
        "tb", "tambem", "mais", "muito", "agora", "aqui", "ai", "opa", "pq", "porque", "seu", "sua", "fazer", "faz",
    ]
    static let english: Set<String> = [
        "hi", "hello", "hey", "good", "morning", "afternoon", "evening", "thanks", "thank", "you", "the", "is", "are", "what",
        "how", "when", "where", "can", "could", "would", "i", "my", "me", "we", "want", "need", "please", "book", "appointment",
        "talk", "to", "with", "and", "of", "for", "it", "this", "that", "do", "does", "have", "bye", "see", "tomorrow", "today",
        "yes", "who", "your", "an", "in", "on", "at", "be", "am", "not", "okay", "great", "human", "agent", "help", "lot",
        "much", "very", "there", "all", "thx", "ty", "night", "nice", "sorry", "please", "about", "just",
    ]

    /// The language with more known words; `fallback` on a tie. Words both languages use
    /// ("a", "no") are in neither list.
    public static func guess(_ text: String, fallback: Language) -> Language {
        var pt = 0
        var en = 0
        for word in TextNormalizer.words(text) {
            if portuguese.contains(word) { pt += 1 }
            if english.contains(word) { en += 1 }
        }
        if pt == en { return fallback }
        return pt > en ? .pt : .en
    }
}
