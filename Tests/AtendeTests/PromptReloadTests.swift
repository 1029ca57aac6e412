import AtendeAgents
import AtendeCore
import AtendeServer
import AtendeTestSupport
import AtendeUnderstanding
import Foundation
import Testing

/// An admin edits a prompt file while the gateway runs: a valid edit answers within seconds; a
/// broken one is reported and the last good version keeps answering.
@Suite struct PromptReloadTests {
    @Test func aValidEditIsLiveAndABrokenOneKeepsTheLastGoodVersion() async throws {
        let prompts = try Repository.temporaryDirectory() + "/prompts"
        try FileManager.default.copyItem(atPath: Repository.prompts, toPath: prompts)
        let harness = try await GatewayHarness.start {
            $0.promptsDirectory = prompts
            $0.promptReloadMillis = 100
        }
        var contact = ConversationScenarioTests.Contact(harness, chat: 9001)
        let gibberish = "xyzzy plugh frobnicate"
        let original = try #require(harness.gateway.agents.set.library.agent("geral")?.fallback[.pt])
        #expect(try await contact.say(gibberish).body.value(at: "text")?.scalarText == original)

        let file = prompts + "/geral.md"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let edited = "Versão nova do texto de quando não entendo, para {{business.name}}."
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let fallbackLine = try #require(lines.firstIndex { $0.hasPrefix("fallback:") })
        var changed = lines
        changed[fallbackLine + 1] = "  pt: \"\(edited)\""
        try changed.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let versionBefore = harness.gateway.agents.set.version
        try await eventually("the edit to be loaded") { harness.gateway.agents.set.version != versionBefore }
        let business = try Repository.business()
        let expected = edited.replacingOccurrences(of: "{{business.name}}", with: business.name)
        #expect(try await contact.say(gibberish + " de novo").body.value(at: "text")?.scalarText == expected)
        #expect(try await contact.lastTrace().promptVersion == harness.gateway.agents.set.version)

        // A typo in a placeholder and an unknown key: rejected, reported, and the edit above keeps answering.
        var broken = changed
        broken[fallbackLine + 1] = "  pt: \"Oi {{busines.name}}\""
        broken.insert("colour: \"blue\"", at: 2)
        try broken.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        try await eventually("the broken edit to be rejected") {
            try await harness.get("/metrics").body.contains(#"atende_prompt_reloads_total{outcome="rejected"} 1"#)
        }
        #expect(try await contact.say(gibberish + " outra vez").body.value(at: "text")?.scalarText == expected)
        do {
            _ = try AgentSet.load(directory: prompts)
            Issue.record("the broken folder loaded")
        } catch {
            #expect(error.problems.contains { $0.file == file && $0.line == 3 && $0.message.contains("colour") }, "\(error)")
        }
        try await harness.stop()
    }
}
