import AtendeCore
import AtendeUnderstanding
import Foundation

/// An agent's answers without an LLM: the offline answer whose example shares the most words
/// with the message wins (Dice overlap on folded words); below `threshold`, the agent's fallback.
public struct OfflineAnswers: Sendable {
    public let agent: Agent
    public var threshold = 0.5

    public init(agent: Agent) {
        self.agent = agent
    }

    /// The best offline answer in `language` (or in any language when none is written in it).
    public func answer(to text: String, language: Language) -> String {
        let words = Set(TextNormalizer.words(text))
        let candidates = agent.offlineAnswers.contains { $0.language == language }
            ? agent.offlineAnswers.filter { $0.language == language }
            : agent.offlineAnswers
        var best: (score: Double, answer: String)?
        for candidate in candidates {
            for example in candidate.examples {
                let score = Self.overlap(example, words)
                if score > (best?.score ?? 0) { best = (score, candidate.answer) }
            }
        }
        if let best, best.score >= threshold { return best.answer }
        return agent.fallback[language] ?? agent.fallback[agent.language] ?? ""
    }

    static func overlap(_ a: Set<String>, _ b: Set<String>) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        return 2 * Double(a.intersection(b).count) / Double(a.count + b.count)
    }
}
