import AtendeCore
import AtendeServer
import AtendeTestSupport
import Foundation
import Testing

/// The conversations in `conversations/`, written the way customers and owners write on WhatsApp,
/// through the real pipeline with the shipped prompts and no LLM: the measure of the product.
@Suite struct ConversationCorpusTests {
    /// The share of conversations that must pass; raise it as the product gets better.
    static let floor = 0.95

    @Test func theCorpusPassesAboveItsFloor() async throws {
        let conversations = try ScriptedConversation.load(directory: Repository.root + "/conversations")
        #expect(!conversations.isEmpty)
        var configuration = GatewayConfiguration()
        configuration.promptsDirectory = Repository.prompts
        configuration.adaptersDirectory = Repository.adapters
        let report = try await ConversationEvaluation.run(conversations, configuration: configuration, agents: try await Repository.agents())
        print(report.summary)
        for failure in report.failed.flatMap({ $0 }) { print("  ✗ \(failure)") }
        #expect(report.rate >= Self.floor, "\(report.summary)")
    }

    /// A conversation file that is wrong says where, and an expectation the bot misses is a failure.
    @Test func aBrokenFileNamesItsLineAndAMissedExpectationFails() async throws {
        let directory = try Repository.temporaryDirectory()
        try "name: x\nturns:\n  - shout: \"oi\"\n".write(toFile: directory + "/broken.yaml", atomically: true, encoding: .utf8)
        let problem = try #require(throws: FileProblem.self) { try ScriptedConversation.load(directory: directory) }
        #expect(problem.line == 3, "\(problem)")
        try FileManager.default.removeItem(atPath: directory + "/broken.yaml")
        try """
            turns:
              - say: "vcs abrem domingo?"
                expect: { contains: ["domingo, das 9h"] }
            """.write(toFile: directory + "/wrong.yaml", atomically: true, encoding: .utf8)
        var configuration = GatewayConfiguration()
        configuration.promptsDirectory = Repository.prompts
        configuration.adaptersDirectory = Repository.adapters
        let report = try await ConversationEvaluation.run(try ScriptedConversation.load(directory: directory), configuration: configuration, agents: try await Repository.agents())
        #expect(report.passed == 0 && report.failed.first?.first?.problem.contains("domingo, das 9h") == true, "\(report.failed)")
    }
}
