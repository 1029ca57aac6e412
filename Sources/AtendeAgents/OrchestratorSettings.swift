/// The orchestrator's knobs, from the `conversations:` part of `atende.yaml`.
public struct OrchestratorSettings: Sendable {
    /// A person owns a conversation until they have been quiet this long.
    public var humanQuietMillis: Int64 = 30 * 60_000
    /// Follow-ups stay with the agent that answered within this long, unless clearly about something else.
    public var stickinessMillis: Int64 = 30 * 60_000
    /// How long `#pausar` without a duration pauses the bot.
    public var defaultPauseMillis: Int64 = 24 * 3_600_000
    /// The conversation history an LLM sees, in estimated tokens (4 characters each).
    public var historyTokens = 1500
    /// How many rounds of tool calls one LLM answer may take.
    public var maxToolRounds = 3
    /// Channels whose every contact is the business's team (`audience: team`, such as the
    /// owner's own Telegram bot).
    public var teamChannels: Set<String> = []

    public init() {}
}
