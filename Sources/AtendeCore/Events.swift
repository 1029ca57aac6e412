/// The person on the platform side who wrote a message.
public struct Sender: Sendable, Hashable, Codable {
    public var id: String
    public var name: String?

    public init(id: String, name: String? = nil) {
        self.id = id
        self.name = name
    }
}

/// An outbound action the gateway owes the platform because of an inbound event,
/// such as Telegram's `answerCallbackQuery` for every button press.
public struct Acknowledgement: Sendable, Hashable, Codable {
    public var action: String
    public var values: [String: JSONValue]

    public init(action: String, values: [String: JSONValue]) {
        self.action = action
        self.values = values
    }
}

/// One inbound event in the platform-neutral form the pipeline stores and answers.
public struct InboundEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Codable {
        /// The contact wrote text.
        case message
        /// The contact picked one of the choices of an earlier reply.
        case choice
    }

    public var kind: Kind
    /// Unique per channel; a redelivery carries the same id and is dropped.
    public var platformEventID: String
    /// The platform's chat id: where replies go.
    public var conversation: String
    public var sender: Sender
    public var text: String
    public var choiceID: String?
    /// A language hint from the platform (`pt-br`, `en`), when it sends one.
    public var language: String?
    public var acknowledgement: Acknowledgement?

    public init(
        kind: Kind,
        platformEventID: String,
        conversation: String,
        sender: Sender,
        text: String,
        choiceID: String? = nil,
        language: String? = nil,
        acknowledgement: Acknowledgement? = nil
    ) {
        self.kind = kind
        self.platformEventID = platformEventID
        self.conversation = conversation
        self.sender = sender
        self.text = text
        self.choiceID = choiceID
        self.language = language
        self.acknowledgement = acknowledgement
    }
}

/// What an adapter made of one webhook payload.
public enum MappedPayload: Sendable, Hashable {
    case events([InboundEvent])
    /// Authenticated but nothing to answer; the reason goes to the log.
    case ignored(reason: String)
}
