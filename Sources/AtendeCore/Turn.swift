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
    /// The new state of a `conversation_status` event (`open`, `resolved`, …).
    public var status: String?
    /// What the event is about: a reminder's booking id.
    public var target: String?

    public init(
        id: Int64, kind: InboundEvent.Kind, text: String, choiceID: String?, language: String?,
        senderName: String?, acknowledgement: Acknowledgement?, traceID: String, receivedAt: Int64, platformEventID: String? = nil,
        status: String? = nil, target: String? = nil
    ) {
        self.target = target
        self.platformEventID = platformEventID
        self.status = status
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

/// One turn: every unanswered inbound message of one conversation, oldest first, with what the
/// gateway knows about the conversation so far.
public struct Turn: Sendable {
    public var conversation: ConversationRef
    public var messages: [StoredMessage]
    public var ownership: Ownership
    public var memory: ConversationMemory
    /// Earlier messages, oldest first (the most recent ones only).
    public var history: [HistoryLine]
    /// The contact's name as the platform gave it.
    public var contactName: String?

    public init(
        conversation: ConversationRef, messages: [StoredMessage], ownership: Ownership = .bot,
        memory: ConversationMemory = ConversationMemory(), history: [HistoryLine] = [], contactName: String? = nil
    ) {
        self.conversation = conversation
        self.messages = messages
        self.ownership = ownership
        self.memory = memory
        self.history = history
        self.contactName = contactName
    }
}

/// What a turn produced. The pipeline stores all of it in the transaction that marks the turn's
/// messages handled, so a crash never leaves half a turn.
public struct TurnAnswer: Sendable {
    /// `nil`: the bot stays quiet this turn.
    public var reply: Reply?
    /// The conversation's memory from now on; `nil` leaves it as it was.
    public var memory: ConversationMemory?
    /// A change of who answers the conversation; `nil` leaves it as it was.
    public var ownership: Ownership?
    /// The conversation goes to a person: the platform is told where it can be (Chatwoot),
    /// and the business is notified where configured.
    public var handoff: Handoff?
    /// Why the bot said what it said.
    public var trace: ReplyTrace?
    /// Something only the team must read (a pause that was cut short): a private note where the
    /// platform has them, and the business's notification chat where one is configured.
    public var teamNotice: String?

    public init(reply: Reply?, memory: ConversationMemory? = nil, ownership: Ownership? = nil, handoff: Handoff? = nil, trace: ReplyTrace? = nil) {
        self.reply = reply
        self.memory = memory
        self.ownership = ownership
        self.handoff = handoff
        self.trace = trace
    }
}

/// A conversation handed to a person: what the team is told, ready to send.
public struct Handoff: Sendable, Hashable {
    /// A private note in the conversation, where the platform has them (Chatwoot).
    public var note: String
    /// A message to the business's own notification chat, where one is configured.
    public var notification: String

    public init(note: String, notification: String) {
        self.note = note
        self.notification = notification
    }
}

/// Answers a turn. The agents plug in here; the pipeline does not care how the answer is made.
public protocol Responder: Sendable {
    func respond(to turn: Turn) async throws -> TurnAnswer
}
