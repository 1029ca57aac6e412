import AtendeAgents
import AsyncHTTPClient
import AtendeCore
import AtendeServer
import AtendeTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The admin API: token required, a conversation's owner, memory and reply traces, and the
/// owner's command to pause the bot in one conversation or give it back.
@Suite struct AdminAPITests {
    static let token = "admin-token-0123456789"

    static func call(_ url: String, method: HTTPMethod = .GET, token: String?, body: String? = nil) async throws -> (status: Int, body: JSONValue) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: GatewayHarness.requestTimeout)
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), JSONValue.parse(bytes.readableBytesView) ?? .null)
    }

    @Test func pauseAndResumeAConversationAndSeeWhyTheBotAnswered() async throws {
        let harness = try await GatewayHarness.start {
            $0.adminToken = Self.token
            $0.orchestrator.teamChannels = ["tg"]
        }
        var ana = ConversationScenarioTests.Contact(harness, chat: 9501)
        _ = try await ana.say("meu caixa tá negativo esse mês")
        let url = harness.server.baseURL + "/admin/conversations/tg/9501"

        #expect(try await Self.call(url, token: nil).status == 401)
        #expect(try await Self.call(url, token: "wrong-token-0123456789").status == 401)
        let view = try await Self.call(url, token: Self.token)
        #expect(view.status == 200)
        #expect(view.body.value(at: "owner") == .string("bot"))
        #expect(view.body.value(at: "memory.active_agent") == .string("caixa"))
        #expect(view.body.value(at: "replies.0.trace.agent") == .string("caixa"))
        #expect(view.body.value(at: "replies.0.trace.decision") == .string("routed"))

        let paused = try await Self.call(url + "/owner", method: .POST, token: Self.token, body: #"{"owner": "paused", "minutes": 30}"#)
        #expect(paused.status == 200 && paused.body.value(at: "owner") == .string("paused"))
        try await ana.sayUnanswered("oi, alguém?")
        #expect(try await Self.call(url + "/owner", method: .POST, token: Self.token, body: #"{"owner": "robot"}"#).status == 400)
        #expect(try await Self.call(url + "/owner", method: .POST, token: Self.token, body: #"{"owner": "bot"}"#).status == 200)
        _ = try await ana.say("oi, de novo")
        #expect(try await Self.call(harness.server.baseURL + "/admin/conversations/tg/404", token: Self.token).status == 404)
        try await harness.stop()
    }

    @Test func withoutATokenTheAdminAPIDoesNotExist() async throws {
        let harness = try await GatewayHarness.start()
        let response = try await Self.call(harness.server.baseURL + "/admin/conversations/tg/1", token: "anything-at-all-0123")
        #expect(response.status == 404)
        #expect(response.body.value(at: "error")?.scalarText?.contains("admin.token") == true)
        try await harness.stop()
    }

    /// A person's data through the admin API: export by phone, erase, and nothing of them left.
    @Test func exportAndEraseAContactByPhone() async throws {
        let harness = try await GatewayHarness.start { $0.adminToken = Self.token }
        do {
            var ana = ConversationScenarioTests.Contact(harness, chat: 9601)
            _ = try await ana.say("oi, quero saber o preço da escova")
            let base = harness.server.baseURL + "/admin/contacts/"
            #expect(try await Self.call(base + "9601/export", token: nil).status == 401)
            #expect(try await Self.call(base + "999999999/export", token: Self.token).status == 404)
            // Telegram contacts are keyed by their user id; the fixture's sender is the chat.
            let ids = try await harness.gateway.runtime.store.counts().contacts
            #expect(ids == 1)
            let export = try await Self.call(base + "1/export", token: Self.token)
            #expect(export.status == 200)
            #expect(export.body.encodedString().contains("o preço da escova"))
            let erase = try await Self.call(base + "1/erase", method: .POST, token: Self.token)
            #expect(erase.status == 200 && erase.body.value(at: "messages") == .string("2"))
            let after = try await Self.call(base + "1/export", token: Self.token)
            #expect(after.status == 200 && !after.body.encodedString().contains("escova"))
        } catch {
            Issue.record(error)
        }
        try await harness.stop()
    }

    /// Dead turns and deliveries are listed and replayed through the API; bad queries are 400.
    @Test func deadTurnsAndDeliveriesAreListedAndReplayed() async throws {
        let harness = try await GatewayHarness.start { $0.adminToken = Self.token }
        do {
            let base = harness.server.baseURL + "/admin/"
            let turns = try await Self.call(base + "turns?state=dead", token: Self.token)
            #expect(turns.status == 200 && turns.body == .array([]))
            #expect(try await Self.call(base + "turns?state=nope", token: Self.token).status == 400)
            #expect(try await Self.call(base + "turns?limit=99999999999999999999", token: Self.token).status == 400)
            #expect(try await Self.call(base + "turns?limit=-1", token: Self.token).status == 400)
            #expect(try await Self.call(base + "turns/12/replay", method: .POST, token: Self.token).status == 404)
            #expect(try await Self.call(base + "turns/1e99/replay", method: .POST, token: Self.token).status == 400)
            #expect(try await Self.call(base + "deliveries?state=pending&limit=5", token: Self.token).status == 200)
            #expect(try await Self.call(base + "deliveries/3/replay", method: .POST, token: Self.token).status == 404)
            #expect(try await Self.call(base + "turns", token: nil).status == 401)
        } catch {
            Issue.record(error)
        }
        try await harness.stop()
    }

    @Test func metricsCanRequireAToken() async throws {
        let harness = try await GatewayHarness.start { $0.metricsToken = "metrics-token-0123456789" }
        do {
            #expect(try await Self.call(harness.server.baseURL + "/metrics", token: nil).status == 401)
            #expect(try await Self.call(harness.server.baseURL + "/metrics", token: "metrics-token-0123456789").status == 200)
            #expect(try await Self.call(harness.server.baseURL + "/healthz", token: nil).status == 200)
        } catch {
            Issue.record(error)
        }
        try await harness.stop()
    }
}
