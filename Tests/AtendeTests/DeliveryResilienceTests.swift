import AtendeCore
import AtendeServer
import AtendeTestSupport
import Foundation
import Logging
import Testing

/// Platforms that fail, throttle or go down while replies flow: every reply arrives once, and a
/// channel that is down does not hold up the others.
@Suite struct DeliveryResilienceTests {
    @Test func tooManyRequestsWaitsTheRetryAfterTheBodyGivesThenDeliversOnce() async throws {
        let harness = try await GatewayHarness.start()
        harness.telegram.failNextSends(with: [429])
        try await harness.post(Repository.telegramUpdate("update-message-text.json", updateID: 11, text: "oi"))
        try await eventually("the reply after a 429") { harness.telegram.sentMessages.count == 1 }
        try await harness.settle()
        let attempts = harness.telegram.sendAttemptTimes
        #expect(attempts.count == 2)
        // Telegram's 429 said retry_after 1 (seconds): the gateway must not come back sooner.
        #expect(attempts[1] - attempts[0] >= .milliseconds(950))
        try await harness.stop()
    }

    /// A reply longer than Telegram's 4096 characters, so it goes out as two messages to one chat.
    struct LongAnswer: Responder {
        func respond(to turn: Turn) async throws -> TurnAnswer {
            TurnAnswer(reply: Reply(text: String(repeating: "Uma frase de exemplo. ", count: 300)))
        }
    }

    @Test func aLongReplyGoesOutAsPacedPartsInOrder() async throws {
        let harness = try await GatewayHarness.start(responder: LongAnswer())
        try await harness.post(Repository.telegramUpdate("update-message-text.json", updateID: 21, text: "oi"))
        try await eventually("both parts") { harness.telegram.sentMessages.count == 2 }
        let sent = harness.telegram.sentMessages
        #expect(sent.allSatisfy { ($0.body.value(at: "text")?.scalarText?.count ?? 0) <= 4096 })
        // The two parts arrive in order (the spacing itself is checked without a clock in
        // pacingSpacesOneChatAndCapsAChannelPerSecond: arrival times here depend on the machine).
        #expect(sent[0].at < sent[1].at)
        #expect(sent[0].body.value(at: "text")?.scalarText?.hasPrefix("Uma frase de exemplo.") == true)
        try await harness.stop()
    }

    @Test func pacingSpacesOneChatAndCapsAChannelPerSecond() {
        let pacing = DeliveryPacing()
        // Two chats, a ceiling of 2 per second on the channel: the third message waits for the next second.
        #expect(pacing.reserve(channel: "tg", conversation: "1", intervalMillis: 1000, perSecond: 2, now: 10_000) == 0)
        #expect(pacing.reserve(channel: "tg", conversation: "2", intervalMillis: 1000, perSecond: 2, now: 10_000) == 0)
        #expect(pacing.reserve(channel: "tg", conversation: "3", intervalMillis: 1000, perSecond: 2, now: 10_000) == 1000)
        // The same chat again: one interval after its last slot.
        #expect(pacing.reserve(channel: "tg", conversation: "1", intervalMillis: 1000, perSecond: 0, now: 10_100) == 900)
        // Another channel has its own ceiling.
        #expect(pacing.reserve(channel: "wa", conversation: "1", intervalMillis: 1000, perSecond: 2, now: 10_000) == 0)
    }

    @Test func aChannelThatIsDownOpensItsCircuitWithoutHoldingUpAnotherChannel() async throws {
        // The shipped Telegram adapter with a short circuit, so the test does not wait 30 s.
        let adapters = try Repository.temporaryDirectory()
        let shipped = try String(contentsOfFile: Repository.adapters + "/telegram.yaml", encoding: .utf8)
        try (shipped + "\n") .replacingOccurrences(of: "delivery:\n", with: "delivery:\n  circuit_failures: 2\n  circuit_open_ms: 700\n")
            .write(toFile: adapters + "/telegram.yaml", atomically: true, encoding: .utf8)

        let down = FakeTelegramAPI()
        let up = FakeTelegramAPI()
        let downServer = try await down.start()
        let upServer = try await up.start()
        down.failNextSends(with: Array(repeating: 503, count: 4))
        let (gateway, server) = try await GatewayHarness.launch(
            channels: [
                ChannelConfiguration(id: "down", adapter: "telegram", settings: ["token": "1:a", "webhook_secret": GatewayHarness.secret, "api_base": downServer.baseURL]),
                ChannelConfiguration(id: "up", adapter: "telegram", settings: ["token": "2:b", "webhook_secret": GatewayHarness.secret, "api_base": upServer.baseURL]),
            ],
            adaptersDirectory: adapters
        )
        let harness = GatewayHarness(server: server, gateway: gateway, telegram: down, telegramServer: downServer)

        for chat in 1...3 {
            try await harness.post(Repository.telegramUpdate("update-message-text.json", updateID: chat, chatID: Int64(chat), text: "oi"), channel: "down")
        }
        try await eventually("the down channel's circuit to open") { gateway.runtime.circuits.isOpen("down") }
        try await harness.post(Repository.telegramUpdate("update-message-text.json", updateID: 100, chatID: 100, text: "oi"), channel: "up")
        try await eventually("the other channel's reply") { up.sentMessages.count == 1 }

        // The platform recovers: every reply of the down channel arrives, each exactly once.
        try await eventually("the down channel's replies after recovery", seconds: 30) { down.sentMessages.count == 3 }
        try await harness.settle()
        let chats = down.sentMessages.compactMap { $0.body.value(at: "chat_id")?.scalarText }
        #expect(chats.sorted() == ["1", "2", "3"])
        #expect(!gateway.runtime.circuits.isOpen("down"))
        let metrics = try await harness.get("/metrics").body
        #expect(metrics.contains(#"atende_circuit_opened_total{channel="down"}"#))
        try await server.stop()
        try await downServer.stop()
        try await upServer.stop()
    }
}
