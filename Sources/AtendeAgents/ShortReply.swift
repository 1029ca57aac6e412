import AtendeUnderstanding
import Foundation

/// A message that only acknowledges or picks: a bare number, "ok", "sim", "👍", "obrigado". After
/// a flow or an answer it is no new subject, and the router must not guess a specialist for it.
enum ShortReply: Equatable {
    case number(Int)
    case yes
    case okay
    case thanks

    static let yesWords: Set<String> = ["sim", "s", "yes", "yep", "yeah", "quero", "pode", "claro", "bora", "isso"]
    static let okayWords: Set<String> = [
        "ok", "okay", "okk", "oks", "blz", "beleza", "certo", "combinado", "show", "top", "perfeito", "otimo", "entendi", "entendido",
        "fechado", "massa", "joia", "tranquilo", "sure", "fine", "great", "cool", "perfect", "got", "it", "alright", "good",
    ]
    static let thanksWords: Set<String> = [
        "obrigado", "obrigada", "brigado", "brigada", "obg", "obgd", "valeu", "vlw", "agradeco", "muito", "thanks", "thank", "you", "thx", "ty",
    ]

    /// "vou ver aqui e te falo", "depois te aviso", "I'll think about it and let you know".
    static let laterWords: Set<String> = [
        "vou", "ver", "aqui", "e", "te", "falo", "aviso", "depois", "entao", "pensar", "qualquer", "coisa", "chamo", "mais", "tarde",
        "i", "ll", "will", "think", "about", "it", "and", "let", "you", "know", "later", "get", "back",
    ]

    /// `nil` for anything with more to it than an acknowledgement.
    init?(_ text: String) {
        let words = TextNormalizer.words(text)
        if words.isEmpty {
            // Only emoji or punctuation: a thumbs-up, a heart.
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, text.unicodeScalars.contains(where: { $0.properties.isEmojiPresentation }) else { return nil }
            self = .okay
            return
        }
        if words.count == 1, let number = Int(words[0]), (0...999).contains(number) {
            self = .number(number)
            return
        }
        let set = Set(words)
        if words.count <= 4 {
            if set.isSubset(of: Self.thanksWords.union(Self.okayWords).union(Self.yesWords)), !set.isDisjoint(with: Self.thanksWords) { self = .thanks; return }
            if set.isSubset(of: Self.yesWords.union(Self.okayWords)), !set.isDisjoint(with: Self.yesWords) { self = .yes; return }
            if set.isSubset(of: Self.okayWords) { self = .okay; return }
        }
        // "blz, vou ver aqui e te falo": an acknowledgement and a goodbye for now.
        if words.count <= 8, !set.isDisjoint(with: Self.okayWords.union(Self.thanksWords)), set.isSubset(of: Self.okayWords.union(Self.thanksWords).union(Self.laterWords)) {
            self = .okay
            return
        }
        return nil
    }
}
