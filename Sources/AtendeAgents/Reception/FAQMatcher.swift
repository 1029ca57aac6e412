import AtendeScheduling
import AtendeUnderstanding

/// Which `faq:` entry of `negocio.yaml` a question is about, by its words.
///
/// A question and an entry are compared as sets of terms: the content words (no articles, no
/// "vcs", no numbers), each read as its concept when it has one ("kids", "filha" and "infantil"
/// are one term; "park" and "estacionamento" another) and as its stem otherwise. An entry's terms
/// are those of all its example questions; its central terms are the words of known meaning (a
/// concept, or a thing like "carro") that at least half of its examples use: what the entry
/// is about. The question is about the entry when it shares a central term ("minha pequena tem 3
/// aninhos, cortam cabelo de criança?"), or a word of known meaning and either one more term or
/// every term of the question ("tem onde deixar o carro?"). Shared stems alone are not enough:
/// "do you cut hair?" shares "cut" and "hair" with "do you cut kids hair?" and is not about
/// children; nor is one incidental word: "perto" alone is not about parking. The words of the
/// calendar's services ("corte", "cabelo", "manicure") are no terms at all: they are in the FAQ's
/// examples and in most booking and price questions alike.
struct FAQMatcher: Sendable {
    struct Term: Hashable, Sendable {
        var text: String
        /// A concept or a thing a business works on: a word whose meaning is known.
        var isKnown: Bool
    }

    struct Entry: Sendable {
        var terms: Set<Term>
        var central: Set<Term>
    }

    private let entries: [Entry]
    private let serviceStems: Set<String>

    init(business: BusinessProfile) {
        var serviceStems: Set<String> = []
        for service in business.calendar?.services ?? [] {
            for name in [service.name] + service.aliases {
                for word in TextNormalizer.chatWords(name) { serviceStems.formUnion(Self.stems(word)) }
            }
        }
        self.serviceStems = serviceStems
        entries = business.faq.map { entry in
            let examples = entry.questions.map { Self.terms($0, ignoring: serviceStems) }
            var uses: [Term: Int] = [:]
            for terms in examples {
                for term in terms where term.isKnown { uses[term, default: 0] += 1 }
            }
            return Entry(
                terms: examples.reduce(into: []) { $0.formUnion($1) },
                central: Set(uses.filter { $0.value * 2 >= examples.count }.keys)
            )
        }
    }

    /// The index of the entry `question` is about, or `nil`; the entry sharing the most terms wins.
    func entry(matching question: String) -> Int? {
        let asked = Self.terms(question, ignoring: serviceStems)
        guard !asked.isEmpty else { return nil }
        var best: (index: Int, shared: Int)?
        for (index, entry) in entries.enumerated() {
            let shared = asked.intersection(entry.terms)
            let about = !shared.isDisjoint(with: entry.central)
                || shared.contains(where: \.isKnown) && (shared.count >= 2 || shared.count == asked.count)
            guard about else { continue }
            if best.map({ shared.count > $0.shared }) ?? true { best = (index, shared.count) }
        }
        return best?.index
    }

    /// The index of the entry whose terms include every term of `question`, one of known meaning:
    /// the strict reading, for moving a generic example to an entry ("tem estacionamento?", not
    /// "quanto custa a troca de óleo do carro?").
    func entry(covering question: String) -> Int? {
        let asked = Self.terms(question, ignoring: serviceStems)
        guard asked.contains(where: \.isKnown) else { return nil }
        return entries.firstIndex { asked.isSubset(of: $0.terms) }
    }

    static func terms(_ text: String, ignoring serviceStems: Set<String>) -> Set<Term> {
        let language = LanguageGuess.guess(text, fallback: .pt)
        var terms: Set<Term> = []
        for word in TextNormalizer.chatWords(text) where !stopWords.contains(word) && !word.allSatisfy(\.isNumber) {
            guard serviceStems.isDisjoint(with: stems(word)) else { continue }
            if let concept = IntentConcepts.concept(of: word) {
                terms.insert(Term(text: concept, isKnown: true))
            } else {
                terms.insert(Term(text: Stemmer.stem(word, language: language), isKnown: IntentConcepts.isNeutral(word)))
            }
        }
        return terms
    }

    /// Both languages' stems: a service named in Portuguese is asked about in English too.
    static func stems(_ word: String) -> Set<String> {
        [word, Stemmer.stem(word, language: .pt), Stemmer.stem(word, language: .en)]
    }

    static let stopWords: Set<String> = [
        "a", "o", "as", "os", "de", "da", "do", "das", "dos", "e", "que", "q", "tem", "ter", "vcs", "vc", "voces", "voce", "ai", "aqui", "pra", "para",
        "com", "no", "na", "nos", "nas", "um", "uma", "eu", "meu", "minha", "se", "onde", "como", "qual", "quanto", "oi", "ola", "bom", "dia", "boa",
        "tarde", "noite", "por", "favor", "pfv", "gente", "tudo", "bem", "sim", "nao", "ja", "mas", "ou", "em", "the", "an", "is", "are", "there",
        "do", "does", "you", "your", "i", "my", "me", "can", "to", "for", "of", "at", "in", "on", "where", "what", "how", "hi", "hello", "please",
        "any", "it", "and", "be", "will", "ll", "we", "have", "has", "pode", "posso", "fica", "ta", "esta",
    ]
}
