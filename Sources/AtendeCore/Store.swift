import Foundation

/// One authenticated event to store, with the trace id that follows it to delivery.
public struct IngestItem: Sendable {
    public var channelID: String
    public var event: InboundEvent
    public var traceID: String
    public var receivedAt: Int64

    public init(channelID: String, event: InboundEvent, traceID: String, receivedAt: Int64) {
        self.channelID = channelID
        self.event = event
        self.traceID = traceID
        self.receivedAt = receivedAt
    }
}

public enum IngestOutcome: Sendable, Hashable {
    case stored(messageID: Int64, conversationID: Int64)
    case duplicate
}

/// A turn job claimed by one worker; nobody else works on the conversation until it completes,
/// is released, or its lease runs out.
public struct ClaimedTurn: Sendable {
    public var jobID: Int64
    public var leaseToken: String
    /// 1 on the first try; a turn whose responder failed comes back with a higher count.
    public var attempts: Int
    public var turn: Turn

    public init(jobID: Int64, leaseToken: String, attempts: Int, turn: Turn) {
        self.jobID = jobID
        self.leaseToken = leaseToken
        self.attempts = attempts
        self.turn = turn
    }
}

/// An outbound platform call to make, stored in the outbox with the turn's result.
public struct OutboxDraft: Sendable, Hashable {
    /// The adapter's outbound action, such as `send_text` or `answer_callback`.
    public var action: String
    public var values: [String: JSONValue]
    /// The reply text this entry carries, kept as an outbound message; `nil` for acknowledgements.
    public var replyText: String?
    public var traceID: String
    /// Another channel to send through (a handoff notice to the business's own number);
    /// `nil` is the conversation's channel.
    public var channelID: String?

    public init(action: String, values: [String: JSONValue], replyText: String?, traceID: String, channelID: String? = nil) {
        self.channelID = channelID
        self.action = action
        self.values = values
        self.replyText = replyText
        self.traceID = traceID
    }
}

/// Everything a finished turn stores, in the transaction that marks its messages handled.
public struct TurnResult: Sendable {
    public var outbox: [OutboxDraft]
    /// `nil` keeps the conversation's memory as it was.
    public var memory: ConversationMemory?
    /// `nil` keeps the conversation's owner as it was.
    public var ownership: Ownership?
    public var trace: ReplyTrace?

    public init(outbox: [OutboxDraft], memory: ConversationMemory? = nil, ownership: Ownership? = nil, trace: ReplyTrace? = nil) {
        self.outbox = outbox
        self.memory = memory
        self.ownership = ownership
        self.trace = trace
    }
}

/// A stored trace of one turn, newest last.
public struct TraceRecord: Sendable, Hashable {
    public var conversationID: Int64
    public var createdAt: Int64
    public var trace: ReplyTrace

    public init(conversationID: Int64, createdAt: Int64, trace: ReplyTrace) {
        self.conversationID = conversationID
        self.createdAt = createdAt
        self.trace = trace
    }
}

/// A conversation as an admin sees it.
public struct ConversationRecord: Sendable, Hashable {
    public var id: Int64
    public var channelID: String
    public var platformChatID: String
    public var ownership: Ownership
    public var memory: ConversationMemory

    public init(id: Int64, channelID: String, platformChatID: String, ownership: Ownership, memory: ConversationMemory) {
        self.id = id
        self.channelID = channelID
        self.platformChatID = platformChatID
        self.ownership = ownership
        self.memory = memory
    }
}

/// Who takes a finished turn's first outbox entry straight away (see `GatewayStore.completeTurn`).
public struct DeliveryLease: Sendable {
    public var worker: String
    public var leaseMillis: Int64
    /// Channels whose circuit is open: their entries wait to be claimed later.
    public var excludingChannels: Set<String>

    public init(worker: String, leaseMillis: Int64, excludingChannels: Set<String>) {
        self.worker = worker
        self.leaseMillis = leaseMillis
        self.excludingChannels = excludingChannels
    }
}

/// A stored turn; `leasedDelivery` is its first outbox entry when it was leased with the turn.
public struct CompletedTurn: Sendable {
    public var leasedDelivery: ClaimedDelivery?

    public init(leasedDelivery: ClaimedDelivery?) {
        self.leasedDelivery = leasedDelivery
    }
}

/// An outbox entry claimed by one delivery worker.
public struct ClaimedDelivery: Sendable {
    public var id: Int64
    public var leaseToken: String
    public var channelID: String
    public var conversationID: Int64
    public var action: String
    public var values: [String: JSONValue]
    public var attempts: Int
    public var traceID: String

    public init(
        id: Int64, leaseToken: String, channelID: String, conversationID: Int64, action: String,
        values: [String: JSONValue], attempts: Int, traceID: String
    ) {
        self.id = id
        self.leaseToken = leaseToken
        self.channelID = channelID
        self.conversationID = conversationID
        self.action = action
        self.values = values
        self.attempts = attempts
        self.traceID = traceID
    }
}

/// An outbox entry as an admin sees it.
public struct DeliveryRecord: Sendable, Hashable {
    public var id: Int64
    public var channelID: String
    public var conversationID: Int64
    public var action: String
    public var state: String
    public var attempts: Int
    public var lastError: String?

    public init(id: Int64, channelID: String, conversationID: Int64, action: String, state: String, attempts: Int, lastError: String?) {
        self.id = id
        self.channelID = channelID
        self.conversationID = conversationID
        self.action = action
        self.state = state
        self.attempts = attempts
        self.lastError = lastError
    }
}

/// A turn job as an admin sees it (`atende turns list --dead`).
public struct TurnJobRecord: Sendable, Hashable {
    public var id: Int64
    public var conversationID: Int64
    public var channelID: String
    public var state: String
    public var attempts: Int
    public var lastError: String?
    /// The stored messages the turn was answering when it was parked.
    public var messageIDs: [Int64]
    public var finishedAt: Int64?

    public init(id: Int64, conversationID: Int64, channelID: String, state: String, attempts: Int, lastError: String?, messageIDs: [Int64], finishedAt: Int64?) {
        self.id = id
        self.conversationID = conversationID
        self.channelID = channelID
        self.state = state
        self.attempts = attempts
        self.lastError = lastError
        self.messageIDs = messageIDs
        self.finishedAt = finishedAt
    }
}

/// What erasing a contact removed, for the admin's answer and the log.
public struct ContactErasure: Sendable, Hashable {
    public var contacts: Int
    public var messages: Int
    public var traces: Int
    public var outboxEntries: Int
    /// Future bookings cancelled (their calendar events follow through the calendar sync).
    public var bookingsCancelled: Int
    /// Past bookings kept for the business's books, without name, e-mail or calendar link.
    public var bookingsAnonymized: Int

    public init(contacts: Int, messages: Int, traces: Int, outboxEntries: Int, bookingsCancelled: Int, bookingsAnonymized: Int) {
        self.contacts = contacts
        self.messages = messages
        self.traces = traces
        self.outboxEntries = outboxEntries
        self.bookingsCancelled = bookingsCancelled
        self.bookingsAnonymized = bookingsAnonymized
    }
}

/// What one retention run deleted.
public struct RetentionResult: Sendable, Hashable {
    public var messages: Int
    public var traces: Int
    public var outboxEntries: Int
    public var jobs: Int

    public init(messages: Int, traces: Int, outboxEntries: Int, jobs: Int) {
        self.messages = messages
        self.traces = traces
        self.outboxEntries = outboxEntries
        self.jobs = jobs
    }
}

/// A person's data (LGPD: access, erasure, retention limited to the purpose).
public protocol PersonalDataStore: Sendable {
    /// The contacts a person is: `key` is a contact id, or a phone number in any common form
    /// (matched as E.164 against each channel's contact id and second id).
    func contactIDs(matching key: String) async throws -> [Int64]
    /// Every row about these contacts (contact, conversations, messages, traces, memory, bookings,
    /// jobs, outbox) as one JSON document.
    func exportContacts(_ ids: [Int64], now: Int64) async throws -> JSONValue
    /// Deletes their messages, traces, memory, jobs and outbox entries, cancels their future
    /// bookings and anonymizes past ones, in one transaction. The contact and conversation rows
    /// stay as empty shells (bookings point at them) under an id no platform sends, so a later
    /// message from the same number starts a fresh contact.
    func eraseContacts(_ ids: [Int64], syncCalendar: Bool, now: Int64) async throws -> ContactErasure
    /// Deletes answered messages and finished outbox entries received before `messagesBefore`,
    /// traces before `tracesBefore`, and finished jobs before the earlier of the two (`nil`: keep).
    func deleteExpired(messagesBefore: Int64?, tracesBefore: Int64?) async throws -> RetentionResult
    /// Claims the daily retention job (queuing it when there is none); `nil` when it is not due.
    func claimRetention(worker: String, now: Int64, leaseMillis: Int64) async throws -> RetentionClaim?
    /// Marks the retention job done and queues the next run at `nextRunAt`; nothing if the lease was lost.
    func finishRetention(_ claim: RetentionClaim, error: String?, nextRunAt: Int64, now: Int64) async throws
}

/// The daily retention job, claimed by one worker.
public struct RetentionClaim: Sendable, Hashable {
    public var jobID: Int64
    public var leaseToken: String

    public init(jobID: Int64, leaseToken: String) {
        self.jobID = jobID
        self.leaseToken = leaseToken
    }
}

/// How `atende contacts` and the admin API name a person: `id:42` or a short number (a contact
/// id), `CHANNEL:ID` (a platform's id of the contact on that channel, such as a Telegram user id),
/// or a phone number in any common form (matched in E.164 on every channel).
public enum ContactLookup: Sendable, Hashable {
    case id(Int64)
    case phone(String)
    case platform(channel: String, id: String)

    public init?(_ key: String) {
        let trimmed = key.trimmingCharacters(in: .whitespaces)
        if let colon = trimmed.firstIndex(of: ":") {
            let prefix = String(trimmed[..<colon])
            let rest = String(trimmed[trimmed.index(after: colon)...])
            guard !prefix.isEmpty, !rest.isEmpty, prefix.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "_" }) else { return nil }
            if prefix == "id" {
                guard let id = Int64(rest) else { return nil }
                self = .id(id)
            } else {
                self = .platform(channel: prefix, id: rest)
            }
            return
        }
        if trimmed.count <= 7, let id = Int64(trimmed) {
            self = .id(id)
            return
        }
        guard let phone = PlatformPhone.e164(trimmed) else { return nil }
        self = .phone(phone)
    }
}

/// Counts for readiness, metrics and tests.
public struct StoreCounts: Sendable, Hashable {
    public var inboundMessages: Int
    public var unhandledMessages: Int
    public var outboundMessages: Int
    /// Turns queued or running.
    public var queuedTurns: Int
    public var pendingDeliveries: Int
    public var sentDeliveries: Int
    public var deadDeliveries: Int
    public var contacts: Int
    public var deadTurns: Int

    public init(
        inboundMessages: Int, unhandledMessages: Int, outboundMessages: Int, queuedTurns: Int,
        pendingDeliveries: Int, sentDeliveries: Int, deadDeliveries: Int, contacts: Int = 0, deadTurns: Int = 0
    ) {
        self.contacts = contacts
        self.deadTurns = deadTurns
        self.inboundMessages = inboundMessages
        self.unhandledMessages = unhandledMessages
        self.outboundMessages = outboundMessages
        self.queuedTurns = queuedTurns
        self.pendingDeliveries = pendingDeliveries
        self.sentDeliveries = sentDeliveries
        self.deadDeliveries = deadDeliveries
    }
}

/// Everything the pipeline keeps. SQLite and PostgreSQL implement it and pass one conformance suite.
///
/// Times are milliseconds since the epoch, passed in by the caller so tests control the clock.
public protocol GatewayStore: Sendable {
    /// Applies pending migrations; safe to call on every start and from several processes.
    func migrate() async throws
    /// Succeeds when the store answers a query.
    func ping() async throws

    /// Stores each new event and queues a turn for its conversation, all in one transaction.
    /// A redelivered event (same channel and platform event id) changes nothing.
    /// - Parameter debounceMillis: a new turn waits this long for further messages.
    func ingest(_ items: [IngestItem], debounceMillis: Int64) async throws -> [IngestOutcome]

    /// Claims the oldest due turn of a conversation nobody is working on.
    func claimTurn(worker: String, now: Int64, leaseMillis: Int64) async throws -> ClaimedTurn?
    /// Stores the turn's outbound entries, marks its messages handled and frees the conversation,
    /// in one transaction. Returns `nil`, changing nothing, if the lease was lost to another worker.
    /// - Parameter leasing: lease the turn's first entry to a delivery worker of this process in the
    ///   same transaction (when nothing earlier of the conversation waits and its channel is not
    ///   excluded), so it goes out without a claim of its own.
    func completeTurn(_ claim: ClaimedTurn, result: TurnResult, now: Int64, leasing: DeliveryLease?) async throws -> CompletedTurn?
    /// Gives a claimed turn back, to run again at `retryAt`.
    func releaseTurn(_ claim: ClaimedTurn, retryAt: Int64, error: String) async throws
    /// Extends a running turn's lease to `until`, while its worker is still answering (a slow
    /// model); `false` if the lease was already lost.
    func renewTurnLease(_ claim: ClaimedTurn, until: Int64) async throws -> Bool
    /// Parks a turn that keeps failing: the job becomes `dead` with `reason`, its messages stay
    /// stored but leave the queue (marked handled, so the conversation's next message is answered),
    /// and the conversation is freed. `false` if the lease was lost to another worker.
    func parkTurn(_ claim: ClaimedTurn, reason: String, now: Int64) async throws -> Bool
    /// Turn jobs in `state` (`dead`, `queued`, `running`), oldest first.
    func turnJobs(state: String, limit: Int) async throws -> [TurnJobRecord]
    /// Queues a dead turn's messages again as the conversation's next turn; `false` if there is no
    /// dead turn with that id.
    func replayTurn(id: Int64, now: Int64) async throws -> Bool

    /// Claims the oldest due outbox entry whose earlier entries in the same conversation are done.
    /// Entries of `excludingChannels` (whose circuit is open) are left for later.
    func claimDelivery(worker: String, now: Int64, leaseMillis: Int64, excludingChannels: Set<String>) async throws -> ClaimedDelivery?
    /// Gives a claimed entry back untried, to be claimed again at `until`; the attempt does not count.
    func deferDelivery(_ delivery: ClaimedDelivery, until: Int64) async throws
    func markDelivered(_ delivery: ClaimedDelivery, platformMessageID: String?, now: Int64) async throws
    /// Schedules another attempt at `retryAt`, or marks the entry dead when `retryAt` is `nil`.
    func markDeliveryFailed(_ delivery: ClaimedDelivery, error: String, retryAt: Int64?, now: Int64) async throws

    func deliveries(state: String, limit: Int) async throws -> [DeliveryRecord]
    /// The choice id an earlier outbox entry of the conversation sent as `token` (see `mapKey`), if any.
    func choiceID(forToken token: String, mapKey: String, conversationID: Int64) async throws -> String?
    /// The furthest delivery status the platform reported for a message the gateway sent
    /// (`sent` < `delivered` < `read` < `played`; `failed` and `deleted` count as final), however
    /// late or out of order the reports came.
    func deliveryStatus(channelID: String, platformMessageID: String) async throws -> String?
    /// The conversation with this platform chat id, if the gateway has seen it.
    func conversation(channelID: String, platformChatID: String) async throws -> ConversationRecord?
    /// Sets who answers a conversation (an owner's command); `false` if there is no such conversation.
    func setOwnership(conversationID: Int64, _ ownership: Ownership) async throws -> Bool
    /// The latest traces of a conversation, oldest first.
    func traces(conversationID: Int64, limit: Int) async throws -> [TraceRecord]

    /// Puts a dead entry back in the queue; `false` if there is no dead entry with that id.
    func replayDelivery(id: Int64, now: Int64) async throws -> Bool

    /// Frees every lease at once. Only for a store one process owns (SQLite) when that process
    /// starts: any lease found then belongs to a process that died, and waiting for it to expire
    /// would only delay the replies.
    func releaseAllLeases() async throws

    func counts() async throws -> StoreCounts
    /// Closes connections; the store is unusable afterwards.
    func close() async throws
}

extension GatewayStore {
    /// Completes a turn, leaving its entries for the delivery workers to claim; `false` if the lease was lost.
    public func completeTurn(_ claim: ClaimedTurn, result: TurnResult, now: Int64) async throws -> Bool {
        try await completeTurn(claim, result: result, now: now, leasing: nil) != nil
    }

    /// Completes a turn that only sends (no memory, ownership or trace to keep).
    public func completeTurn(_ claim: ClaimedTurn, outbox: [OutboxDraft], now: Int64) async throws -> Bool {
        try await completeTurn(claim, result: TurnResult(outbox: outbox), now: now)
    }

    public func claimDelivery(worker: String, now: Int64, leaseMillis: Int64) async throws -> ClaimedDelivery? {
        try await claimDelivery(worker: worker, now: now, leaseMillis: leaseMillis, excludingChannels: [])
    }
}
