import Foundation
import AtendeCore
import AtendeUnderstanding

/// Answers from an agent's offline answers: no LLM, no network.
///
/// The answer whose example shares the most words with the message wins (Dice overlap on
/// folded words); below `threshold` the agent's fallback answers.
public struct OfflineResponder: Responder {
    public let agent: Agent
    public let texts: SystemTexts
    public var threshold = 0.5

    public init(agent: Agent, texts: SystemTexts) {
        self.agent = agent
        self.texts = texts
    }

    public func respond(to turn: Turn) async throws -> Reply? {
        let text = turn.messages.map(\.text).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        let hint = turn.messages.last.flatMap { Language(hint: $0.language) } ?? agent.language
        let language = LanguageGuess.guess(text, fallback: hint)
        // Only files, no words: say so politely instead of guessing at an answer.
        if text.isEmpty, turn.messages.contains(where: { $0.kind == .media }) {
            return Reply(text: texts.text(.mediaReceived, language))
        }
        return Reply(text: answer(to: text, language: language))
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
