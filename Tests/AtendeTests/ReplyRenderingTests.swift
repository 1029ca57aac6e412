import AtendeAdapters
import AtendeCore
import Foundation
import Testing

/// Replies shaped for what a platform can show: buttons, lists, numbered text; long text split.
@Suite struct ReplyRenderingTests {
    static func channel(actions: String, text: String = "") throws -> Channel {
        let yaml = """
            id: "test"
            verify: { header: "X-Secret", equals: "x" }
            inbound:
              - { name: "all", when: { exists: "id" }, event: ignore, reason: "test" }
            outbound:
              send_text: { url: "http://127.0.0.1/text", json: { text: "{{text}}" } }
            \(actions)
            \(text)
            """
        return Channel(id: "test", definition: try AdapterDefinition.parse(yaml, file: "test.yaml"), settings: [:])
    }

    static let whatsapp = """
          send_buttons:
            max_choices: 3
            max_title_length: 20
            url: "http://127.0.0.1/buttons"
            json: { text: "{{text}}", buttons: { each: "choices", as: { id: "{{id}}", title: "{{title}}" } } }
          send_list:
            max_choices: 10
            max_title_length: 24
            url: "http://127.0.0.1/list"
            json: { text: "{{text}}", rows: { each: "choices", as: { id: "{{id}}", title: "{{title}}" } } }
        """

    static func choices(_ titles: [String]) -> [Choice] {
        titles.enumerated().map { Choice(id: "c\($0.offset + 1)", title: $0.element) }
    }

    @Test(arguments: [
        (["Sim", "Não"], "send_buttons"),
        (["Seg 10:00", "Ter 14:30", "Qua 09:00"], "send_buttons"),
        (["Seg 10:00", "Ter 14:30", "Qua 09:00", "Qui 11:00"], "send_list"),
        (["Limpeza de pele completa", "Não"], "send_list"),
        (Array(repeating: "opção", count: 11), "send_text"),
        (["Um título que passa de vinte e quatro letras", "b"], "send_text"),
    ])
    func choicesUseTheMostNativeFormThatFits(titles: [String], action: String) throws {
        let drafts = try Self.channel(actions: Self.whatsapp).drafts(for: Reply(text: "Escolha:", choices: Self.choices(titles)), conversation: "c", traceID: "t")
        #expect(drafts.map(\.action) == [action])
        if action == "send_text" {
            // Numbered, so the contact can answer with a number.
            #expect(drafts[0].values["text"]?.scalarText?.contains("\n1. \(titles[0])") == true)
        }
    }

    @Test func longTextIsSplitAtBoundariesAndChoicesRideOnTheLastPart() throws {
        let channel = try Self.channel(actions: Self.whatsapp, text: "text: { max_length: 40 }")
        let text = "Primeiro parágrafo curto.\n\nSegundo parágrafo, um pouco mais longo que o primeiro, termina aqui."
        let drafts = channel.drafts(for: Reply(text: text, choices: Self.choices(["Sim", "Não"])), conversation: "c", traceID: "t")
        #expect(drafts.count >= 3)
        #expect(drafts.dropLast().allSatisfy { $0.action == "send_text" })
        #expect(drafts.last?.action == "send_buttons")
        for draft in drafts {
            let part = try #require(draft.values["text"]?.scalarText)
            #expect(part.count <= 40)
            #expect(!part.hasPrefix(" ") && !part.hasSuffix(" "))
        }
        let rejoined = drafts.compactMap { $0.values["text"]?.scalarText }.joined(separator: " ")
        #expect(rejoined.split(whereSeparator: \.isWhitespace) == text.split(whereSeparator: \.isWhitespace))
    }

    @Test func theChoicesPartRespectsItsActionsTighterLimit() throws {
        let buttons = Self.whatsapp.replacingOccurrences(of: "max_title_length: 20\n", with: "max_title_length: 20\n    max_text_length: 30\n")
        let channel = try Self.channel(actions: buttons)
        let text = "Temos horários livres nesta semana. Qual fica melhor para você?"
        let drafts = channel.drafts(for: Reply(text: text, choices: Self.choices(["Sim", "Não"])), conversation: "c", traceID: "t")
        #expect(drafts.map(\.action) == ["send_text", "send_text", "send_buttons"])
        #expect(drafts.allSatisfy { ($0.values["text"]?.scalarText?.count ?? 0) <= 30 })
    }

    @Test func choiceIDsLongerThanThePlatformCarriesTravelAsTokens() throws {
        let channel = try Self.channel(actions: """
              send_choices:
                max_choices: 10
                max_id_bytes: 64
                url: "http://127.0.0.1/keyboard"
                json: { text: "{{text}}", keyboard: { each: "choices", as: { id: "{{id}}", title: "{{title}}" } } }
            """)
        let short = channel.drafts(for: Reply(text: "?", choices: [Choice(id: "slot:2026-09-10T14:00", title: "Qua 14:00")]), conversation: "c", traceID: "t")
        #expect(short.map(\.action) == ["send_choices"])
        #expect(short[0].values[ChoiceToken.mapKey] == nil)
        let longID = String(repeating: "é", count: 33)
        let long = channel.drafts(for: Reply(text: "?", choices: [Choice(id: longID, title: "Qua 14:00")]), conversation: "c", traceID: "t")
        #expect(long.map(\.action) == ["send_choices"])
        let token = try #require(long[0].values["choices"]?.value(at: "0.id")?.scalarText)
        #expect(token.utf8.count <= 64 && ChoiceToken.isToken(token))
        #expect(long[0].values[ChoiceToken.mapKey]?.value(at: token)?.scalarText == longID)
    }

    @Test func replacementsKeepPlatformPlaceholdersOutOfOurText() throws {
        let channel = try Self.channel(actions: "", text: #"text: { replace: [{ from: "{{", to: "{\u200B{" }] }"#)
        let drafts = channel.drafts(for: Reply(text: "Olá {{name}}!"), conversation: "c", traceID: "t")
        #expect(drafts[0].values["text"]?.scalarText == "Olá {\u{200B}{name}}!")
    }
}

@Suite struct PlatformPhoneTests {
    @Test(arguments: [
        ("5511988887777@s.whatsapp.net", "+5511988887777"),
        ("+55 11 98888-7777", "+5511988887777"),
        ("(11) 98888-7777", "+5511988887777"),
        ("11 98888 7777", "+5511988887777"),
        // WhatsApp ids of older Brazilian mobiles lack the ninth digit.
        ("554391834229@s.whatsapp.net", "+5543991834229"),
        ("+55 43 9183-4229", "+5543991834229"),
        // A landline keeps eight digits.
        ("+55 11 3333-4444", "+551133334444"),
        ("16505551234", "+16505551234"),
    ])
    func normalizesToE164(raw: String, expected: String) {
        #expect(PlatformPhone.e164(raw) == expected)
    }

    @Test(arguments: ["100000000000001@lid", "120363025246125486@g.us", "123", "status@broadcast", ""])
    func refusesWhatIsNotAPhone(raw: String) {
        #expect(PlatformPhone.e164(raw) == nil)
    }
}
