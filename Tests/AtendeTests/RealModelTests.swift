import AtendeCore
import AtendeServer
import AtendeTestSupport
import Foundation
import Testing

/// The conversation scenarios against a real model, when one is running (opt-in, not in CI):
///
///     scripts/local-llm                 # prints the URL
///     ATENDE_TEST_LLM_BASE_URL=http://127.0.0.1:PORT/v1 ATENDE_TEST_LLM_MODEL=smollm2 swift test --filter RealModelTests
///
/// A real model's words cannot be asserted; what must hold is the plumbing: the model is asked,
/// its answer (or, if it fails, the offline answer) reaches the contact, and the trace says which.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ATENDE_TEST_LLM_BASE_URL"] != nil, "set ATENDE_TEST_LLM_BASE_URL to run against a real model"))
struct RealModelTests {
    @Test func aConversationWithARealModel() async throws {
        let environment = ProcessInfo.processInfo.environment
        let harness = try await GatewayHarness.start {
            $0.llm.baseURL = environment["ATENDE_TEST_LLM_BASE_URL"]
            $0.llm.model = environment["ATENDE_TEST_LLM_MODEL"] ?? "smollm2"
            $0.llm.apiKey = environment["ATENDE_TEST_LLM_API_KEY"]
            $0.llm.timeoutMillis = 60_000
        }
        var contact = ConversationScenarioTests.Contact(harness, chat: 9901)
        for text in ["how do I price my services?", "and if I give a 10% discount?", "where did we leave off?"] {
            let reply = try await contact.say(text)
            let trace = try await contact.lastTrace()
            print("real model: \(text) → \(reply.body.value(at: "text")?.scalarText ?? "") [\(trace.decision), \(trace.model ?? "offline"), \(trace.llmMillis) ms, \(trace.llmError ?? "ok")]")
            #expect(reply.body.value(at: "text")?.scalarText?.isEmpty == false)
            if trace.decision != "control" {
                #expect(trace.model != nil || trace.llmError != nil, "the model was not asked: \(trace)")
            }
        }
        try await harness.stop()
    }
}
