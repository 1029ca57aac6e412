import AsyncHTTPClient
import AtendeCore
import AtendeScheduling
import AtendeServer
import AtendeTestSupport
import Foundation
import NIOHTTP1
import Testing

/// The business's view of its calendar: the admin API and `atende bookings`, over bookings made
/// in the chat.
@Suite struct BookingAdminTests {
    static let token = AdminAPITests.token
    typealias Scenario = SchedulingScenarioTests

    @Test("the admin API lists a day's bookings, shows availability, cancels and records attendance")
    func adminAPI() async throws {
        let time = ShiftedTime()
        time.advance(millis: Scenario.mondayMorning - SystemTime().nowMillis())
        let harness = try await GatewayHarness.start(time: time) { $0.adminToken = Self.token }
        var ana = ConversationScenarioTests.Contact(harness, chat: 9601)
        let offer = Scenario.buttons(try await ana.say("quero marcar um corte na quinta às 14h")).compactMap { Scenario.slotStart($0.id) }
        _ = try await ana.say("1")
        let base = harness.server.baseURL

        #expect(try await AdminAPITests.call(base + "/admin/bookings?day=2026-11-26", token: nil).status == 401)
        let day = try await AdminAPITests.call(base + "/admin/bookings?day=2026-11-26", token: Self.token)
        #expect(day.status == 200 && day.body.value(at: "day") == .string("2026-11-26"))
        #expect(day.body.value(at: "bookings.0.starts_at") == .string("2026-11-26T14:00:00.000-03:00"))
        #expect(day.body.value(at: "bookings.0.status") == .string("confirmed") && day.body.value(at: "bookings.0.service") == .string("corte"))
        #expect(day.body.value(at: "bookings.0.contact_name") == .string("Test Firstname") && day.body.value(at: "bookings.0.chat") == .string("9601"))
        #expect(offer.first == Scenario.monday.adding(days: 3).instant(minutes: 14 * 60, in: Scenario.zone))
        #expect(try await AdminAPITests.call(base + "/admin/bookings?day=26/11", token: Self.token).status == 400)

        // The booked 14:00 (45 minutes, a 10-minute buffer) is not free; 15:00 is.
        let free = try await AdminAPITests.call(base + "/admin/availability?day=2026-11-26&service=corte", token: Self.token)
        guard case .array(let slots)? = free.body.value(at: "slots") else { Issue.record("no slots in \(free.body)"); return }
        let times = slots.compactMap { $0.scalarText?.dropFirst(11).prefix(5) }
        #expect(!times.contains("14:00") && !times.contains("13:30") && times.contains("15:00") && times.contains("09:00"), "\(times)")
        let holiday = try await AdminAPITests.call(base + "/admin/availability?day=2026-12-25", token: Self.token)
        #expect(holiday.body.value(at: "closed") == .string("Natal") && holiday.body.value(at: "slots") == .array([]))
        #expect(try await AdminAPITests.call(base + "/admin/availability?day=2026-11-26&service=massagem", token: Self.token).status == 400)

        let id = try #require(day.body.value(at: "bookings.0.id")?.scalarText)
        #expect(try await AdminAPITests.call(base + "/admin/bookings/\(id)/status", method: .POST, token: Self.token, body: #"{"status": "held"}"#).status == 400)
        let cancelled = try await AdminAPITests.call(base + "/admin/bookings/\(id)/cancel", method: .POST, token: Self.token)
        #expect(cancelled.status == 200 && cancelled.body.value(at: "status") == .string("cancelled"))
        #expect(try await AdminAPITests.call(base + "/admin/bookings/99999/cancel", method: .POST, token: Self.token).status == 404)
        let again = try await AdminAPITests.call(base + "/admin/availability?day=2026-11-26&service=corte", token: Self.token)
        #expect(again.body.encodedString().contains("2026-11-26T14:00:00.000-03:00"))
        try await harness.stop()
    }

    @Test("atende bookings lists, marks and cancels from the command line")
    func commandLine() async throws {
        let directory = try Repository.temporaryDirectory()
        let database = directory + "/atende.sqlite"
        let time = ShiftedTime()
        time.advance(millis: Scenario.mondayMorning - SystemTime().nowMillis())
        let harness = try await GatewayHarness.start(databaseURL: database, time: time)
        var bia = ConversationScenarioTests.Contact(harness, chat: 9602)
        _ = try await bia.say("quero marcar uma manicure sexta às 16h")
        _ = try await bia.say("1")
        try await harness.stop()
        try "paths: { adapters: \"\(Repository.adapters)\", prompts: \"\(Repository.prompts)\" }\ndatabase: { url: \"\(database)\" }\nlog: { level: error }\n"
            .write(toFile: directory + "/atende.yaml", atomically: true, encoding: .utf8)

        func atende(_ arguments: String...) throws -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: GatewayProcess.debugBinary)
            process.arguments = arguments + ["--config", directory + "/atende.yaml"]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        let list = try atende("bookings", "list", "--day", "2026-11-27")
        #expect(list.status == 0 && list.output.contains("2026-11-27 16:00–17:00\tconfirmed\tManicure\tTest Firstname\t(tg 9602)"), "\(list.output)")
        let id = try #require(list.output.split(separator: "\t").first.map(String.init))
        let json = try atende("bookings", "list", "--day", "2026-11-27", "--json")
        #expect(json.output.contains("\"service_name\":\"Manicure\""), "\(json.output)")
        #expect(try atende("bookings", "mark", id, "no_show").output.contains("\tno_show\t"))
        #expect(try atende("bookings", "cancel", "424242").status != 0)
    }
}
