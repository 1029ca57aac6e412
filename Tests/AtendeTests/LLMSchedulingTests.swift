import AtendeAgents
import AtendeCore
import AtendeScheduling
import AtendeServer
import AtendeTestSupport
import Foundation
import Testing

/// With an LLM and the calendar tools listed in `agenda.md`, the model books through the tools,
/// and the rules hold whatever it asks: a time off the calendar is refused, a free one is booked
/// with reminders, only the contact's own bookings can be moved or cancelled.
@Suite struct LLMSchedulingTests {
    typealias Scenario = SchedulingScenarioTests

    /// The shipped prompts, with the agenda agent given every calendar tool.
    static func promptsWithTools() throws -> String {
        let directory = try Repository.temporaryDirectory() + "/prompts"
        try FileManager.default.copyItem(atPath: Repository.prompts, toPath: directory)
        let file = directory + "/agenda.md"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let tools = #"tools: ["handoff", "summarize", "find_slots", "hold_slot", "book", "cancel_booking", "reschedule", "list_bookings"]"#
        try text.replacingOccurrences(of: #"tools: ["handoff", "summarize"]"#, with: tools).write(toFile: file, atomically: true, encoding: .utf8)
        return directory
    }

    @Test("the model finds slots, a refused time comes back as an error, a free one is booked; list and cancel work on own bookings only")
    func theModelBooksThroughTools() async throws {
        let model = FakeOpenAIServer()
        let modelServer = try await model.start()
        let time = ShiftedTime()
        time.advance(millis: Scenario.mondayMorning - SystemTime().nowMillis())
        let prompts = try Self.promptsWithTools()
        let harness = try await GatewayHarness.start(time: time) {
            $0.promptsDirectory = prompts
            $0.llm.baseURL = modelServer.baseURL + "/v1"
            $0.llm.model = "test-model"
            $0.llm.timeoutMillis = 30_000
        }
        var ana = ConversationScenarioTests.Contact(harness, chat: 8201)
        let friday = Scenario.monday.adding(days: 4)
        let ten = friday.instant(minutes: 10 * 60, in: Scenario.zone)
        let sunday = Scenario.monday.adding(days: 6).instant(minutes: 10 * 60, in: Scenario.zone)
        let iso = { (millis: Int64) in Receptionist.iso(millis, Scenario.zone) }
        model.enqueue(
            .toolCall(name: "find_free_slots", arguments: #"{"service": "avaliação", "when": "sexta de manhã"}"#),
            .text("Tenho sexta às 9h, 10h e 11h. Qual prefere?"),
            .toolCall(name: "book_slot", arguments: #"{"service": "avaliacao", "start": "\#(iso(sunday))", "name": "Ana"}"#),
            .toolCall(name: "book_slot", arguments: #"{"service": "avaliacao", "start": "\#(iso(ten))", "name": "Ana", "email": "ana@"}"#),
            .toolCall(name: "book_slot", arguments: #"{"service": "avaliacao", "start": "\#(iso(ten))", "name": "Ana"}"#),
            .text("Agendado para sexta às 10h!")
        )
        #expect(Scenario.text(try await ana.say("quero marcar uma avaliação sexta de manhã")) == "Tenho sexta às 9h, 10h e 11h. Qual prefere?")
        // The found times were held, and the model was told them.
        let found = try #require(model.bodies.dropFirst().first?.value(at: "messages")?.encodedString())
        #expect(found.contains(iso(friday.instant(minutes: 9 * 60, in: Scenario.zone)).replacingOccurrences(of: "/", with: "\\/")) || found.contains("09:00:00.000-03:00"))
        #expect(Scenario.text(try await ana.say("pode ser às 10h")) == "Agendado para sexta às 10h!")
        let results = try await ana.lastTrace().toolCalls.map(\.result)
        #expect(results.count == 3)
        #expect(results[0].hasPrefix("error:") && results[0].contains("not a free time"), "Sunday is closed: \(results[0])")
        #expect(results[1].hasPrefix("error:") && results[1].contains("not a valid email"))
        #expect(results[2].contains("\"status\":\"confirmed\""))
        let booked = try await Scenario.bookings(harness, on: friday).filter { $0.status == .confirmed }
        #expect(booked.map(\.startsAt) == [ten] && booked.first?.contactName == "Ana")

        // Another contact cannot cancel Ana's booking; Ana can.
        var bruno = ConversationScenarioTests.Contact(harness, chat: 8202)
        let id = try #require(booked.first?.id)
        model.enqueue(.toolCall(name: "cancel_booking", arguments: #"{"booking_id": "\#(id)"}"#), .text("Não achei."))
        _ = try await bruno.say("quero cancelar meu horário")
        #expect(try await bruno.lastTrace().toolCalls.first?.result.contains("no upcoming booking") == true)
        model.enqueue(.toolCall(name: "list_my_bookings", arguments: "{}"), .toolCall(name: "cancel_booking", arguments: #"{"booking_id": "\#(id)"}"#), .text("Cancelado."))
        _ = try await ana.say("preciso cancelar")
        let calls = try await ana.lastTrace().toolCalls
        #expect(calls.first?.result.contains("\"booking_id\":\"\(id)\"") == true && calls.last?.result.contains("\"status\":\"cancelled\"") == true)
        #expect(try await Scenario.bookings(harness, on: friday).first { $0.id == id }?.status == .cancelled)
        try await harness.stop()
        try await modelServer.stop()
    }
}
