import AtendeCore
import AtendeUnderstanding
import Foundation

/// An agent's answers without an LLM: the offline answer whose example shares the most words
/// with the message wins (Dice overlap on folded words); below `threshold`, the agent's fallback.
///
/// Built once when the prompt file loads: each word points to the examples that contain it, so
/// a message costs one lookup per word instead of a comparison with every example.
public struct OfflineAnswers: Sendable {
    public let answers: [Agent.OfflineAnswer]
    public static let threshold = 0.5
    /// Every example in file order: the answer it leads to and how many words it has.
    private let examples: [(answer: Int, wordCount: Int)]
    private let examplesByWord: [String: [Int]]

    init(_ answers: [Agent.OfflineAnswer]) {
        self.answers = answers
        var examples: [(answer: Int, wordCount: Int)] = []
        var examplesByWord: [String: [Int]] = [:]
        for (answerIndex, answer) in answers.enumerated() {
            for words in answer.examples {
                for word in words { examplesByWord[word, default: []].append(examples.count) }
                examples.append((answerIndex, words.count))
            }
        }
        self.examples = examples
        self.examplesByWord = examplesByWord
    }

    /// The best offline answer in `language` (or in any language when none is written in it);
    /// `nil` when no example is close enough.
    public func answer(to text: String, language: Language) -> String? {
        let words = Set(TextNormalizer.words(text))
        guard !words.isEmpty else { return nil }
        let anyLanguage = !answers.contains { $0.language == language }
        var shared: [Int: Int] = [:]
        for word in words {
            for example in examplesByWord[word] ?? [] { shared[example, default: 0] += 1 }
        }
        // The highest overlap wins; on a tie, the example written first.
        var best: (score: Double, example: Int)?
        for (example, count) in shared {
            let answer = answers[examples[example].answer]
            guard anyLanguage || answer.language == language else { continue }
            let score = 2 * Double(count) / Double(examples[example].wordCount + words.count)
            if let current = best, current.score > score || (current.score == score && current.example < example) { continue }
            best = (score, example)
        }
        guard let best, best.score >= Self.threshold else { return nil }
        return answers[examples[best.example].answer].answer
    }
}
