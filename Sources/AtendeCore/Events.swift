/// The person on the platform side who wrote a message.
public struct Sender: Sendable, Hashable, Codable {
    public var id: String
    public var name: String?
    /// E.164 digits with a leading `+`, when the platform gives a phone number.
    public var phone: String?
    /// Another id of the same person on the platform (a WhatsApp `@lid` next to the phone JID).
    public var alternateID: String?

    public init(id: String, name: String? = nil, phone: String? = nil, alternateID: String? = nil) {
        self.id = id
        self.name = name
        self.phone = phone
        self.alternateID = alternateID
    }
}

/// A media attachment as the platform describes it; the bytes stay with the platform until fetched.
public struct MediaAttachment: Sendable, Hashable, Codable {
    /// `image`, `audio`, `voice`, `video`, `document`, `sticker`, …
    public var type: String
    public var mimeType: String?
    /// What the platform needs to hand the bytes over (a media id, a message id, a URL).
    public var handle: String?

    public init(type: String, mimeType: String? = nil, handle: String? = nil) {
        self.type = type
        self.mimeType = mimeType
        self.handle = handle
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
        /// An image, voice note, document or sticker; `text` is its caption.
        case media
        /// The contact edited an earlier message (`target`); never answered a second time.
        case edit
        /// The contact reacted to a message (`target`) with the emoji in `text`.
        case reaction
        /// A delivery status (`status`) of a message the gateway sent (`target`).
        case status
        /// Someone on the business side answered by hand (on the phone, in Chatwoot).
        case humanReply = "human_reply"
        /// The platform changed the conversation's state (Chatwoot `open`, `resolved`, …) to `status`.
        case conversationStatus = "conversation_status"
        /// A reminder of a booking came due (`target` is the booking id); the gateway itself made it.
        case reminder

        /// Whether the event asks for an answer; the others are kept as history only.
        public var isAnswered: Bool {
            switch self {
            case .message, .choice, .media: true
            case .edit, .reaction, .status, .humanReply, .conversationStatus, .reminder: false
            }
        }

        /// Whether the event is looked at in a turn: everything answered, and what a person on the
        /// business side did, which decides whether the bot may answer at all.
        public var startsTurn: Bool {
            isAnswered || self == .humanReply || self == .conversationStatus || self == .reminder
        }
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
    /// The platform id of the message an edit, reaction or status is about.
    public var target: String?
    /// A delivery status (`sent`, `delivered`, `read`, `failed`) or a conversation status.
    public var status: String?
    public var media: MediaAttachment?

    public init(
        kind: Kind,
        platformEventID: String,
        conversation: String,
        sender: Sender,
        text: String,
        choiceID: String? = nil,
        language: String? = nil,
        acknowledgement: Acknowledgement? = nil,
        target: String? = nil,
        status: String? = nil,
        media: MediaAttachment? = nil
    ) {
        self.kind = kind
        self.platformEventID = platformEventID
        self.conversation = conversation
        self.sender = sender
        self.text = text
        self.choiceID = choiceID
        self.language = language
        self.acknowledgement = acknowledgement
        self.target = target
        self.status = status
        self.media = media
    }
}

/// What an adapter made of one webhook payload.
public enum MappedPayload: Sendable, Hashable {
    case events([InboundEvent])
    /// Authenticated but nothing to answer; the reason goes to the log.
    case ignored(reason: String)
}
