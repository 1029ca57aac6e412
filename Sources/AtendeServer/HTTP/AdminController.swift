import AtendeAgents
import AtendeCore
import AtendeUnderstanding
import Crypto
import Foundation
import Hummingbird
import NIOCore

/// The admin API, behind `Authorization: Bearer {admin.token}`; without a configured token it
/// does not exist. What the console shows: a conversation's owner, memory and why each reply was
/// given; and the owner's command to pause the bot in a conversation or give it back.
struct AdminController {
    let runtime: GatewayRuntime
    let agents: CurrentAgents

    func addRoutes(to router: Router<AtendeRequestContext>) {
        router.get("/admin/conversations/:channel/:chat", use: conversation)
        router.post("/admin/conversations/:channel/:chat/owner", use: setOwner)
        router.get("/admin/turns", use: turns)
        router.post("/admin/turns/:id/replay", use: replayTurn)
        router.get("/admin/deliveries", use: deliveries)
        router.post("/admin/deliveries/:id/replay", use: replayDelivery)
    }

    /// `nil` when the request may go on; otherwise the refusal.
    func refusal(_ request: Request) -> Response? {
        guard let token = runtime.configuration.adminToken else {
            return .json(.notFound, ["error": "the admin API is off; set admin.token (or ATENDE_ADMIN_TOKEN) to turn it on"])
        }
        guard BearerToken.matches(request, token) else {
            return .json(.unauthorized, ["error": "missing or wrong admin token (Authorization: Bearer …)"])
        }
        return nil
    }

    struct ConversationView: Encodable {
        var id: Int64
        var channel: String
        var chat: String
        var owner: String
        var ownerSince: Int64?
        var ownerUntil: Int64?
        var memory: ConversationMemory
        var replies: [TracedReply]
    }

    struct TracedReply: Encodable {
        var at: Int64
        var trace: ReplyTrace
    }

    @Sendable func conversation(_ request: Request, context: AtendeRequestContext) async throws -> Response {
        if let refusal = refusal(request) { return refusal }
        let channel = try context.parameters.require("channel")
        let chat = try context.parameters.require("chat")
        guard let record = try await runtime.store.conversation(channelID: channel, platformChatID: chat) else {
            return .json(.notFound, ["error": "no conversation \(chat) on channel \(channel)"])
        }
        let traces = try await runtime.store.traces(conversationID: record.id, limit: 50)
        let view = ConversationView(
            id: record.id, channel: channel, chat: chat, owner: record.ownership.owner.rawValue,
            ownerSince: record.ownership.since, ownerUntil: record.ownership.until, memory: record.memory,
            replies: traces.map { TracedReply(at: $0.createdAt, trace: $0.trace) }
        )
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: Array(try encoder.encode(view)))))
    }

    /// `{"owner": "bot" | "human" | "paused", "minutes": 120}`; minutes only for `paused` (default: the configured pause).
    @Sendable func setOwner(_ request: Request, context: AtendeRequestContext) async throws -> Response {
        if let refusal = refusal(request) { return refusal }
        let channel = try context.parameters.require("channel")
        let chat = try context.parameters.require("chat")
        let body = try await request.body.collect(upTo: 4096)
        guard let json = JSONValue.parse(body.readableBytesView), let ownerName = json.value(at: "owner")?.scalarText,
            let owner = Ownership.Owner(rawValue: ownerName)
        else {
            return .json(.badRequest, ["error": #"send {"owner": "bot" | "human" | "paused", "minutes": N}"#])
        }
        let maxMinutes = Ownership.maxPauseMillis / 60_000
        var minutes: Int64?
        if let given = json.value(at: "minutes") {
            guard case .int(let number) = given, (1...maxMinutes).contains(number) else {
                return .json(.badRequest, ["error": "minutes must be a whole number from 1 to \(maxMinutes) (365 days)"])
            }
            minutes = number
        }
        guard let record = try await runtime.store.conversation(channelID: channel, platformChatID: chat) else {
            return .json(.notFound, ["error": "no conversation \(chat) on channel \(channel)"])
        }
        let now = runtime.time.nowMillis()
        let ownership: Ownership
        switch owner {
        case .bot: ownership = .bot
        case .human: ownership = Ownership(owner: .human, since: now)
        case .paused: ownership = .paused(since: now, forMillis: minutes.map { $0 * 60_000 } ?? runtime.configuration.orchestrator.defaultPauseMillis)
        }
        _ = try await runtime.store.setOwnership(conversationID: record.id, ownership)
        let texts = agents.set.library.texts
        let message = owner == .bot ? texts.text(.resumed, .pt) : texts.text(.paused, .pt)
        var fields = ["owner": owner.rawValue, "message": message]
        if let until = ownership.until { fields["until"] = "\(until)" }
        return .json(.ok, fields)
    }
}

extension AdminController {
    struct TurnJobView: Encodable {
        var id: Int64
        var conversationId: Int64
        var channel: String
        var state: String
        var attempts: Int
        var lastError: String?
        var messageIds: [Int64]
        var finishedAt: Int64?
    }

    struct DeliveryView: Encodable {
        var id: Int64
        var channel: String
        var conversationId: Int64
        var action: String
        var state: String
        var attempts: Int
        var lastError: String?
    }

    /// `GET /admin/turns?state=dead&limit=100`: turn jobs in a state (dead by default).
    @Sendable func turns(_ request: Request, context: AtendeRequestContext) async throws -> Response {
        if let refusal = refusal(request) { return refusal }
        guard let query = ListQuery(request, states: ["dead", "queued", "running"]) else { return ListQuery.refusal(["dead", "queued", "running"]) }
        let jobs = try await runtime.store.turnJobs(state: query.state, limit: query.limit)
        return try .encoded(jobs.map {
            TurnJobView(
                id: $0.id, conversationId: $0.conversationID, channel: $0.channelID, state: $0.state, attempts: $0.attempts, lastError: $0.lastError,
                messageIds: $0.messageIDs, finishedAt: $0.finishedAt
            )
        })
    }

    @Sendable func replayTurn(_ request: Request, context: AtendeRequestContext) async throws -> Response {
        try await replay(request, context, "turn", signal: runtime.turnSignal) { try await runtime.store.replayTurn(id: $0, now: $1) }
    }

    @Sendable func replayDelivery(_ request: Request, context: AtendeRequestContext) async throws -> Response {
        try await replay(request, context, "delivery", signal: runtime.deliverySignal) { try await runtime.store.replayDelivery(id: $0, now: $1) }
    }

    /// `POST /admin/{turns|deliveries}/{id}/replay`: queues a dead one again and wakes its workers.
    private func replay(
        _ request: Request, _ context: AtendeRequestContext, _ what: String, signal: WorkSignal, _ queue: (Int64, Int64) async throws -> Bool
    ) async throws -> Response {
        if let refusal = refusal(request) { return refusal }
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else { return .json(.badRequest, ["error": "the \(what) id is a whole number"]) }
        guard try await queue(id, runtime.time.nowMillis()) else { return .json(.notFound, ["error": "no dead \(what) \(id)"]) }
        signal.notify(count: 1)
        return .json(.ok, ["ok": "queued"])
    }

    /// `GET /admin/deliveries?state=dead&limit=100`: outbox entries in a state (dead by default).
    @Sendable func deliveries(_ request: Request, context: AtendeRequestContext) async throws -> Response {
        if let refusal = refusal(request) { return refusal }
        guard let query = ListQuery(request, states: ["dead", "pending", "sent"]) else { return ListQuery.refusal(["dead", "pending", "sent"]) }
        let entries = try await runtime.store.deliveries(state: query.state, limit: query.limit)
        return try .encoded(entries.map {
            DeliveryView(id: $0.id, channel: $0.channelID, conversationId: $0.conversationID, action: $0.action, state: $0.state, attempts: $0.attempts, lastError: $0.lastError)
        })
    }

}

/// `?state=…&limit=…` of the admin lists: a known state, and a limit from 1 to 1000 (default 100).
struct ListQuery {
    var state: String
    var limit: Int

    init?(_ request: Request, states: [String]) {
        let parameters = request.uri.queryParameters
        state = parameters["state"].map(String.init) ?? states[0]
        guard states.contains(state) else { return nil }
        if let text = parameters["limit"] {
            guard let number = Int(text), (1...1000).contains(number) else { return nil }
            limit = number
        } else {
            limit = 100
        }
    }

    static func refusal(_ states: [String]) -> Response {
        .json(.badRequest, ["error": "state is one of \(states.joined(separator: ", ")); limit is a whole number from 1 to 1000"])
    }
}

extension Response {
    /// `value` as JSON with snake_case keys.
    static func encoded(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: Array(try encoder.encode(value)))))
    }
}

/// `Authorization: Bearer …` checks for the admin API and `/metrics`.
enum BearerToken {
    static func matches(_ request: Request, _ token: String) -> Bool {
        let given = request.headers[.authorization].map { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : "" } ?? ""
        // Compared as hashes: the time taken says nothing about how much of the token matched.
        return SHA256.hash(data: Data(given.utf8)) == SHA256.hash(data: Data(token.utf8))
    }
}
