import AtendeAgents
import AtendeCore
import AtendeServer
import AtendeUnderstanding
import AtendeTestSupport
import Foundation
import Logging
import Testing

/// Real Telegram payloads in over HTTP, replies out to a local server speaking the Bot API.
@Suite struct TelegramEndToEndTests {
    @Test func textMessageIsAnsweredInTheContactsLanguage() async throws {
        let harness = try await GatewayHarness.start()
        let english = try GatewayHarness.geral().offlineAnswers.filter { $0.language == .en }.map(\.answer)
        #expect(try await harness.post(Repository.telegramUpdate("update-message-text.json", updateID: 1, text: "hello, good morning")) == 200)
        try await eventually("a reply") { harness.telegram.sentMessages.count == 1 }
        let sent = try #require(harness.telegram.sentMessages.first)
        #expect(sent.token == "123:abc")
        #expect(sent.body.value(at: "chat_id")?.scalarText == "1111111")
        #expect(english.contains(sent.body.value(at: "text")?.stringValue ?? ""))
        try await harness.settle()
        #expect(try await harness.counts().sentDeliveries == 1)
        try await harness.stop()
    }

    @Test func buttonPressIsAcknowledgedAndAnswered() async throws {
        let harness = try await GatewayHarness.start()
        #expect(try await harness.post(Repository.fixture("telegram", "update-callback-query-chat.reconstructed.json")) == 200)
        try await eventually("callback answer and reply") { harness.telegram.calls.count == 2 }
        let calls = harness.telegram.calls
        #expect(calls[0].method == "answerCallbackQuery")
        #expect(calls[0].body.value(at: "callback_query_id") == .string("4382bfdwdsb323b2da"))
        #expect(calls[1].method == "sendMessage")
        #expect(calls[1].body.value(at: "chat_id")?.scalarText == "1111111")
        try await harness.stop()
    }

    /// Stands in for an agent that thinks for a while (an LLM call).
    struct SlowResponder: Responder {
        func respond(to turn: Turn) async throws -> TurnAnswer {
            try await Task.sleep(for: .milliseconds(800))
            return TurnAnswer(reply: Reply(text: "pronto"))
        }
    }

    @Test func aSlowAnswerShowsTypingFirstAndAnInstantOneDoesNot() async throws {
        let slow = try await GatewayHarness.start(responder: SlowResponder())
        try await slow.post(Repository.telegramUpdate("update-message-text.json", updateID: 31, text: "oi"))
        try await eventually("the slow reply") { slow.telegram.sentMessages.count == 1 }
        #expect(slow.telegram.calls.map(\.method) == ["sendChatAction", "sendMessage"])
        #expect(slow.telegram.calls[0].body.value(at: "action") == .string("typing"))
        try await slow.stop()

        let instant = try await GatewayHarness.start()
        try await instant.post(Repository.telegramUpdate("update-message-text.json", updateID: 32, text: "oi"))
        try await eventually("the instant reply") { instant.telegram.sentMessages.count == 1 }
        try await instant.settle()
        #expect(instant.telegram.calls.map(\.method) == ["sendMessage"])
        try await instant.stop()
    }

    /// Offers one choice whose id is longer than Telegram's 64-byte callback_data, and confirms picks.
    struct LongChoiceID: Responder {
        static let id = "agenda:avaliacao-facial:2026-12-04T10:00:00-03:00:profissional-ana-souza:sala-2"
        func respond(to turn: Turn) async throws -> TurnAnswer {
            if let pick = turn.messages.last?.choiceID { return TurnAnswer(reply: Reply(text: "Você escolheu \(pick)")) }
            return TurnAnswer(reply: Reply(text: "Pode ser?", choices: [Choice(id: Self.id, title: "Sex 10:00")]))
        }
    }

    @Test func aChoiceIDTooLongForCallbackDataComesBackAsTheOriginal() async throws {
        let harness = try await GatewayHarness.start(responder: LongChoiceID())
        try await harness.post(Repository.telegramUpdate("update-message-text.json", updateID: 41, text: "oi"))
        try await eventually("the offer") { harness.telegram.sentMessages.count == 1 }
        let data = try #require(harness.telegram.sentMessages[0].body.value(at: "reply_markup.inline_keyboard.0.0.callback_data")?.scalarText)
        #expect(data.utf8.count <= 64)
        #expect(data != LongChoiceID.id)
        // The contact taps the button: Telegram sends back the callback_data it was given.
        let fixture = try Repository.fixture("telegram", "update-callback-query-chat.reconstructed.json")
        guard case .object(var update) = JSONValue.decode(fixture), case .object(var query)? = update["callback_query"] else {
            Issue.record("fixture shape")
            return
        }
        query["data"] = .string(data)
        update["callback_query"] = .object(query)
        try await harness.post(JSONValue.object(update).encodedString())
        try await eventually("the answer to the pick") { harness.telegram.sentMessages.count == 2 }
        #expect(harness.telegram.sentMessages[1].body.value(at: "text")?.scalarText == "Você escolheu \(LongChoiceID.id)")
        try await harness.stop()
    }

    @Test func anEditIsKeptAsHistoryAndNotAnsweredAgain() async throws {
        let harness = try await GatewayHarness.start()
        #expect(try await harness.post(Repository.fixture("telegram", "update-edited-message.json")) == 200)
        let counts = try await harness.counts()
        #expect(counts.inboundMessages == 1)
        #expect(counts.unhandledMessages == 0)
        #expect(counts.queuedTurns == 0)
        try await harness.stop()
    }

    @Test func aVoiceNoteIsAnsweredPolitelyInsteadOfIgnored() async throws {
        let harness = try await GatewayHarness.start()
        #expect(try await harness.post(Repository.fixture("telegram", "update-voice.json")) == 200)
        try await eventually("the reply to the voice note") { harness.telegram.sentMessages.count == 1 }
        let texts = try SystemTexts.load(file: Repository.prompts + "/textos.yaml", business: Repository.business())
        let reply = harness.telegram.sentMessages[0].body.value(at: "text")?.scalarText
        #expect([texts.text(.mediaReceived, .pt), texts.text(.mediaReceived, .en)].contains(reply))
        try await harness.stop()
    }

    @Test func groupMessagesAreIgnoredUnlessTheChannelAnswersGroups() async throws {
        let harness = try await GatewayHarness.start()
        #expect(try await harness.post(Repository.fixture("telegram", "update-group-text.constructed.json")) == 200)
        #expect(try await harness.counts().inboundMessages == 0)
        try await harness.stop()
    }

    @Test func concurrentDuplicatesProduceOneReply() async throws {
        let harness = try await GatewayHarness.start()
        let update = try Repository.telegramUpdate("update-message-text.json", updateID: 77, text: "oi")
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 { group.addTask { try await harness.post(update) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 200 })
        try await eventually("the reply") { harness.telegram.sentMessages.count >= 1 }
        try await harness.settle()
        #expect(harness.telegram.sentMessages.count == 1)
        #expect(try await harness.counts().inboundMessages == 1)
        try await harness.stop()
    }

    @Test func messagesOfOneChatAreAnsweredInOrder() async throws {
        let harness = try await GatewayHarness.start()
        let texts = ["oi", "obrigado", "tchau"]
        for (index, text) in texts.enumerated() {
            try await harness.post(Repository.telegramUpdate("update-message-text.json", updateID: 100 + index, text: text))
        }
        try await harness.settle()
        let agent = try GatewayHarness.geral()
        let replies = harness.telegram.sentMessages.compactMap { $0.body.value(at: "text")?.stringValue }
        // Each turn answers everything pending; however the messages were grouped, replies keep their order.
        #expect(!replies.isEmpty && replies.count <= texts.count)
        #expect(replies.allSatisfy { reply in agent.offlineAnswers.contains { $0.answer == reply } || agent.fallback.values.contains(reply) })
        // Telegram's sendMessage as documented: chat_id "Integer or String" (the chat's id, or
        // @channelusername) and a non-empty text.
        for call in harness.telegram.sentMessages {
            let chatID = call.body.value(at: "chat_id")?.scalarText ?? ""
            let digits = chatID.hasPrefix("-") ? chatID.dropFirst() : Substring(chatID)
            #expect((!digits.isEmpty && digits.allSatisfy(\.isNumber)) || chatID.hasPrefix("@"), "\(call.body.encodedString())")
            #expect(call.body.value(at: "text")?.stringValue?.isEmpty == false)
        }
        try await harness.stop()
    }

    @Test func platformErrorThenRecoveryDeliversOnce() async throws {
        let harness = try await GatewayHarness.start()
        harness.telegram.failNextSends(with: [500, 502])
        try await harness.post(Repository.telegramUpdate("update-message-text.json", updateID: 5, text: "oi"))
        try await eventually("the reply after two failures") { harness.telegram.sentMessages.count == 1 }
        try await harness.settle()
        #expect(harness.telegram.sendAttempts == 3)
        #expect(harness.telegram.sentMessages.count == 1)
        try await harness.stop()
    }

    @Test func permanentPlatformErrorIsDeadWithoutRetries() async throws {
        let harness = try await GatewayHarness.start()
        harness.telegram.failNextSends(with: [400])
        try await harness.post(Repository.telegramUpdate("update-message-text.json", updateID: 6, text: "oi"))
        try await eventually("a dead entry") { try await harness.counts().deadDeliveries == 1 }
        let dead = try await harness.gateway.runtime.store.deliveries(state: "dead", limit: 10)
        #expect(dead.count == 1)
        #expect(dead.first?.lastError?.contains("HTTP 400") == true)
        #expect(harness.telegram.sendAttempts == 1)
        // Replaying the dead entry delivers it now that Telegram accepts it.
        #expect(try await harness.gateway.runtime.store.replayDelivery(id: try #require(dead.first?.id), now: SystemTime().nowMillis()))
        harness.gateway.runtime.deliverySignal.notify()
        try await eventually("the replayed reply") { harness.telegram.sentMessages.count == 1 }
        try await harness.stop()
    }
}

/// What the gateway answers to bad requests, and that it stores nothing for them.
@Suite struct WebhookBadInputTests {
    @Test func malformedJSONIsRefusedAndNothingStored() async throws {
        let harness = try await GatewayHarness.start()
        #expect(try await harness.post(#"{"update_id": 1, "message": {"#) == 400)
        #expect(try await harness.counts().inboundMessages == 0)
        try await harness.stop()
    }

    @Test(arguments: [nil, "wrong-secret", ""])
    func missingOrWrongSecretIsUnauthorized(secret: String?) async throws {
        let harness = try await GatewayHarness.start()
        let update = try Repository.telegramUpdate("update-message-text.json", updateID: 9, text: "oi")
        #expect(try await harness.post(update, secret: secret) == 401)
        #expect(try await harness.counts().inboundMessages == 0)
        try await harness.stop()
    }

    @Test func oversizeBodyIsRefused() async throws {
        let harness = try await GatewayHarness.start(maxBodyBytes: 4096)
        let update = try Repository.telegramUpdate("update-message-text.json", updateID: 10, text: String(repeating: "a", count: 5000))
        #expect(try await harness.post(update) == 413)
        #expect(try await harness.counts().inboundMessages == 0)
        try await harness.stop()
    }

    @Test func unknownChannelIsNotFound() async throws {
        let harness = try await GatewayHarness.start()
        #expect(try await harness.post("{}", channel: "nope") == 404)
        try await harness.stop()
    }

    @Test func authenticatedUnknownShapeIsAcknowledged() async throws {
        let harness = try await GatewayHarness.start()
        #expect(try await harness.post(#"{"something_new": {"x": 1}}"#) == 200)
        #expect(try await harness.post(#"[1, 2, 3]"#) == 200)
        #expect(try await harness.counts().inboundMessages == 0)
        try await harness.stop()
    }
}

@Suite struct OperationsTests {
    @Test func healthReadinessAndMetrics() async throws {
        let harness = try await GatewayHarness.start()
        #expect(try await harness.get("/healthz").status == 200)
        #expect(try await harness.get("/readyz").status == 200)
        try await harness.post(Repository.telegramUpdate("update-message-text.json", updateID: 3, text: "oi"))
        try await harness.post(Repository.telegramUpdate("update-message-text.json", updateID: 3, text: "oi"))
        try await harness.settle()
        let metrics = try await harness.get("/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains(#"atende_webhooks_total{channel="tg",outcome="stored"} 1"#))
        #expect(metrics.body.contains(#"atende_webhooks_total{channel="tg",outcome="duplicate"} 1"#))
        #expect(metrics.body.contains("atende_turn_duration_seconds_bucket"))
        #expect(metrics.body.contains("atende_queue_depth"))
        try await harness.stop()
    }

    @Test func aSecondGatewayOnTheSameSQLiteFileIsRefused() async throws {
        let harness = try await GatewayHarness.start()
        do {
            _ = try await Gateway.build(configuration: harness.gateway.runtime.configuration, logger: .init(label: "second"))
            Issue.record("a second gateway opened the same SQLite file")
        } catch {
            #expect("\(error)".contains("in use by another atende process"))
        }
        try await harness.stop()
    }
}
