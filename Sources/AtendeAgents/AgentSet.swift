import AtendeCore
import AtendeUnderstanding
import Foundation

/// One loaded, validated version of the prompts folder with the classifier trained on it.
/// A turn takes the current set when it starts and finishes on it, whatever reloads meanwhile.
public struct AgentSet: Sendable {
    public var library: PromptLibrary
    /// Every route: what the business's team can reach.
    public var classifier: IntentClassifier
    /// The routes of agents for customers (and the control intents): a customer's message is never
    /// routed to the owner's advisers, and their questions are told apart among fewer routes.
    public var customerClassifier: IntentClassifier
    /// A short hash of every file's name and content: which prompts answered, in traces.
    public var version: String

    public static func load(directory: String, settings: IntentSettings = IntentSettings()) throws(FileProblems) -> AgentSet {
        var library = try PromptLibrary.load(directory: directory)
        let classifier = IntentClassifier(routes: library.intentRoutes, settings: settings)
        let customerClassifier = IntentClassifier(routes: library.intentRoutes(for: .customers), settings: settings)
        library.warnings += overlaps(library: library, classifier: classifier)
        return AgentSet(library: library, classifier: classifier, customerClassifier: customerClassifier, version: version(of: directory))
    }

    /// The classifier for a contact of `audience`.
    public func classifier(for audience: Agent.Audience) -> IntentClassifier {
        audience == .team ? classifier : customerClassifier
    }

    /// Agents whose examples the trained classifier cannot tell apart: when more than a fifth of
    /// an agent's examples land on another agent, their intents overlap too much to route well.
    static func overlaps(library: PromptLibrary, classifier: IntentClassifier) -> [FileProblem] {
        var problems: [FileProblem] = []
        for agent in library.agents where !agent.intents.isEmpty {
            let examples = agent.intents.flatMap(\.examples)
            var elsewhere: [String: Int] = [:]
            for example in examples {
                let route = classifier.classify(example).route
                if route != agent.id, library.agent(route) != nil { elsewhere[route, default: 0] += 1 }
            }
            for (other, count) in elsewhere.sorted(by: { $0.key < $1.key }) where count * 5 > examples.count {
                problems.append(FileProblem(
                    file: agent.file, line: nil,
                    message: "\(count) of the \(examples.count) examples of '\(agent.id)' are routed to '\(other)': their intents overlap heavily; give each agent examples only it answers"
                ))
            }
        }
        return problems
    }

    /// FNV-1a over the names and bytes of the folder's files, as 8 hex digits.
    public static func version(of directory: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
        }
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted() {
            mix(name.utf8)
            if let data = FileManager.default.contents(atPath: "\(directory)/\(name)") { mix(data) }
        }
        let hex = String(hash, radix: 16)
        return String((String(repeating: "0", count: max(0, 16 - hex.count)) + hex).prefix(8))
    }
}
