/// Who answers a conversation. The bot answers only when it owns it.
public struct Ownership: Sendable, Hashable {
    public enum Owner: String, Sendable, Hashable, Codable {
        case bot
        /// Someone from the business is talking; the bot stays quiet until they have been quiet a while.
        case human
        /// The owner paused the bot for this conversation until `until` (or until resumed).
        case paused
    }

    public var owner: Owner
    /// When a person last acted (took over, replied by hand) or the owner last gave a command.
    public var since: Int64?
    /// For `paused`: when the pause ends; `nil` means until resumed.
    public var until: Int64?

    public init(owner: Owner, since: Int64? = nil, until: Int64? = nil) {
        self.owner = owner
        self.since = since
        self.until = until
    }

    public static let bot = Ownership(owner: .bot)

    /// The longest pause: a year. A longer one (from a command, the admin API or the
    /// configuration) is cut to this, so no arithmetic on a time can overflow.
    public static let maxPauseMillis: Int64 = 365 * 86_400_000

    /// Paused from `since` for `millis`, at most `maxPauseMillis`.
    public static func paused(since: Int64, forMillis millis: Int64) -> Ownership {
        let length = min(max(millis, 0), maxPauseMillis)
        let (until, overflow) = since.addingReportingOverflow(length)
        return Ownership(owner: .paused, since: since, until: overflow ? Int64.max : until)
    }

    /// Whether the bot must stay quiet at `now`. A human's ownership lapses after `humanQuietMillis`
    /// without human activity; a pause lapses at its end.
    public func silencesBot(now: Int64, humanQuietMillis: Int64) -> Bool {
        switch owner {
        case .bot: false
        case .human: now < (since ?? 0).addingReportingOverflow(humanQuietMillis).partialValue
        case .paused: until.map { now < $0 } ?? true
        }
    }
}

/// What the orchestrator remembers about a conversation between turns, stored with it as JSON.
public struct ConversationMemory: Sendable, Hashable, Codable {
    /// The agent answering the conversation, which follow-ups stay with.
    public var activeAgent: String?
    /// When the active agent last answered.
    public var activeAt: Int64?
    /// The topic (intent) of the last routed message.
    public var lastIntent: String?
    /// The last thing the contact asked that an agent answered.
    public var lastQuestion: String?
    /// The last answer given, to tell the contact where things stopped.
    public var lastAnswer: String?
    /// A clarifying question waiting for its answer: the agents offered and what was asked.
    public var clarification: Clarification?
    /// Why the conversation was handed to a person, while a person has it.
    public var handoffReason: String?
    /// A booking, move or cancellation in progress: the receptionist keeps the conversation until it ends.
    public var scheduling: SchedulingFlow?
    /// The name the contact gave the receptionist, which beats the platform's profile name.
    public var contactName: String?
    /// The language the contact last wrote in (`pt`, `en`), for replies to messages too short to tell ("2").
    public var language: String?
    /// The last answer asked "Quer marcar um horário?": the service it was about ("" for any), so
    /// a "sim" starts that booking. Good for the next message only.
    public var bookingOffer: String?

    public struct Clarification: Sendable, Hashable, Codable {
        public var agents: [String]
        public var question: String

        public init(agents: [String], question: String) {
            self.agents = agents
            self.question = question
        }
    }

    public init() {}
}

/// Where the receptionist is with a contact, between turns.
public struct SchedulingFlow: Sendable, Hashable, Codable {
    public enum Goal: String, Sendable, Hashable, Codable {
        case book
        case reschedule
        case cancel
    }

    public enum Step: String, Sendable, Hashable, Codable {
        /// Asked which service.
        case service
        /// Offered slots; waiting for the pick.
        case pick
        /// A slot is picked and held; waiting for the contact's name.
        case name
        /// The contact has several bookings; asked which one to move or cancel.
        case which
        /// A reminder was sent; waiting for "1" (I'll come) or "2" (move it).
        case reminder
    }

    public var goal: Goal
    public var step: Step
    /// The service's id.
    public var service: String?
    /// The slots offered, in the order shown (their numbers).
    public var offered: [ClosedInterval]
    /// The slot picked while the name is asked.
    public var picked: ClosedInterval?
    /// The booking being moved, cancelled or reminded of.
    public var bookingID: Int64?
    /// The bookings offered when asking which one.
    public var candidates: [Int64]
    /// What the contact asked for, `[from, to)`, to offer more of the same when none fits.
    public var wish: ClosedInterval?
    /// When the flow last moved on; a flow left alone long enough ends by itself.
    public var updatedAt: Int64

    public init(
        goal: Goal, step: Step, service: String? = nil, offered: [ClosedInterval] = [], picked: ClosedInterval? = nil, bookingID: Int64? = nil,
        candidates: [Int64] = [], wish: ClosedInterval? = nil, updatedAt: Int64
    ) {
        self.goal = goal
        self.step = step
        self.service = service
        self.offered = offered
        self.picked = picked
        self.bookingID = bookingID
        self.candidates = candidates
        self.wish = wish
        self.updatedAt = updatedAt
    }
}

/// One earlier message of the conversation, for context (LLM history, summaries).
public struct HistoryLine: Sendable, Hashable {
    public enum Author: String, Sendable, Hashable {
        case contact
        case bot
        /// Someone from the business, answering by hand.
        case human
    }

    public var author: Author
    public var text: String
    public var at: Int64

    public init(author: Author, text: String, at: Int64) {
        self.author = author
        self.text = text
        self.at = at
    }
}

/// A pause length the team writes after `#pausar`: `30m`, `2h`, `3d`. Any number of digits is
/// read without arithmetic that can trap; a length over `Ownership.maxPauseMillis` is cut to it.
public struct PauseDuration: Sendable, Hashable {
    public var millis: Int64
    /// What was asked was longer than the longest pause.
    public var capped: Bool

    public init(millis: Int64) {
        self.capped = millis > Ownership.maxPauseMillis
        self.millis = min(max(millis, 0), Ownership.maxPauseMillis)
    }

    /// `nil` for anything but digits (at least one, not all zero) and one of `m`, `h`, `d`.
    public init?(_ word: String) {
        let unitMillis: Int64
        switch word.last {
        case "m": unitMillis = 60_000
        case "h": unitMillis = 3_600_000
        case "d": unitMillis = 86_400_000
        default: return nil
        }
        let digits = word.dropLast()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.contains(where: { $0 != "0" }) else { return nil }
        // More digits than an Int64 holds is as long as it gets.
        let number = Int64(digits) ?? .max
        let (product, overflow) = number.multipliedReportingOverflow(by: unitMillis)
        self.init(millis: overflow ? .max : product)
    }
}
