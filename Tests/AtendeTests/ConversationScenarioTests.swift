import AtendeAgents
import AtendeCore
import AtendeServer
import AtendeTestSupport
import AtendeUnderstanding
import Foundation
import Testing

/// Conversations through the real pipeline (webhook, store, orchestrator, shipped prompts,
/// delivery to a fake platform API), checking who answered and what they said. The expected
/// replies come from the prompt files themselves, so editing the content does not break them.
@Suite struct ConversationScenarioTests {
    /// One contact talking to the gateway over Telegram.
    struct Contact {
        let harness: GatewayHarness
        let chat: Int64
        var nextUpdate: Int

        init(_ harness: GatewayHarness, chat: Int64) {
            self.harness = harness
            self.chat = chat
            self.nextUpdate = Int(chat % 100_000) * 100
        }

        var replies: [FakeTelegramAPI.Call] {
            harness.telegram.sentMessages.filter { $0.body.value(at: "chat_id")?.scalarText == String(chat) }
        }

        /// Sends `text` and returns the reply it gets.
        mutating func say(_ text: String) async throws -> FakeTelegramAPI.Call {
            let before = replies.count
            try await post(Repository.telegramUpdate("update-message-text.json", updateID: next(), chatID: chat, text: text))
            try await eventually("a reply to \"\(text)\"") { [self] in replies.count > before }
            return replies[before]
        }

        /// Sends `text` and checks nothing is sent back.
        mutating func sayUnanswered(_ text: String) async throws {
            let before = replies.count
            try await post(Repository.telegramUpdate("update-message-text.json", updateID: next(), chatID: chat, text: text))
            try await harness.settle()
            #expect(replies.count == before, "the bot answered \"\(text)\" while it should stay quiet")
        }

        /// Taps the inline button with `data` and returns the reply.
        mutating func tap(_ data: String) async throws -> FakeTelegramAPI.Call {
            let before = replies.count
            guard case .object(var update) = JSONValue.decode(try Repository.fixture("telegram", "update-callback-query-chat.reconstructed.json")),
                case .object(var query) = update["callback_query"], case .object(var message) = query["message"]
            else { throw FixtureError() }
            update["update_id"] = .int(Int64(next()))
            query["id"] = .string("cb-\(nextUpdate)")
            query["data"] = .string(data)
            query["from"] = .object(["id": .int(chat), "is_bot": .bool(false), "first_name": .string("Ana")])
            message["chat"] = .object(["id": .int(chat), "type": .string("private")])
            query["message"] = .object(message)
            update["callback_query"] = .object(query)
            try await post(JSONValue.object(update).encodedString())
            try await eventually("a reply to the tap on \(data)") { [self] in replies.count > before }
            return replies[before]
        }

        func post(_ body: String) async throws {
            #expect(try await harness.post(body) == 200)
        }

        mutating func next() -> Int {
            nextUpdate += 1
            return nextUpdate
        }

        /// Why the bot said its last thing.
        func lastTrace() async throws -> ReplyTrace {
            let store = harness.gateway.runtime.store
            let conversation = try #require(try await store.conversation(channelID: "tg", platformChatID: String(chat)))
            return try #require(try await store.traces(conversationID: conversation.id, limit: 1).last?.trace)
        }
    }

    static func agents() async throws -> AgentSet {
        try await Repository.agents()
    }

    static func offlineAnswer(_ agent: String, to text: String, _ language: Language = .pt) async throws -> String {
        try #require(try await agents().library.agent(agent)).offlineAnswer(to: text, language: language)
    }

    @Test func routesFollowsUpWithTheSameAgentAndChangesSubject() async throws {
        let harness = try await GatewayHarness.start { $0.orchestrator.teamChannels = ["tg"] }
        var ana = Contact(harness, chat: 7001)

        let cash = "meu caixa tá negativo esse mês"
        #expect(try await ana.say(cash).body.value(at: "text")?.scalarText == (try await Self.offlineAnswer("caixa", to: cash)))
        var trace = try await ana.lastTrace()
        #expect(trace.agent == "caixa" && trace.decision == "routed" && trace.route == "caixa")
        #expect(trace.promptVersion == (try await Self.agents().version))

        // A vague follow-up, which alone would not go to caixa, stays with the agent answering.
        let followUp = "e como eu faço isso na prática?"
        #expect(try await Self.agents().classifier.classify(followUp).route != "caixa", "the follow-up should not route to caixa alone")
        _ = try await ana.say(followUp)
        trace = try await ana.lastTrace()
        #expect(trace.agent == "caixa" && trace.decision == "sticky")

        // A clear change of subject moves to the agent of the new subject.
        let hiring = "quero contratar uma funcionária"
        #expect(try await ana.say(hiring).body.value(at: "text")?.scalarText == (try await Self.offlineAnswer("rh", to: hiring)))
        trace = try await ana.lastTrace()
        #expect(trace.agent == "rh" && trace.decision == "routed")
        try await harness.stop()
    }

    @Test func anUnsureRouteAsksWithChoicesAndTheChosenAgentAnswersTheQuestion() async throws {
        let set = try await Self.agents()
        let candidates = [
            "tenho uma duvida sobre os pagamentos", "preciso organizar as contas", "queria ajuda com os pagamentos do pessoal",
            "to com problema com dinheiro e funcionario", "como faço com as contas da loja",
        ]
        let unsure = try #require(candidates.first { text in
            let result = set.classifier.classify(text)
            return !result.confident && result.route != "geral"
                && result.candidates.filter { $0.route != "geral" && set.library.agent($0.route) != nil && $0.score >= 0.15 }.count >= 2
        }, "none of the sample messages leaves the classifier unsure any more; add one that does")

        let harness = try await GatewayHarness.start { $0.orchestrator.teamChannels = ["tg"] }
        var bia = Contact(harness, chat: 7002)
        // After the reception's greeting, an unsure message still gets the question: only specialists are sticky.
        _ = try await bia.say("oi, bom dia")
        let question = try await bia.say(unsure)
        #expect(question.body.value(at: "text")?.scalarText == set.library.texts.text(.clarifyQuestion, .pt))
        guard case .array(let rows)? = question.body.value(at: "reply_markup.inline_keyboard") else {
            Issue.record("no inline keyboard in \(question.body.encodedString())")
            return
        }
        let buttons = rows.compactMap { $0.value(at: "0.callback_data")?.scalarText }
        #expect(buttons.count >= 3 && buttons.last == "agent:geral", "\(buttons)")
        #expect(try await bia.lastTrace().decision == "clarify")

        let picked = try #require(buttons.first)
        let agentID = String(picked.dropFirst("agent:".count))
        let answer = try await bia.tap(picked)
        #expect(answer.body.value(at: "text")?.scalarText == (try await Self.offlineAnswer(agentID, to: unsure)), "\(answer.body.encodedString())")
        let trace = try await bia.lastTrace()
        #expect(trace.decision == "clarified" && trace.agent == agentID)
        try await harness.stop()
    }

    @Test func handoffSilencesTheBotUntilThePersonHasBeenQuiet() async throws {
        let clock = ShiftedTime()
        let harness = try await GatewayHarness.start(time: clock) { $0.orchestrator.humanQuietMillis = 60_000 }
        let texts = try await Self.agents().library.texts
        var caio = Contact(harness, chat: 7003)
        let notice = try await caio.say("quero falar com um atendente")
        #expect(notice.body.value(at: "text")?.scalarText == texts.text(.handoffNotice, .pt, ["contact.name": "Test Firstname"]))
        #expect(try await caio.lastTrace().decision == "control")

        try await caio.sayUnanswered("alô? tem alguém?")
        #expect(try await caio.lastTrace().decision == "silent:human")

        clock.advance(millis: 61_000)
        let back = try await caio.say("oi, bom dia")
        #expect(back.body.value(at: "text")?.scalarText == (try await Self.offlineAnswer("geral", to: "oi, bom dia")))
        let conversation = try await harness.gateway.runtime.store.conversation(channelID: "tg", platformChatID: "7003")
        #expect(conversation?.ownership.owner == .bot)
        try await harness.stop()
    }

    @Test func whereDidWeStopSummarisesTheLastTopicInTheContactsLanguage() async throws {
        // The owner, who reaches the business advisers.
        let harness = try await GatewayHarness.start { $0.orchestrator.teamChannels = ["tg"] }
        let set = try await Self.agents()
        var dan = Contact(harness, chat: 7004)
        let empty = try await dan.say("where did we leave off?")
        #expect(empty.body.value(at: "text")?.scalarText == set.library.texts.text(.summaryEmpty, .en))

        let pricing = "how do i price my services"
        _ = try await dan.say(pricing)
        #expect(try await dan.lastTrace().agent == "financeiro")
        let summary = try #require(try await dan.say("where did we leave off?").body.value(at: "text")?.scalarText)
        let finance = try #require(set.library.agent("financeiro"))
        #expect(summary.contains(finance.title) && summary.contains(pricing), "\(summary)")
        #expect(summary.contains(String(try await Self.offlineAnswer("financeiro", to: pricing, .en).prefix(40))), "\(summary)")

        var eva = Contact(harness, chat: 7005)
        _ = try await eva.say("quanto devo cobrar pelo corte feminino?")
        let resumo = try #require(try await eva.say("onde paramos?").body.value(at: "text")?.scalarText)
        #expect(resumo.hasPrefix(String(set.library.texts.text(.summary, .pt).prefix(20))) && resumo.contains("corte feminino"), "\(resumo)")
        try await harness.stop()
    }

    @Test func aHandoffNotifiesTheBusinessChatWithASummary() async throws {
        let harness = try await GatewayHarness.start {
            $0.handoffNotifyChannel = "tg"
            $0.handoffNotifyChat = "424242"
            $0.orchestrator.teamChannels = ["tg"]
        }
        var fia = Contact(harness, chat: 7006)
        _ = try await fia.say("quanto devo cobrar pelo corte feminino?")
        _ = try await fia.say("I want to talk to a person")
        let owner = Contact(harness, chat: 424_242)
        try await eventually("the notice to the business") { owner.replies.count == 1 }
        let notice = try #require(owner.replies.first?.body.value(at: "text")?.scalarText)
        #expect(notice.contains("7006") && notice.contains("I want to talk to a person") && notice.contains("Consultoria Financeira"), "\(notice)")
        // The notice is not part of the contact's transcript.
        #expect(fia.replies.count == 2)
        try await harness.stop()
    }
}

/// Chatwoot: a person answering, or opening and resolving the conversation, decides whether the
/// bot answers; a handoff opens the conversation for the team with a private note.
@Suite struct ChatwootOwnershipTests {
    /// A gateway with one Chatwoot channel `cw` whose API is a local fake; Chatwoot's conversation 4.
    struct Setup {
        let api: FakePlatformAPI
        let apiServer: BackgroundServer
        let gateway: Gateway
        let server: BackgroundServer

        static func start(extraSettings: [String: String] = [:]) async throws -> Setup {
            let api = FakePlatformAPI()
            let apiServer = try await api.start()
            let chatwoot = try #require(PlatformEndToEndTests.platforms.first { $0.adapter == "chatwoot" })
            let settings = chatwoot.settings(apiServer.baseURL).merging(extraSettings) { $1 }
            let (gateway, server) = try await GatewayHarness.launch(channels: [ChannelConfiguration(id: "cw", adapter: "chatwoot", settings: settings)])
            return Setup(api: api, apiServer: apiServer, gateway: gateway, server: server)
        }

        /// Posts a webhook body signed as Chatwoot signs it.
        func send(_ body: String) async throws {
            let chatwoot = try #require(PlatformEndToEndTests.platforms.first { $0.adapter == "chatwoot" })
            #expect(try await GatewayHarness.post(server.baseURL + "/webhooks/cw", body: body, headers: chatwoot.sign(body)) == 200)
        }

        func ownership() async throws -> Ownership? {
            try await gateway.runtime.store.conversation(channelID: "cw", platformChatID: "4")?.ownership
        }

        func stop() async throws {
            try await server.stop()
            try await apiServer.stop()
        }
    }

    /// A Chatwoot message fixture with its own id and text.
    static func message(_ fixture: String, id: Int, text: String) throws -> String {
        guard case .object(var message) = JSONValue.decode(try Repository.fixture("chatwoot", fixture)) else { throw FixtureError() }
        message["id"] = .int(Int64(id))
        message["content"] = .string(text)
        return JSONValue.object(message).encodedString()
    }

    /// The contact writes.
    static func incoming(id: Int, text: String) throws -> String {
        try message("message_created-api-inbox-via-evolution.json", id: id, text: text)
    }

    /// A Chatwoot agent (a person) writes.
    static func agentWrites(id: Int, _ text: String) throws -> String {
        try message("message_created-outgoing-agent.constructed.json", id: id, text: text)
    }

    @Test func aPersonsReplyPausesTheBotAndResolvingGivesItBack() async throws {
        let setup = try await Setup.start()
        let api = setup.api
        let replies: @Sendable () -> [FakePlatformAPI.Call] = { api.calls.filter { $0.path.hasSuffix("/conversations/4/messages") } }

        try await setup.send(try Self.incoming(id: 9001, text: "oi, tudo bem?"))
        try await eventually("the bot's first answer") { replies().count == 1 }

        try await setup.send(try Repository.fixture("chatwoot", "message_created-outgoing-agent.constructed.json"))
        try await setup.send(try Self.incoming(id: 9002, text: "vocês abrem sábado?"))
        try await eventually("the pipeline to settle") {
            let counts = try await setup.gateway.runtime.store.counts()
            return counts.unhandledMessages == 0 && counts.pendingDeliveries == 0 && counts.queuedTurns == 0
        }
        #expect(replies().count == 1, "the bot answered while a person was talking")
        #expect(try await setup.ownership()?.owner == .human)

        try await setup.send(try Repository.fixture("chatwoot", "conversation_status_changed-resolved.constructed.json"))
        try await setup.send(try Self.incoming(id: 9003, text: "obrigado!"))
        try await eventually("the bot answering again") { replies().count == 2 }
        try await setup.stop()
    }

    @Test func aHandoffOpensTheConversationWithAPrivateNote() async throws {
        let setup = try await Setup.start(extraSettings: ["handoff_team_id": "3"])
        let api = setup.api
        try await setup.send(try Self.incoming(id: 9101, text: "quero falar com um atendente"))
        try await eventually("notice, status, note and team") { api.calls.count == 4 }
        let calls = api.calls
        #expect(calls[0].path.hasSuffix("/conversations/4/messages") && calls[0].body.value(at: "private") == .bool(false))
        #expect(calls[1].path.hasSuffix("/conversations/4/toggle_status") && calls[1].body.value(at: "status") == .string("open"))
        #expect(calls[2].path.hasSuffix("/conversations/4/messages") && calls[2].body.value(at: "private") == .bool(true))
        #expect(calls[2].body.value(at: "content")?.scalarText?.contains("quero falar com um atendente") == true)
        #expect(calls[3].path.hasSuffix("/conversations/4/assignments") && calls[3].body.value(at: "team_id")?.scalarText == "3")
        try await setup.stop()
    }

    /// "#pausar 9223372036854775807m" once put the gateway in a crash loop: now the pause is a
    /// year at most, and the team reads why in a private note the contact never sees.
    @Test func aPauseLongerThanAYearIsCutToAYearAndTheTeamIsTold() async throws {
        let setup = try await Setup.start()
        let api = setup.api
        try await setup.send(try Self.agentWrites(id: 9301, "#pausar 9223372036854775807m"))
        try await eventually("the pause") { try await setup.ownership()?.owner == .paused }
        let paused = try #require(try await setup.ownership())
        #expect(paused.until == paused.since.map { $0 + Ownership.maxPauseMillis })
        try await eventually("the team's note") { api.calls.count == 1 }
        let note = try #require(api.calls.first)
        #expect(note.body.value(at: "private") == .bool(true), "only the team reads it")
        #expect(note.body.value(at: "content")?.scalarText?.contains("365 dias") == true, "\(note.body.encodedString())")
        try await setup.stop()
    }

    /// A signed payload's conversation id is a value in the URL path, never more path: with the
    /// API token attached, "57/../../platform/api/v1/users?x=" must not reach another endpoint.
    @Test func aConversationIDCannotChangeThePathTheTokenIsSentTo() async throws {
        let setup = try await Setup.start()
        let api = setup.api
        guard case .object(var message) = JSONValue.decode(try Self.incoming(id: 9501, text: "oi")), case .object(var conversation) = message["conversation"] else {
            throw FixtureError()
        }
        conversation["id"] = .string("57/../../platform/api/v1/users?x=")
        message["conversation"] = .object(conversation)
        try await setup.send(JSONValue.object(message).encodedString())
        try await eventually("the reply") { !api.calls.isEmpty }
        #expect(api.calls.allSatisfy { !$0.path.contains("/platform/") && $0.path.hasSuffix("/messages") }, "\(api.calls.map(\.path))")
        #expect(api.calls.first?.path.contains("57%2F..%2F..%2Fplatform") == true, "\(api.calls.map(\.path))")
        try await setup.stop()
    }

    /// The bot never erases or shows a person's data by chat (whoever writes may not own the
    /// number): asking for it hands the conversation to the team.
    @Test func askingToEraseOnesDataHandsOffToAPerson() async throws {
        let setup = try await Setup.start()
        let api = setup.api
        try await setup.send(try Self.incoming(id: 9401, text: "apague meus dados por favor"))
        try await eventually("notice, status and note") { api.calls.count == 3 }
        #expect(api.calls.contains { $0.path.hasSuffix("/toggle_status") && $0.body.value(at: "status") == .string("open") })
        #expect(try await setup.ownership()?.owner == .human)
        #expect(try await setup.gateway.runtime.store.counts().inboundMessages == 1, "nothing was erased")
        try await setup.stop()
    }

    @Test func thePausCommandFromTheBusinessSideSilencesTheBotUntilResumed() async throws {
        let setup = try await Setup.start()
        let api = setup.api
        try await setup.send(try Self.agentWrites(id: 9201, "#pausar 2h"))
        try await eventually("the pause") { try await setup.ownership()?.owner == .paused }
        let paused = try #require(try await setup.ownership())
        #expect(paused.until != nil && paused.until == paused.since.map { $0 + 2 * 3_600_000 })
        // The team talking to the customer meanwhile does not shorten the pause.
        try await setup.send(try Self.agentWrites(id: 9204, "já te respondo, um minuto"))
        try await eventually("the team's message handled") { try await setup.gateway.runtime.store.counts().unhandledMessages == 0 }
        #expect(try await setup.ownership() == paused)

        try await setup.send(try Self.agentWrites(id: 9202, "#robo"))
        try await setup.send(try Self.incoming(id: 9203, text: "oi"))
        try await eventually("the bot answering after #robo") { api.calls.count == 1 }
        try await setup.stop()
    }
}
