import AtendeCore
import AtendeYAML
import Foundation

/// One `intents:` entry of a prompt file: a topic with the phrases that teach the classifier.
public struct IntentDefinition: Sendable, Equatable {
    public var id: String
    public var keywords: [String]
    public var examples: [String]
    /// What the topic is about, in a few words, for summaries ("preço e margem").
    public var description: String?
    /// A message on this topic while another agent is answering is a follow-up to that agent
    /// (vague or out-of-scope messages), not a change of subject.
    public var followUp = false
    /// Answered from the business profile rather than the agent's canned answers (`facts:` hours,
    /// location, payments, services or business; a `faq:` entry of negocio.yaml is one too).
    public var facts: FactKind?

    static let keys: Set<String> = ["id", "keywords", "examples", "description", "follow_up", "facts"]

    /// Reads an `intents:` list; ids must be unique in the list and every intent needs examples.
    static func parseList(_ node: YAMLNode) throws -> [IntentDefinition] {
        var intents: [IntentDefinition] = []
        for item in try node.sequence() {
            let entry = try item.mapping(allowed: keys)
            let idNode = try entry.required("id")
            let id = try idNode.string()
            guard id.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) != nil else {
                throw idNode.problem("intent id '\(id)' must be lowercase letters, digits and '_'")
            }
            guard !intents.contains(where: { $0.id == id }) else {
                throw idNode.problem("intent '\(id)' is listed twice")
            }
            let examplesNode = try entry.required("examples")
            let examples = try examplesNode.strings().map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            guard !examples.isEmpty, !examples.contains(where: \.isEmpty) else {
                throw examplesNode.problem("intent '\(id)' needs at least one example, and no empty ones")
            }
            let keywords = try entry["keywords"]?.strings() ?? []
            var facts: FactKind?
            if let factsNode = entry["facts"] {
                let name = try factsNode.string()
                guard let kind = FactKind.names[name] else {
                    throw factsNode.problem("facts must be one of: \(FactKind.names.keys.sorted().joined(separator: ", "))")
                }
                facts = kind
            }
            intents.append(IntentDefinition(
                id: id, keywords: keywords, examples: examples, description: try entry.string("description"),
                followUp: try entry["follow_up"]?.bool() ?? false, facts: facts
            ))
        }
        return intents
    }
}

/// `prompts/controle.yaml`: the control intents the orchestrator acts on itself, whatever agent
/// is answering (hand the conversation to a person, summarise where it stopped).
public struct ControlIntents: Sendable {
    /// What each control intent makes the orchestrator do; ids in the file must be one of these.
    public enum Kind: String, Sendable, CaseIterable {
        case humano
        case continuar
    }

    public var intents: [IntentDefinition]
    /// Words the business side writes in a conversation to pause the bot or give it back.
    public var pauseCommands: [String]
    public var resumeCommands: [String]
    public var file: String

    public static func load(file path: String) throws -> ControlIntents {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FileProblem(file: path, line: nil, message: "cannot read the control intents file (\(error.localizedDescription))")
        }
        let top = try YAMLNode.parse(text, file: path).mapping(allowed: ["intents", "commands"])
        let commands = try top["commands"]?.mapping(allowed: ["pause", "resume"])
        func words(_ key: String, _ defaults: [String]) throws -> [String] {
            guard let node = commands?[key] else { return defaults }
            let list = try node.strings().map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard !list.isEmpty, !list.contains(where: { $0.isEmpty || $0.contains(" ") }) else {
                throw node.problem("'\(key)' needs one or more single-word commands, such as \"#\(key == "pause" ? "pausar" : "robo")\"")
            }
            return list
        }
        let listNode = try top.required("intents")
        let intents = try IntentDefinition.parseList(listNode)
        for (intent, node) in zip(intents, try listNode.sequence()) where Kind(rawValue: intent.id) == nil {
            let known = Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw node.problem("'\(intent.id)' is not a control intent the gateway knows; use one of: \(known)")
        }
        return ControlIntents(
            intents: intents, pauseCommands: try words("pause", ["#pausar"]), resumeCommands: try words("resume", ["#robo"]), file: path
        )
    }
}
