import Foundation
import AtendeCore
import AtendeUnderstanding
import AtendeYAML

/// An agent as its prompt file describes it.
public struct Agent: Sendable {
    public var id: String
    public var name: String
    public var emoji: String?
    public var description: String?
    public var language: Language
    /// The topics this agent serves, with the examples that route messages to it.
    public var intents: [IntentDefinition]
    public var offline: OfflineAnswers
    /// What to say when no offline answer fits, per language.
    public var fallback: [Language: String]
    public var systemPrompt: String
    /// What the agent may do when an LLM answers for it.
    public var tools: [AgentTool]
    /// Overrides of the configured model and temperature for this agent.
    public var model: String?
    public var temperature: Double?
    /// Who the agent talks to: the business's customers, its team (owner and staff), or both.
    public var audience: Audience = .all
    public var file: String

    public enum Audience: String, Sendable, CaseIterable {
        case customers
        case team
        case all
    }

    public struct OfflineAnswer: Sendable {
        public var language: Language
        /// Each example as its set of folded words, computed once at load.
        public var examples: [Set<String>]
        public var answer: String
    }

    static let keys: Set<String> = [
        "id", "name", "emoji", "description", "language", "intents", "offline_answers", "fallback", "tools", "model", "temperature", "audience",
    ]
    /// Placeholders an agent file may use besides the business profile's: filled per reply.
    static let replyVariables: Set<String> = ["contact.name"]

    public var offlineAnswers: [OfflineAnswer] { offline.answers }

    /// The offline answer to `question`, or the fallback when none fits.
    public func offlineAnswer(to question: String, language: Language) -> String {
        offline.answer(to: question, language: language) ?? fallback[language] ?? fallback[self.language] ?? ""
    }

    /// The agent's name with its emoji, as the contact sees it in choices.
    public var title: String {
        emoji.map { "\($0) \(name)" } ?? name
    }

    /// Loads and validates `path`, filling in the business profile; problems name the file and line.
    public static func load(file path: String, business: BusinessProfile) throws -> Agent {
        let raw: String
        do {
            raw = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FileProblem(file: path, line: nil, message: "cannot read the prompt file (\(error.localizedDescription))")
        }
        // Placeholder typos are reported together with any other problem in the file.
        let placeholderProblems = PromptTemplate.check(fileText: raw, file: path, allowed: BusinessProfile.variableNames.union(replyVariables))
        do {
            let agent = try parse(raw, file: path, values: business.variables)
            if !placeholderProblems.isEmpty { throw FileProblems(placeholderProblems) }
            return agent
        } catch let problem as FileProblem {
            throw FileProblems(placeholderProblems + [problem])
        }
    }

    /// Reads the file as written, then fills `values` into the texts, so a business name with
    /// quotes or a colon can never break the YAML.
    private static func parse(_ text: String, file path: String, values: [String: String]) throws -> Agent {
        let prompt = try PromptFile.parse(text, file: path)
        let top = try prompt.frontMatter.mapping(allowed: keys)
        let language = try parseLanguage(try top.required("language"))
        var answers: [OfflineAnswer] = []
        for node in try top["offline_answers"]?.sequence() ?? [] {
            let entry = try node.mapping(allowed: ["language", "examples", "answer"])
            let examples = try entry.required("examples").strings().map { Set(TextNormalizer.words($0)) }.filter { !$0.isEmpty }
            guard !examples.isEmpty else { throw node.problem("an offline answer needs at least one example") }
            answers.append(OfflineAnswer(
                language: try entry["language"].map(parseLanguage) ?? language,
                examples: examples,
                answer: PromptTemplate.render(try entry.requiredString("answer").trimmingCharacters(in: .whitespacesAndNewlines), values)
            ))
        }
        var fallback: [Language: String] = [:]
        let fallbackNode = try top.required("fallback")
        for (key, value) in try fallbackNode.mappingEntries() {
            guard let language = Language(rawValue: key) else { throw value.problem("'\(key)' is not a language; use pt or en") }
            fallback[language] = PromptTemplate.render(try value.string().trimmingCharacters(in: .whitespacesAndNewlines), values)
        }
        guard fallback[language] != nil else { throw fallbackNode.problem("needs a fallback in the agent's language '\(language.rawValue)'") }
        var audience = Agent.Audience.all
        if let node = top["audience"] {
            let name = try node.string()
            guard let parsed = Agent.Audience(rawValue: name) else { throw node.problem("audience must be customers, team or all") }
            audience = parsed
        }
        return Agent(
            id: try top.requiredString("id"),
            name: try top.requiredString("name"),
            emoji: try top.string("emoji"),
            description: try top.string("description").map { PromptTemplate.render($0, values) },
            language: language,
            intents: try top["intents"].map(IntentDefinition.parseList) ?? [],
            offline: OfflineAnswers(answers),
            fallback: fallback,
            systemPrompt: PromptTemplate.render(prompt.body, values),
            tools: try top["tools"].map(parseTools) ?? [],
            model: try top.string("model"),
            temperature: try top["temperature"].map(parseTemperature),
            audience: audience,
            file: path
        )
    }

    private static func parseTools(_ node: YAMLNode) throws -> [AgentTool] {
        var tools: [AgentTool] = []
        for item in try node.sequence() {
            let name = try item.string()
            guard let tool = AgentTool(rawValue: name) else {
                throw item.problem("unknown tool '\(name)'; available: \(AgentTool.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard !tools.contains(tool) else { throw item.problem("tool '\(name)' is listed twice") }
            tools.append(tool)
        }
        return tools
    }

    private static func parseTemperature(_ node: YAMLNode) throws -> Double {
        guard let value = Double(try node.string()), (0...2).contains(value) else { throw node.problem("temperature must be a number from 0 to 2") }
        return value
    }

    private static func parseLanguage(_ node: YAMLNode) throws -> Language {
        guard let language = Language(rawValue: try node.string()) else { throw node.problem("language must be pt or en") }
        return language
    }
}
