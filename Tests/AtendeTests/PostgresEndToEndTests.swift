import AtendeCore
import AtendeTestSupport
import Foundation
import Testing

/// The Telegram round trip and duplicate handling again, with PostgreSQL as the store.
@Suite(.enabled(if: StoreConformanceTests.postgresURL != nil, "needs ATENDE_TEST_POSTGRES_URL (scripts/test sets it)"))
struct PostgresEndToEndTests {
    @Test func duplicatesAndRepliesOnPostgres() async throws {
        let base = try #require(StoreConformanceTests.postgresURL)
        let name = "atende_e2e_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try await StoreConformanceTests.postgresAdmin(base, "CREATE DATABASE \(name)")
        var components = try #require(URLComponents(string: base))
        components.path = "/" + name
        let harness = try await GatewayHarness.start(databaseURL: components.string)
        let update = try Repository.telegramUpdate("update-message-text.json", updateID: 4242, text: "bom dia")
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<10 { group.addTask { try await harness.post(update) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 200 })
        for index in 0..<20 {
            try await harness.post(Repository.telegramUpdate("update-message-text.json", updateID: 5000 + index, chatID: Int64(7000 + index), text: "oi"))
        }
        try await eventually("21 replies") { harness.telegram.sentMessages.count >= 21 }
        try await harness.settle()
        #expect(harness.telegram.sentMessages.count == 21)
        #expect(try await harness.counts().inboundMessages == 21)
        try await harness.stop()
        try await StoreConformanceTests.postgresAdmin(base, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }
}
