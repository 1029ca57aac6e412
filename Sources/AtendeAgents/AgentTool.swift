import AtendeCore

/// What an agent may do besides answering, when an LLM answers for it. The model only sees the
/// tools its agent's prompt file lists, and the orchestrator refuses calls to any other.
public enum AgentTool: String, Sendable, CaseIterable {
    /// Hand the conversation to a person.
    case handoff
    /// Summarise the conversation so far.
    case summarize

    /// The function name the model calls.
    var functionName: String {
        switch self {
        case .handoff: "handoff_to_human"
        case .summarize: "summarize_conversation"
        }
    }

    init?(functionName: String) {
        guard let tool = Self.allCases.first(where: { $0.functionName == functionName }) else { return nil }
        self = tool
    }

    var spec: ToolSpec {
        switch self {
        case .handoff:
            ToolSpec(
                name: functionName,
                description: "Hand the conversation to a person from the business when the contact asks for one, is upset, or needs something you cannot do. The contact is told; the bot then stays quiet.",
                parameters: .object([
                    "type": .string("object"),
                    "properties": .object(["reason": .object(["type": .string("string"), "description": .string("Why, in a few words, for the team.")])]),
                    "required": .array([.string("reason")]),
                ])
            )
        case .summarize:
            ToolSpec(
                name: functionName,
                description: "Get a summary of this conversation so far: the last topic and agent, what was answered, what is still open.",
                parameters: .object(["type": .string("object"), "properties": .object([:])])
            )
        }
    }
}
