/// An inbound message as stored, waiting for or included in a turn.
public struct StoredMessage: Sendable, Hashable {
    public var id: Int64
    public var kind: InboundEvent.Kind
    public var text: String
    public var choiceID: String?
    public var language: String?
    public var senderName: String?
    public var acknowledgement: Acknowledgement?
    public var traceID: String
    public var receivedAt: Int64
    /// The platform's id of the message (Meta needs it to show "typing…" for it).
    public var platformEventID: String?

    public init(
        id: Int64, kind: InboundEvent.Kind, text: String, choiceID: String?, language: String?,
        senderName: String?, acknowledgement: Acknowledgement?, traceID: String, receivedAt: Int64, platformEventID: String? = nil
    ) {
        self.platformEventID = platformEventID
        self.id = id
        self.kind = kind
        self.text = text
        self.choiceID = choiceID
        self.language = language
        self.senderName = senderName
        self.acknowledgement = acknowledgement
        self.traceID = traceID
        self.receivedAt = receivedAt
    }
}

/// The conversation a turn belongs to.
public struct ConversationRef: Sendable, Hashable {
    public var id: Int64
    public var channelID: String
    /// The platform's chat id.
    public var platformChatID: String

    public init(id: Int64, channelID: String, platformChatID: String) {
        self.id = id
        self.channelID = channelID
        self.platformChatID = platformChatID
    }
}

/// One turn: every unanswered inbound message of one conversation, oldest first.
public struct Turn: Sendable {
    public var conversation: ConversationRef
    public var messages: [StoredMessage]

    public init(conversation: ConversationRef, messages: [StoredMessage]) {
        self.conversation = conversation
        self.messages = messages
    }
}

/// Answers a turn. The agents plug in here; the pipeline does not care how the reply is made.
public protocol Responder: Sendable {
    /// `nil` means the bot stays quiet this turn.
    func respond(to turn: Turn) async throws -> Reply?
}
