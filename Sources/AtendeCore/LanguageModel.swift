/// A chat-completion language model, as the agents see it. `AtendeLLM` implements it for any
/// OpenAI-compatible endpoint; the agents never see HTTP.
public protocol LanguageModel: Sendable {
    /// One completion. Throws `LanguageModelError` when no usable answer came back in time;
    /// the caller then answers without the model.
    func complete(_ request: CompletionRequest) async throws(LanguageModelError) -> Completion
}

/// One message of a chat.
public struct ChatMessage: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable {
        case system, user, assistant, tool
    }

    public var role: Role
    public var content: String?
    /// Calls the assistant asked for (role `assistant` only).
    public var toolCalls: [ToolCall]
    /// The call this message answers (role `tool` only).
    public var toolCallID: String?

    public init(role: Role, content: String?, toolCalls: [ToolCall] = [], toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }

    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: .system, content: text) }
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: .user, content: text) }
    public static func assistant(_ text: String) -> ChatMessage { ChatMessage(role: .assistant, content: text) }
    public static func tool(callID: String, result: String) -> ChatMessage { ChatMessage(role: .tool, content: result, toolCallID: callID) }
}

/// A tool the model asked to call. `arguments` is the model's raw JSON text: it may be malformed,
/// and the caller validates it before acting.
public struct ToolCall: Sendable, Hashable {
    public var id: String
    public var name: String
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// A tool offered to the model: its name, what it does, and a JSON Schema of its arguments.
public struct ToolSpec: Sendable, Hashable {
    public var name: String
    public var description: String
    public var parameters: JSONValue

    public init(name: String, description: String, parameters: JSONValue) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}

public struct CompletionRequest: Sendable, Hashable {
    /// `nil` uses the client's configured model.
    public var model: String?
    public var messages: [ChatMessage]
    public var tools: [ToolSpec]
    public var temperature: Double?
    public var maxTokens: Int?

    public init(model: String? = nil, messages: [ChatMessage], tools: [ToolSpec] = [], temperature: Double? = nil, maxTokens: Int? = nil) {
        self.model = model
        self.messages = messages
        self.tools = tools
        self.temperature = temperature
        self.maxTokens = maxTokens
    }
}

public struct TokenUsage: Sendable, Hashable {
    public var promptTokens: Int
    public var completionTokens: Int

    /// Counts come from the endpoint's answer: held to 0…1e9, so sums and metrics cannot overflow or go negative.
    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = min(max(promptTokens, 0), Self.largestCount)
        self.completionTokens = min(max(completionTokens, 0), Self.largestCount)
    }

    static let largestCount = 1_000_000_000

    public static let zero = TokenUsage(promptTokens: 0, completionTokens: 0)

    public static func + (lhs: TokenUsage, rhs: TokenUsage) -> TokenUsage {
        // Both sides are at most 1e9, so the sums fit; the init holds them to 1e9 again.
        TokenUsage(promptTokens: lhs.promptTokens + rhs.promptTokens, completionTokens: lhs.completionTokens + rhs.completionTokens)
    }
}

public struct Completion: Sendable, Hashable {
    /// The assistant's message: text, tool calls, or both.
    public var message: ChatMessage
    public var usage: TokenUsage
    /// The model that answered, as the endpoint reported it.
    public var model: String
    /// Wall time of the call, retries included.
    public var latencyMillis: Int
    /// Estimated cost in US dollars from the configured prices; 0 when none are configured.
    public var costUSD: Double

    public init(message: ChatMessage, usage: TokenUsage, model: String, latencyMillis: Int, costUSD: Double) {
        self.message = message
        self.usage = usage
        self.model = model
        self.latencyMillis = latencyMillis
        self.costUSD = costUSD
    }
}

/// Why a completion failed; the message says what to check.
public struct LanguageModelError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// Connection refused, DNS, TLS.
        case unreachable
        /// No answer within the deadline.
        case timeout
        /// 429 after every retry.
        case rateLimited
        /// 5xx after every retry, or another non-success status.
        case httpStatus
        /// 2xx but not a chat completion we can read.
        case badResponse
        /// Too many recent failures: the model is not called for a while.
        case circuitOpen
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
