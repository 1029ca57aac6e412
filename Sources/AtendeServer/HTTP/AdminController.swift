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

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/admin/conversations/:channel/:chat", use: conversation)
        router.post("/admin/conversations/:channel/:chat/owner", use: setOwner)
    }

    /// `nil` when the request may go on; otherwise the refusal.
    func refusal(_ request: Request) -> Response? {
        guard let token = runtime.configuration.adminToken else {
            return .json(.notFound, ["error": "the admin API is off; set admin.token (or ATENDE_ADMIN_TOKEN) to turn it on"])
        }
        let given = request.headers[.authorization].map { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : "" } ?? ""
        // Compared as hashes: the time taken says nothing about how much of the token matched.
        guard SHA256.hash(data: Data(given.utf8)) == SHA256.hash(data: Data(token.utf8)) else {
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

    @Sendable func conversation(_ request: Request, context: BasicRequestContext) async throws -> Response {
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
    @Sendable func setOwner(_ request: Request, context: BasicRequestContext) async throws -> Response {
        if let refusal = refusal(request) { return refusal }
        let channel = try context.parameters.require("channel")
        let chat = try context.parameters.require("chat")
        let body = try await request.body.collect(upTo: 4096)
        guard let json = JSONValue.parse(body.readableBytesView), let ownerName = json.value(at: "owner")?.scalarText,
            let owner = Ownership.Owner(rawValue: ownerName)
        else {
            return .json(.badRequest, ["error": #"send {"owner": "bot" | "human" | "paused", "minutes": N}"#])
        }
        var minutes: Int64?
        if let given = json.value(at: "minutes") {
            guard let number = given.scalarText.flatMap({ Int64($0) }), number > 0 else {
                return .json(.badRequest, ["error": "minutes must be a whole number above 0"])
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
        case .paused: ownership = Ownership(owner: .paused, since: now, until: now + (minutes.map { $0 * 60_000 } ?? runtime.configuration.orchestrator.defaultPauseMillis))
        }
        _ = try await runtime.store.setOwnership(conversationID: record.id, ownership)
        let texts = agents.set.library.texts
        let message = owner == .bot ? texts.text(.resumed, .pt) : texts.text(.paused, .pt)
        var fields = ["owner": owner.rawValue, "message": message]
        if let until = ownership.until { fields["until"] = "\(until)" }
        return .json(.ok, fields)
    }
}
