/// Why the bot said what it said in one turn: the route, the scores, the agent, the prompt
/// version, tool calls and the model's cost. Stored with the turn for the console and `atende chat`.
public struct ReplyTrace: Sendable, Hashable, Codable {
    /// How the agent was chosen: `routed`, `sticky`, `clarify`, `clarified`, `control` (a person,
    /// a summary), `media`, `silent:human` / `silent:paused` (not the bot's turn), `ownership:…`
    /// (only the business side acted); `+handoff` when the model handed off.
    public var decision: String
    public var agent: String?
    /// The classifier's best route and topic, with its score and the runner-up.
    public var route: String?
    public var intent: String?
    public var score: Double?
    public var confident: Bool?
    public var runnerUp: String?
    public var runnerUpScore: Double?
    public var language: String?
    /// Who the contact is to the business: `customers` or `team`.
    public var audience: String?
    /// A short hash of the prompt files that answered.
    public var promptVersion: String?
    public var toolCalls: [TracedToolCall]
    public var model: String?
    public var promptTokens: Int
    public var completionTokens: Int
    public var costUSD: Double
    public var llmMillis: Int
    /// Why the model's answer was not used, when it was not (the offline answer went out instead).
    public var llmError: String?
    /// The business facts the offline answer came from (`hours`, `payments`, `faq(0)`…), when it did.
    public var facts: String?

    public struct TracedToolCall: Sendable, Hashable, Codable {
        public var name: String
        public var arguments: String
        /// What the tool returned, or why it was refused.
        public var result: String

        public init(name: String, arguments: String, result: String) {
            self.name = name
            self.arguments = arguments
            self.result = result
        }
    }

    public init(decision: String, agent: String? = nil) {
        self.decision = decision
        self.agent = agent
        self.toolCalls = []
        self.promptTokens = 0
        self.completionTokens = 0
        self.costUSD = 0
        self.llmMillis = 0
    }
}
