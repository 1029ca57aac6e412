import AtendeCore
import AtendeServer
import AtendeStorage
import AtendeTestSupport
import Foundation
import Logging
import Testing

/// A turn that keeps failing, or keeps stopping the process, is parked as dead after
/// `pipeline.max_turn_attempts` tries instead of retried forever, and the conversation goes on.
@Suite struct PoisonTurnTests {
    /// Fails on any message with "veneno" in it; echoes everything else.
    struct PoisonResponder: Responder {
        struct Poisoned: Error {}

        func respond(to turn: Turn) async throws -> TurnAnswer {
            if turn.messages.contains(where: { $0.text.contains("veneno") }) { throw Poisoned() }
            return TurnAnswer(reply: Reply(text: "eco: " + turn.messages.map(\.text).joined(separator: " / ")))
        }
    }

    @Test func aTurnThatFailsEveryTimeIsParkedAndTheNextMessageIsAnswered() async throws {
        let harness = try await GatewayHarness.start(responder: PoisonResponder()) { $0.maxTurnAttempts = 3 }
        defer { Task { try? await harness.stop() } }
        let store = harness.gateway.runtime.store
        #expect(try await harness.post(try Repository.telegramUpdate("update-message-text.json", updateID: 1, chatID: 4401, text: "veneno")) == 200)
        // Three tries with backoff (about 0.5 s, then 1 s), then dead.
        try await eventually("the poisoned turn to be parked", seconds: 20) { try await store.turnJobs(state: "dead", limit: 10).count == 1 }
        let dead = try #require(try await store.turnJobs(state: "dead", limit: 10).first)
        #expect(dead.attempts == 3)
        #expect(dead.lastError?.contains("failed 3 times") == true)
        #expect(dead.messageIDs.count == 1)

        #expect(try await harness.post(try Repository.telegramUpdate("update-message-text.json", updateID: 2, chatID: 4401, text: "oi")) == 200)
        try await eventually("the next message to be answered") { harness.telegram.sentMessages.contains { $0.body.value(at: "text")?.scalarText == "eco: oi" } }
        #expect(!harness.telegram.sentMessages.contains { $0.body.value(at: "text")?.scalarText?.contains("veneno") == true })
        let metrics = try await harness.get("/metrics").body
        #expect(metrics.contains("atende_turns_parked_total 1"))
        #expect(metrics.contains(#"atende_queue_depth{queue="dead_turns"} 1"#))
    }

    /// SQLite frees the leases of a dead process at start and the turn runs again; a turn that
    /// takes the process down every time would do so forever. Claimed more than
    /// max_turn_attempts times without completing, it is parked before it runs again.
    @Test func aTurnClaimedTooOftenWithoutCompletingIsParkedBeforeItRunsAgain() async throws {
        let path = try Repository.temporaryDirectory() + "/atende.sqlite"
        var logger = Logger(label: "poison")
        logger.logLevel = .critical
        let opened = try await OpenedStore.open(url: path, logger: logger)
        try await opened.withRunning { store in
            try await store.migrate()
            let update = IngestItem(
                channelID: "tg",
                event: InboundEvent(kind: .message, platformEventID: "1", conversation: "4402", sender: Sender(id: "4402"), text: "derruba o processo"),
                traceID: "t1", receivedAt: SystemTime().nowMillis()
            )
            _ = try await store.ingest([update], debounceMillis: 0)
            // Three starts that each died while answering it.
            for _ in 0..<3 {
                #expect(try await store.claimTurn(worker: "died", now: SystemTime().nowMillis(), leaseMillis: 30_000) != nil)
                try await store.releaseAllLeases()
            }
        }
        let harness = try await GatewayHarness.start(databaseURL: path, responder: PoisonResponder()) { $0.maxTurnAttempts = 3 }
        defer { Task { try? await harness.stop() } }
        let store = harness.gateway.runtime.store
        try await eventually("the turn to be parked") { try await store.turnJobs(state: "dead", limit: 10).count == 1 }
        let dead = try #require(try await store.turnJobs(state: "dead", limit: 10).first)
        #expect(dead.lastError?.contains("claimed 4 times without completing") == true)
        #expect(!harness.telegram.sentMessages.contains { $0.body.value(at: "text")?.scalarText?.contains("derruba") == true }, "a parked turn is not run again")

        #expect(try await harness.post(try Repository.telegramUpdate("update-message-text.json", updateID: 2, chatID: 4402, text: "oi")) == 200)
        try await eventually("the next message to be answered") { harness.telegram.sentMessages.contains { $0.body.value(at: "text")?.scalarText == "eco: oi" } }
        // An admin replays it: it runs again (this responder answers it now that it is no poison).
        #expect(try await store.replayTurn(id: dead.id, now: SystemTime().nowMillis()))
        harness.gateway.runtime.turnSignal.notify(count: 1)
        try await eventually("the replayed turn to be answered") {
            harness.telegram.sentMessages.contains { $0.body.value(at: "text")?.scalarText == "eco: derruba o processo" }
        }
    }
}
