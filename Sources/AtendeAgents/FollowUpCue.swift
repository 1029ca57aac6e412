import AtendeUnderstanding

/// Whether a message leans on the answer before it: it asks "what if" about it ("e se não bater
/// com a maquininha?") or points back at it ("isso muda a conta?", "da pra
/// parcelar esses atrasados?"). Such a message continues the specialist's subject even when its
/// own words sound like another's: "parcelar" is caixa's word, the debts were financeiro's.
enum FollowUpCue {
    /// A longer message carries its own subject.
    static let maximumWords = 15
    /// A bare "e"/"and" opens new subjects as often ("e qnto eu cobro numa escova nova?").
    static let openers: [[String]] = [["e", "se"], ["mas", "e", "se"], ["and", "if"], ["what", "if"], ["but", "what", "if"]]
    /// Demonstratives, which point at what was said; personal pronouns ("ela tem direito a
    /// férias?") as often name someone new.
    static let pointers: Set<String> = [
        "isso", "disso", "nisso", "esse", "essa", "esses", "essas", "desse", "dessa", "desses", "dessas", "nesse", "nessa",
        "that", "those", "these",
    ]

    static func leansOnPrevious(_ text: String) -> Bool {
        let words = TextNormalizer.chatWords(text)
        guard !words.isEmpty, words.count <= maximumWords else { return false }
        return openers.contains { words.starts(with: $0) } || words.contains(where: pointers.contains)
    }
}
