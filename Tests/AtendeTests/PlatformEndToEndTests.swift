import AsyncHTTPClient
import AtendeCore
import AtendeServer
import AtendeTestSupport
import Crypto
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Testing

/// Every WhatsApp and Chatwoot adapter end to end over real HTTP: a real payload comes in, signed
/// the way the platform signs it; the reply, with choices, reaches a local server at the path of
/// the platform's send API; the pick comes back as a choice event and is answered.
@Suite struct PlatformEndToEndTests {
    struct Platform: Sendable, CustomTestStringConvertible {
        var adapter: String
        var settings: @Sendable (_ apiBase: String) -> [String: String]
        /// The segment after the channel id in the webhook URL, for URL-secret platforms.
        var pathSecret: String?
        var textFixture: String
        var choiceFixture: String?
        var sign: @Sendable (_ body: String) -> [String: String]
        /// Where the choices go (the path ends with this) and where the plain text goes.
        var choicesPath: String
        var textPath: String
        /// A field of the send body that must name the contact, and its value.
        var recipient: (path: String, value: String)?
        var testDescription: String { adapter }
    }

    static func hmac(_ message: String, key: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: Array(key.utf8))).map { String(format: "%02x", $0) }.joined()
    }

    static let platforms: [Platform] = [
        Platform(
            adapter: "uazapi",
            settings: { ["token": "xxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", "webhook_secret": "url-secret-1", "api_base": $0] },
            pathSecret: "url-secret-1",
            textFixture: "messages-text-incoming.json", choiceFixture: "messages-list-response.json",
            sign: { _ in [:] },
            choicesPath: "/send/menu", textPath: "/send/text", recipient: ("number", "5511988887777")
        ),
        Platform(
            adapter: "whatsapp-cloud",
            settings: { ["access_token": "meta-token", "phone_number_id": "106540352242922", "app_secret": "meta-app-secret", "verify_token": "v", "api_base": $0] },
            pathSecret: nil,
            textFixture: "text-message.meta-docs.json", choiceFixture: "interactive-button-reply.pywa.json",
            sign: { ["X-Hub-Signature-256": "sha256=" + hmac($0, key: "meta-app-secret")] },
            choicesPath: "/106540352242922/messages", textPath: "/106540352242922/messages", recipient: ("to", "16505551234")
        ),
        Platform(
            adapter: "chatwoot",
            settings: { ["api_access_token": "bot-token", "account_id": "2", "webhook_secret": "cw-secret", "api_base": $0] },
            pathSecret: nil,
            textFixture: "message_created-api-inbox-via-evolution.json", choiceFixture: nil,
            sign: { body in
                let timestamp = Int(Date().timeIntervalSince1970)
                return [
                    "X-Chatwoot-Signature": "sha256=" + hmac("\(timestamp).\(body)", key: "cw-secret"),
                    "X-Chatwoot-Timestamp": "\(timestamp)",
                    "X-Chatwoot-Delivery": UUID().uuidString,
                ]
            },
            choicesPath: "/api/v1/accounts/2/conversations/4/messages", textPath: "/api/v1/accounts/2/conversations/4/messages", recipient: nil
        ),
        Platform(
            adapter: "evolution",
            settings: { ["api_key": "<redacted>", "instance": "loja", "webhook_secret": "url-secret-2", "api_base": $0] },
            pathSecret: "url-secret-2",
            textFixture: "messages-upsert-text.constructed.json", choiceFixture: "messages-upsert-button-reply.constructed.json",
            sign: { _ in [:] },
            choicesPath: "/message/sendButtons/loja", textPath: "/message/sendText/loja", recipient: ("number", "5511988887777")
        ),
        Platform(
            adapter: "zapi",
            settings: { ["instance_id": "inst", "token": "ztoken", "client_token": "zclient", "webhook_secret": "url-secret-3", "api_base": $0] },
            pathSecret: "url-secret-3",
            textFixture: "received-text.json", choiceFixture: "received-buttons-response.json",
            sign: { _ in [:] },
            choicesPath: "/instances/inst/token/ztoken/send-button-list", textPath: "/instances/inst/token/ztoken/send-text", recipient: ("phone", "5544999999999")
        ),
    ]

    /// What each platform's documentation says a request to it must look like (`../shared/platforms/README.md`):
    /// the fields it requires and their formats. Returns what a request gets wrong.
    static func documentedShapeViolations(_ adapter: String, _ call: FakePlatformAPI.Call) -> [String] {
        func text(_ path: String) -> String? { call.body.value(at: path)?.scalarText }
        func digitsOnly(_ value: String?) -> Bool { value.map { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } } ?? false }
        var problems: [String] = []
        func require(_ condition: Bool, _ problem: String) { if !condition { problems.append("\(call.path): \(problem) in \(call.body.encodedString())") } }
        switch adapter {
        case "uazapi":
            // `number` is digits-only international format (or a group's …@g.us).
            require(digitsOnly(text("number")) || text("number")?.hasSuffix("@g.us") == true, "number is not digits-only")
            if call.path.hasSuffix("/send/text") { require(text("text")?.isEmpty == false, "send/text without text") }
            if call.path.hasSuffix("/send/menu") { require(["button", "list", "poll"].contains(text("type") ?? ""), "send/menu without a type") }
        case "whatsapp-cloud":
            require(text("messaging_product") == "whatsapp", "messaging_product is not whatsapp")
            require(digitsOnly(text("to")?.replacingOccurrences(of: "+", with: "")), "to is not a phone number")
            require(["text", "interactive"].contains(text("type") ?? ""), "type is not text or interactive")
            if text("type") == "text" { require(text("text.body")?.isEmpty == false, "text without a body") }
        case "chatwoot":
            require(text("content")?.isEmpty == false || call.path.hasSuffix("/toggle_status") || call.path.hasSuffix("/assignments"), "a message without content")
        case "evolution":
            // numberDefinition: ^\d+[\.@\w-]+ (a plus first is refused with 400).
            let number = text("number") ?? ""
            require(number.first?.isNumber == true && number.allSatisfy { $0.isLetter || $0.isNumber || ".@_-".contains($0) }, "number does not match ^\\d+[\\.@\\w-]+")
            if call.path.contains("/sendText/") { require(text("text")?.isEmpty == false, "sendText without text") }
        case "zapi":
            require(digitsOnly(text("phone")), "phone is not digits-only")
            if call.path.hasSuffix("/send-text") { require(text("message")?.isEmpty == false, "send-text without message") }
        default:
            break
        }
        return problems
    }

    /// Offers two choices to a message and confirms a pick: the agents' job later, the adapters' test now.
    struct OfferAndConfirm: Responder {
        func respond(to turn: Turn) async throws -> TurnAnswer {
            if let pick = turn.messages.last(where: { $0.kind == .choice }) {
                return TurnAnswer(reply: Reply(text: "Você escolheu \(pick.choiceID ?? "?")"))
            }
            return TurnAnswer(reply: Reply(text: "Escolha um horário:", choices: [Choice(id: "slot_1", title: "Seg 10:00"), Choice(id: "slot_2", title: "Ter 14:30")]))
        }
    }

    @Test(arguments: platforms)
    func replyWithChoicesAndThePickComingBack(_ platform: Platform) async throws {
        let api = FakePlatformAPI()
        let apiServer = try await api.start()
        let (gateway, server) = try await GatewayHarness.launch(
            channels: [ChannelConfiguration(id: "ch", adapter: platform.adapter, settings: platform.settings(apiServer.baseURL))],
            responder: OfferAndConfirm()
        )
        let url = server.baseURL + "/webhooks/ch" + (platform.pathSecret.map { "/" + $0 } ?? "")

        let text = try Repository.fixture(platform.adapter, platform.textFixture)
        #expect(try await GatewayHarness.post(url, body: text, headers: platform.sign(text)) == 200)
        let isOffer: @Sendable (FakePlatformAPI.Call) -> Bool = { $0.path.hasSuffix(platform.choicesPath) && $0.body.encodedString().contains("slot_1") }
        try await eventually("the reply with choices") { api.calls.contains(where: isOffer) }
        let offer = try #require(api.calls.first(where: isOffer))
        let rendered = offer.body.encodedString()
        #expect(rendered.contains("slot_1") && rendered.contains("Seg 10:00") && rendered.contains("Ter 14:30"), "choices missing in \(rendered)")
        if let recipient = platform.recipient {
            #expect(offer.body.value(at: recipient.path)?.scalarText == recipient.value)
        }
        // A wrong signature or secret is refused and changes nothing.
        let refused = platform.pathSecret == nil
            ? try await GatewayHarness.post(url, body: text, headers: platform.sign(text + " ")) : try await GatewayHarness.post(server.baseURL + "/webhooks/ch/wrong", body: text, headers: [:])
        #expect(refused == 401)

        if let choiceFixture = platform.choiceFixture {
            var pick = try Repository.fixture(platform.adapter, choiceFixture)
            // Z-API's documented examples share one message id; a real pick has its own.
            if let textID = try Self.expected(adapter: platform.adapter, fixture: platform.textFixture, "events.0.id"),
                textID == (try Self.expected(adapter: platform.adapter, fixture: choiceFixture, "events.0.id"))
            {
                pick = pick.replacingOccurrences(of: textID, with: textID + "-PICK")
            }
            let expectedID = try #require(try Self.expected(adapter: platform.adapter, fixture: choiceFixture, "events.0.choice"))
            #expect(try await GatewayHarness.post(url, body: pick, headers: platform.sign(pick)) == 200)
            try await eventually("the answer to the pick") {
                api.calls.contains { $0.path.hasSuffix(platform.textPath) && $0.body.encodedString().contains("Você escolheu \(expectedID)") }
            }
        }
        try await eventually("the pipeline to settle") {
            let counts = try await gateway.runtime.store.counts()
            return counts.unhandledMessages == 0 && counts.pendingDeliveries == 0
        }
        #expect(try await gateway.runtime.store.counts().inboundMessages == (platform.choiceFixture == nil ? 1 : 2))
        for call in api.calls {
            for problem in Self.documentedShapeViolations(platform.adapter, call) { Issue.record("\(platform.adapter): \(problem)") }
        }
        try await server.stop()
        try await apiServer.stop()
    }

    /// A value from the fixture's `.expected.json`.
    /// Meta's error codes in the body decide: 131047 (24-hour window) is dead with a reason a person
    /// understands; 130429 (throughput) is retried and arrives once.
    @Test func metaErrorCodesGiveClearDeadLettersOrRetries() async throws {
        let meta = try #require(Self.platforms.first { $0.adapter == "whatsapp-cloud" })
        let api = FakePlatformAPI()
        let apiServer = try await api.start()
        let (gateway, server) = try await GatewayHarness.launch(
            channels: [ChannelConfiguration(id: "ch", adapter: "whatsapp-cloud", settings: meta.settings(apiServer.baseURL))]
        )
        let text = try Repository.fixture("whatsapp-cloud", "text-message.meta-docs.json")

        api.failNext(with: [400], body: #"{"error":{"message":"Re-engagement message","type":"OAuthException","code":131047}}"#)
        #expect(try await GatewayHarness.post(server.baseURL + "/webhooks/ch", body: text, headers: meta.sign(text)) == 200)
        try await eventually("a dead entry") { try await gateway.runtime.store.counts().deadDeliveries == 1 }
        let dead = try await gateway.runtime.store.deliveries(state: "dead", limit: 5)
        #expect(dead.first?.lastError?.contains("24-hour customer service window") == true)

        api.failNext(with: [400], body: #"{"error":{"message":"Rate limit hit","code":130429}}"#)
        let second = text.replacingOccurrences(of: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", with: "wamid.second")
        #expect(try await GatewayHarness.post(server.baseURL + "/webhooks/ch", body: second, headers: meta.sign(second)) == 200)
        try await eventually("the reply after the throughput error", seconds: 20) { try await gateway.runtime.store.counts().sentDeliveries == 1 }
        // The reply (plain text, or buttons when the router asks which topic) went out once.
        #expect(api.calls.filter { [.string("text"), .string("interactive")].contains($0.body.value(at: "type")) }.count == 1)
        try await server.stop()
        try await apiServer.stop()
    }

    static func expected(adapter: String, fixture: String, _ path: String) throws -> String? {
        let expected = try Repository.fixture(adapter, fixture.replacingOccurrences(of: ".json", with: ".expected.json"))
        return JSONValue.parse(Array(expected.utf8))?.value(at: path)?.scalarText
    }
}
