import AtendeAdapters
import AtendeCore
import AtendeTestSupport
import Testing

/// A turn's answer as each platform's outbox entries: the one call the turn worker makes.
@Suite struct AnswerRendererTests {
    static func channel(_ adapter: String, id: String, settings: [String: String] = [:]) throws -> Channel {
        Channel(id: id, definition: try AdapterDefinition.load(file: "\(Repository.adapters)/\(adapter).yaml"), settings: settings, answersGroups: false)
    }

    @Test func aHandoffUsesThePlatformsOwnActionsAndTellsTheNotificationChat() throws {
        let chatwoot = try Self.channel("chatwoot", id: "cw", settings: ["handoff_team_id": "7"])
        let owner = try Self.channel("telegram", id: "owner")
        let renderer = AnswerRenderer(channels: ["cw": chatwoot, "owner": owner], notifyChannelID: "owner", notifyChat: "555")
        var answer = TurnAnswer(reply: Reply(text: "Vou chamar uma pessoa."), handoff: Handoff(note: "nota", notification: "aviso"))
        answer.teamNotice = "pausa cortada"
        let drafts = renderer.drafts(for: answer, in: chatwoot, conversation: "42", traceID: "t1")
        #expect(drafts.map(\.action) == ["send_text", "handoff", "private_note", "assign_team", "send_text", "private_note", "send_text"])
        // What only the team reads goes to the owner's chat and stays out of the conversation's transcript.
        let toOwner = drafts.filter { $0.channelID == "owner" }
        #expect(toOwner.count == 2 && toOwner.allSatisfy { $0.replyText == nil && $0.values["conversation"] == .string("555") })
        #expect(drafts.first?.replyText == "Vou chamar uma pessoa.")
    }

    @Test func withoutPlatformActionsOrANotificationChatOnlyTheReplyIsSent() throws {
        let telegram = try Self.channel("telegram", id: "tg", settings: ["token": "1:x", "api_base": "http://127.0.0.1:9"])
        let renderer = AnswerRenderer(channels: ["tg": telegram], notifyChannelID: nil, notifyChat: nil)
        let answer = TurnAnswer(reply: Reply(text: "oi"), handoff: Handoff(note: "nota", notification: "aviso"))
        #expect(renderer.drafts(for: answer, in: telegram, conversation: "9", traceID: "t").map(\.action) == ["send_text"])
        let typing = try #require(renderer.typingRequest(in: telegram, conversation: "9", messageID: nil))
        #expect(typing.url.hasSuffix("/sendChatAction"), "\(typing.url)")
    }
}
