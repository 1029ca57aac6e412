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

/// Guesses whether a message is Portuguese or English.
///
/// Chat messages are short ("blz", "ok", "pode ser amanha?"), so this counts evidence from three
/// cheap sources: function words and chat shorthand of each language (weighted by how telling
/// they are), Portuguese-only letters in the raw text (ã, õ, ç, ê…), and word shapes
/// ("-cao", "-nh-", "-lh-" for Portuguese; "-ing", "th-", "wh-" for English).
public enum LanguageGuess {
    /// Strong words count 2, ordinary ones 1. Words both languages use ("a", "no", "me", "ok") are in neither list.
    static let portuguese: [String: Int] = {
        let strong = [
            "voce", "vc", "nao", "obrigado", "obrigada", "obg", "valeu", "vlw", "que", "q", "pra", "para", "com", "uma", "meu", "minha",
            "queria", "quero", "preciso", "quanto", "quando", "onde", "isso", "esta", "ta", "tudo", "td", "beleza", "blz", "tambem", "tb",
            "amanha", "hoje", "horario", "marcar", "falar", "atendente", "qual", "sou", "obrigadao", "muito", "agora", "aqui", "porque", "pq",
            "fazer", "bom", "boa", "dia", "tarde", "noite", "oi", "ola", "tchau", "ate", "sim", "gostaria", "pode", "posso", "consegue",
            "voces", "vcs", "cade", "custa", "custo", "preco", "obrigado", "certeza", "comigo", "semana", "pagamento", "pagar", "valor", "quanto", "horas", "depois", "ainda", "entao", "nada", "ninguem",
        ]
        let ordinary = [
            "um", "de", "do", "da", "dos", "das", "e", "o", "os", "as", "na", "nas", "nos", "por", "favor", "tem", "eu", "mais", "seu", "sua",
            "faz", "opa", "ai", "somos", "estou", "tenho", "ele", "ela", "foi", "ser", "ter", "vai", "vou", "ja", "so", "mas", "ou", "se", "mesmo",
            "pelo", "pela", "num", "numa", "dele", "dela", "coisa", "certo", "cancelar", "remarcar", "agendar", "consulta", "pedido", "nota",
        ]
        var weights: [String: Int] = [:]
        for word in ordinary { weights[word] = 1 }
        for word in strong { weights[word] = 2 }
        return weights
    }()

    static let english: [String: Int] = {
        let strong = [
            "hi", "hello", "hey", "good", "morning", "afternoon", "evening", "thanks", "thank", "you", "the", "is", "are", "what", "how", "when",
            "where", "can", "could", "would", "my", "we", "want", "need", "please", "book", "appointment", "talk", "with", "and", "of", "for",
            "it", "this", "that", "does", "have", "bye", "tomorrow", "today", "yes", "who", "your", "i", "am", "not", "thx", "ty", "u", "ur",
            "which", "there", "tonight", "next", "week", "price", "much", "pay", "payment", "invoice", "order", "cancel", "schedule", "an",
            "available", "do", "did", "will", "should", "someone", "person", "human", "agent", "help", "sorry", "okay", "great",
        ]
        let ordinary = [
            "to", "in", "on", "at", "be", "see", "lot", "very", "all", "night", "nice", "about", "just", "me", "from", "if", "or", "but",
            "was", "were", "has", "had", "get", "got", "time", "still", "again", "yet", "any", "some", "more", "our", "us", "they", "them",
        ]
        var weights: [String: Int] = [:]
        for word in ordinary { weights[word] = 1 }
        for word in strong { weights[word] = 2 }
        return weights
    }()

    /// The language with more evidence; `fallback` on a tie (including no evidence at all).
    public static func guess(_ text: String, fallback: Language) -> Language {
        guess(text: text, words: TextNormalizer.words(text), fallback: fallback)
    }

    /// The same guess when the caller already has the folded words of `text` (chat shorthand is
    /// expanded here, so "qto" counts as "quanto").
    static func guess(text: String, words: [String], fallback: Language) -> Language {
        guess(text: text, expandedWords: ChatAbbreviations.expand(words), fallback: fallback)
    }

    /// The guess from words already expanded by `ChatAbbreviations` (the classifier has them).
    static func guess(text: String, expandedWords: [String], fallback: Language) -> Language {
        var score = portugueseLetterEvidence(text)  // > 0 means Portuguese
        for word in expandedWords {
            score += evidence[word] ?? 0
            score += shapeEvidence(word)
        }
        if score == 0 { return fallback }
        return score > 0 ? .pt : .en
    }

    /// Portuguese weight minus English weight per word: one lookup per word instead of two, on
    /// the path of every message.
    static let evidence: [String: Int] = portuguese.merging(english.mapValues { -$0 }) { $0 + $1 }

    /// 2 per letter only Portuguese writes (ã õ ç â ê ô à), capped so one long word cannot outvote the rest.
    static func portugueseLetterEvidence(_ text: String) -> Int {
        var count = 0
        for scalar in text.unicodeScalars where scalar.value >= 0xC0 {
            switch scalar.value {
            case 0xE3, 0xF5, 0xE7, 0xE2, 0xEA, 0xF4, 0xE0, 0xC3, 0xD5, 0xC7, 0xC2, 0xCA, 0xD4, 0xC0: count += 2
            case 0xE1, 0xE9, 0xED, 0xF3, 0xFA, 0xC1, 0xC9, 0xCD, 0xD3, 0xDA: count += 1  // á é í ó ú: also Spanish, weaker
            default: break
            }
            if count >= 4 { return 4 }
        }
        return count
    }

    /// +1 for a Portuguese-looking word, −1 for an English-looking one, 0 otherwise.
    static func shapeEvidence(_ word: String) -> Int {
        let utf8 = word.utf8
        guard utf8.count >= 4 else { return 0 }
        func ends(_ suffix: String) -> Bool { utf8.suffix(suffix.utf8.count).elementsEqual(suffix.utf8) }
        func starts(_ prefix: String) -> Bool { utf8.prefix(prefix.utf8.count).elementsEqual(prefix.utf8) }
        if ends("ao") || ends("oes") || ends("inho") || ends("inha") { return 1 }
        var previous: UInt8 = 0
        for byte in utf8 {
            // "nh" and "lh" are Portuguese digraphs ("minha", "trabalho"); English rarely has them.
            if byte == UInt8(ascii: "h"), previous == UInt8(ascii: "n") || previous == UInt8(ascii: "l") { return 1 }
            previous = byte
        }
        if ends("ing") || starts("th") || starts("wh") || ends("ould") || ends("ght") { return -1 }
        return 0
    }
}
