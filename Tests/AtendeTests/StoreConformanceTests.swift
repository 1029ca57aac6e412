import AtendeCore
import AtendeStorage
import Foundation
import Logging
import Testing

/// The `GatewayStore` contract, checked against every store: SQLite always, PostgreSQL when
/// `ATENDE_TEST_POSTGRES_URL` names a loopback server (`scripts/test` always provides one).
///
/// Every test gets an empty, migrated store of its own and passes times explicitly; nothing sleeps.
/// Serialized so the PostgreSQL cases do not open a database (and a pool) per test at once.
@Suite(.serialized)
struct StoreConformanceTests {
    enum Backend: String, Sendable, CustomTestStringConvertible {
        case sqlite
        case postgres

        var testDescription: String { rawValue }
    }

    static let postgresURL: String? = {
        guard let url = ProcessInfo.processInfo.environment["ATENDE_TEST_POSTGRES_URL"], !url.isEmpty else { return nil }
        return url
    }()

    static let backends: [Backend] = {
        guard postgresURL != nil else {
            print(
                "note: ATENDE_TEST_POSTGRES_URL is not set, so StoreConformanceTests run against SQLite only "
                    + "and SKIP the PostgreSQL cases (scripts/test always sets it)"
            )
            return [.sqlite]
        }
        return [.sqlite, .postgres]
    }()

    static let logger: Logger = {
        var logger = Logger(label: "atende.store-conformance")
        logger.logLevel = .error
        return logger
    }()

    /// A fixed "now": 2023-11-14T22:13:20Z.
    static let t0: Int64 = 1_700_000_000_000
    static let lease: Int64 = 60_000

    // MARK: - 1. Dedupe

    @Test("one event redelivered by 20 concurrent requests is stored once and queues one turn", arguments: StoreConformanceTests.backends)
    func concurrentRedeliveryIsStoredOnce(_ backend: Backend) async throws {
        try await Self.withStore(backend) { store in
            let outcomes = try await withThrowingTaskGroup(of: [IngestOutcome].self) { group in
                for _ in 0..<20 {
                    group.addTask { try await store.ingest([Self.inbound("chat-1", "evt-1", "olá")], debounceMillis: 0) }
                }
                var all: [IngestOutcome] = []
                for try await outcome in group { all += outcome }
                return all
            }
            #expect(outcomes.count == 20)
            let stored = outcomes.compactMap(\.storedIDs)
            #expect(stored.count == 1)
            #expect(outcomes.filter { $0 == .duplicate }.count == 19)

            let counts = try await store.counts()
            #expect(counts.inboundMessages == 1)
            #expect(counts.unhandledMessages == 1)
            #expect(counts.queuedTurns == 1)

            let claim = try #require(try await store.claimTurn(worker: "w1", now: Self.t0, leaseMillis: Self.lease))
            #expect(claim.turn.conversation.id == stored.first?.conversationID)
            #expect(claim.turn.messages.map(\.id) == stored.map(\.messageID))
            #expect(claim.turn.messages.map(\.text) == ["olá"])
            #expect(try await store.claimTurn(worker: "w2", now: Self.t0, leaseMillis: Self.lease) == nil, "exactly one turn was queued")
        }
    }

    // MARK: - 2. Batched ingest

    @Test("a batch gets one outcome per event, in order, grouped into conversations per channel and chat", arguments: StoreConformanceTests.backends)
    func batchOutcomesAreInOrder(_ backend: Backend) async throws {
        try await Self.withStore(backend) { store in
            let acknowledgement = Acknowledgement(
                action: "answer_callback", values: ["callback_query_id": .string("cq-1"), "show_alert": .bool(false), "n": .int(7)]
            )
            let choice = IngestItem(
                channelID: "telegram",
                event: InboundEvent(
                    kind: .choice, platformEventID: "e4", conversation: "chat-b", sender: Sender(id: "user-chat-b"),
                    text: "Sim", choiceID: "yes", language: "pt-br", acknowledgement: acknowledgement
                ),
                traceID: "trace-e4", receivedAt: Self.t0 + 4
            )
            let outcomes = try await store.ingest(
                [
                    Self.inbound("chat-a", "e1", "a1", at: Self.t0 + 1),
                    Self.inbound("chat-b", "e2", "b1", at: Self.t0 + 2),
                    Self.inbound("chat-a", "e3", "a2", at: Self.t0 + 3),
                    Self.inbound("chat-a", "e1", "a1 again"),  // the same event twice in one batch
                    choice,
                    Self.inbound("chat-a", "e1", "a1 elsewhere", channel: "whatsapp"),  // same ids, other channel
                    // A group chat: two senders, the later one sorting first by id.
                    Self.inbound("chat-g", "e6", "group first", at: Self.t0 + 6, sender: "zed"),
                    Self.inbound("chat-g", "e7", "group second", at: Self.t0 + 7, sender: "amy"),
                ],
                debounceMillis: 0
            )
            try #require(outcomes.count == 8)
            let a1 = try #require(outcomes[0].storedIDs)
            let b1 = try #require(outcomes[1].storedIDs)
            let a2 = try #require(outcomes[2].storedIDs)
            #expect(outcomes[3] == .duplicate)
            let b2 = try #require(outcomes[4].storedIDs)
            let elsewhere = try #require(outcomes[5].storedIDs)
            let g1 = try #require(outcomes[6].storedIDs)
            let g2 = try #require(outcomes[7].storedIDs)

            #expect(a1.conversationID == a2.conversationID)
            #expect(b1.conversationID == b2.conversationID)
            #expect(a1.conversationID != b1.conversationID)
            #expect(g1.conversationID == g2.conversationID)
            #expect(Set([a1, b1, elsewhere, g1].map(\.conversationID)).count == 4)
            #expect(Set([a1, b1, a2, b2, elsewhere, g1, g2].map(\.messageID)).count == 7)
            // Within a conversation, ids follow arrival (batch) order: turns list messages by id.
            #expect(a1.messageID < a2.messageID)
            #expect(b1.messageID < b2.messageID)
            #expect(g1.messageID < g2.messageID, "a group chat's messages must keep their arrival order whoever sent them")

            var counts = try await store.counts()
            #expect(counts.inboundMessages == 7)
            #expect(counts.queuedTurns == 4)

            // A later batch sees earlier events as duplicates and joins existing conversations.
            let later = try await store.ingest(
                [Self.inbound("chat-b", "e2", "b1 redelivered"), Self.inbound("chat-c", "e5", "c1")], debounceMillis: 0
            )
            try #require(later.count == 2)
            #expect(later[0] == .duplicate)
            let c1 = try #require(later[1].storedIDs)
            #expect(![a1, b1, elsewhere, g1].map(\.conversationID).contains(c1.conversationID))
            counts = try await store.counts()
            #expect(counts.inboundMessages == 8)
            #expect(counts.queuedTurns == 5)

            // The turns carry what was stored.
            var turns: [Int64: Turn] = [:]
            while let claim = try await store.claimTurn(worker: "w", now: Self.t0 + 10, leaseMillis: Self.lease) {
                #expect(turns[claim.turn.conversation.id] == nil, "one turn per conversation")
                turns[claim.turn.conversation.id] = claim.turn
            }
            #expect(turns.count == 5)
            let turnA = try #require(turns[a1.conversationID])
            #expect(turnA.conversation.channelID == "telegram")
            #expect(turnA.conversation.platformChatID == "chat-a")
            #expect(turnA.messages.map(\.id) == [a1.messageID, a2.messageID])
            #expect(turnA.messages.map(\.text) == ["a1", "a2"])
            #expect(turnA.messages.map(\.traceID) == ["trace-e1", "trace-e3"])
            #expect(turnA.messages.map(\.receivedAt) == [Self.t0 + 1, Self.t0 + 3])
            #expect(turnA.messages.map(\.senderName) == ["User chat-a", "User chat-a"])
            #expect(turnA.messages.allSatisfy { $0.kind == .message && $0.choiceID == nil && $0.acknowledgement == nil })

            let turnB = try #require(turns[b1.conversationID])
            #expect(turnB.messages.map(\.id) == [b1.messageID, b2.messageID])
            let picked = try #require(turnB.messages.last)
            #expect(picked.kind == .choice)
            #expect(picked.text == "Sim")
            #expect(picked.choiceID == "yes")
            #expect(picked.language == "pt-br")
            #expect(picked.senderName == nil)
            #expect(picked.acknowledgement == acknowledgement)

            let turnElsewhere = try #require(turns[elsewhere.conversationID])
            #expect(turnElsewhere.conversation.channelID == "whatsapp")
            #expect(turnElsewhere.conversation.platformChatID == "chat-a")
            #expect(turnElsewhere.messages.map(\.text) == ["a1 elsewhere"])

            let turnG = try #require(turns[g1.conversationID])
            #expect(turnG.messages.map(\.text) == ["group first", "group second"])
            #expect(turnG.messages.map(\.senderName) == ["zed", "amy"])
        }
    }

    // MARK: - 3. Concurrent claimers

    @Test("concurrent claimers never share a conversation and handle every message once, in order", arguments: StoreConformanceTests.backends)
    func concurrentClaimersHandleEachMessageOnce(_ backend: Backend) async throws {
        try await Self.withStore(backend) { store in
            let chats = (0..<24).map { "chat-\($0)" }
            let rounds = 4
            @Sendable func ingestRound(_ round: Int) async throws -> [Int64] {
                var ids: [Int64] = []
                for chat in chats {
                    let outcome = try await store.ingest([Self.inbound(chat, "\(chat)/\(round)", "\(chat) #\(round)")], debounceMillis: 0)
                    ids += outcome.compactMap(\.storedIDs).map(\.messageID)
                }
                return ids
            }
            // The first round is waiting before the claimers start; the rest arrive while they work.
            var storedIDs = try await ingestRound(0)
            let book = ClaimBook()
            storedIDs += try await withThrowingTaskGroup(of: [Int64].self) { group in
                group.addTask {
                    var ids: [Int64] = []
                    for round in 1..<rounds { ids += try await ingestRound(round) }
                    await book.finishIngesting()
                    return ids
                }
                for worker in 0..<8 {
                    group.addTask {
                        while true {
                            let ingestWasFinished = await book.isIngestFinished
                            // Claimed at the time turns complete: a completion queues a turn, due at
                            // once, for messages its claim did not see (PostgreSQL's claim reads them
                            // as of the statement's start; a message committed just after is next).
                            guard
                                let claim = try await store.claimTurn(worker: "w\(worker)", now: Self.t0 + 2, leaseMillis: Self.lease)
                            else {
                                if ingestWasFinished { return [] }
                                await Task.yield()
                                continue
                            }
                            await book.claimed(claim)
                            await Task.yield()
                            await book.completing(claim)
                            let completed = try await store.completeTurn(claim, outbox: [], now: Self.t0 + 2)
                            #expect(completed)
                        }
                    }
                }
                var ids: [Int64] = []
                for try await chunk in group { ids += chunk }
                return ids
            }
            #expect(storedIDs.count == chats.count * rounds)

            let report = await book.report()
            #expect(report.overlaps.isEmpty, "conversations claimed while another claimer held them: \(report.overlaps)")
            #expect(report.emptyTurns == 0, "claimed turns without messages")
            #expect(report.foreignMessages.isEmpty, "messages handed out with another conversation: \(report.foreignMessages)")
            #expect(report.outOfOrder.isEmpty, "claims whose messages are not in arrival order: \(report.outOfOrder)")
            let handled = report.handled.values.flatMap { $0 }
            #expect(handled.count == storedIDs.count, "every message handled exactly once")
            #expect(handled.sorted() == storedIDs.sorted())
            for (conversation, ids) in report.handled {
                #expect(ids == ids.sorted(), "conversation \(conversation) was answered out of arrival order: \(ids)")
            }

            let counts = try await store.counts()
            #expect(counts.inboundMessages == chats.count * rounds)
            #expect(counts.unhandledMessages == 0)
            #expect(counts.queuedTurns == 0)
            #expect(try await store.claimTurn(worker: "w", now: Self.t0 + 3, leaseMillis: Self.lease) == nil)
        }
    }

    // MARK: - 4. One turn at a time per conversation

    @Test("a conversation has one turn at a time; messages arriving meanwhile wait for the next", arguments: StoreConformanceTests.backends)
    func oneTurnAtATimePerConversation(_ backend: Backend) async throws {
        try await Self.withStore(backend) { store in
            _ = try await store.ingest([Self.inbound("chat-a", "a1", "first")], debounceMillis: 0)
            let first = try #require(try await store.claimTurn(worker: "w1", now: Self.t0, leaseMillis: Self.lease))
            #expect(first.turn.conversation.platformChatID == "chat-a")
            #expect(first.turn.messages.map(\.text) == ["first"])

            _ = try await store.ingest(
                [Self.inbound("chat-a", "a2", "second", at: Self.t0 + 10), Self.inbound("chat-b", "b1", "other", at: Self.t0 + 10)],
                debounceMillis: 0
            )
            #expect(try await store.counts().queuedTurns == 3, "A running, A queued again, B queued")
            // While A is held, only B can be claimed.
            let other = try #require(try await store.claimTurn(worker: "w2", now: Self.t0 + 20, leaseMillis: Self.lease))
            #expect(other.turn.conversation.id != first.turn.conversation.id)
            #expect(other.turn.messages.map(\.text) == ["other"])
            #expect(try await store.claimTurn(worker: "w3", now: Self.t0 + 30, leaseMillis: Self.lease) == nil)
            #expect(try await store.completeTurn(other, outbox: [], now: Self.t0 + 40))
            #expect(try await store.claimTurn(worker: "w3", now: Self.t0 + 50, leaseMillis: Self.lease) == nil)

            #expect(try await store.completeTurn(first, outbox: [], now: Self.t0 + 60))
            let next = try #require(try await store.claimTurn(worker: "w3", now: Self.t0 + 70, leaseMillis: Self.lease))
            #expect(next.turn.conversation.id == first.turn.conversation.id)
            #expect(next.turn.messages.map(\.text) == ["second"])
            #expect(next.attempts == 1)
            #expect(try await store.completeTurn(next, outbox: [], now: Self.t0 + 80))

            let counts = try await store.counts()
            #expect(counts.unhandledMessages == 0)
            #expect(counts.queuedTurns == 0)
        }
    }

    // MARK: - 5. Debounce

    @Test("a new turn waits debounceMillis and then carries every message that arrived meanwhile", arguments: StoreConformanceTests.backends)
    func debounceCollectsMessages(_ backend: Backend) async throws {
        try await Self.withStore(backend) { store in
            _ = try await store.ingest([Self.inbound("chat-a", "a1", "one", at: Self.t0)], debounceMillis: 1000)
            _ = try await store.ingest([Self.inbound("chat-a", "a2", "two", at: Self.t0 + 300)], debounceMillis: 1000)
            #expect(try await store.counts().queuedTurns == 1)
            #expect(try await store.claimTurn(worker: "w", now: Self.t0 + 500, leaseMillis: Self.lease) == nil)
            #expect(try await store.claimTurn(worker: "w", now: Self.t0 + 999, leaseMillis: Self.lease) == nil)
            let claim = try #require(try await store.claimTurn(worker: "w", now: Self.t0 + 1000, leaseMillis: Self.lease))
            #expect(claim.turn.messages.map(\.text) == ["one", "two"])
            #expect(claim.turn.messages.map(\.receivedAt) == [Self.t0, Self.t0 + 300])
            #expect(claim.attempts == 1)
        }
    }

    // MARK: - 6. Lease expiry

    @Test("an expired lease lets another worker take the turn, and the stale claim can no longer complete", arguments: StoreConformanceTests.backends)
    func expiredLeaseIsTakenOver(_ backend: Backend) async throws {
        try await Self.withStore(backend) { store in
            _ = try await store.ingest([Self.inbound("chat-a", "a1", "hello")], debounceMillis: 0)
            let stale = try #require(try await store.claimTurn(worker: "slow", now: Self.t0, leaseMillis: 1000))
            #expect(stale.attempts == 1)
            #expect(try await store.claimTurn(worker: "other", now: Self.t0 + 500, leaseMillis: 1000) == nil)

            let fresh = try #require(try await store.claimTurn(worker: "other", now: Self.t0 + 1001, leaseMillis: 1000))
            #expect(fresh.turn.conversation.id == stale.turn.conversation.id)
            #expect(fresh.turn.messages == stale.turn.messages)
            #expect(fresh.attempts == 2)
            #expect(fresh.leaseToken != stale.leaseToken)

            let reply = [Self.draft("late reply")]
            #expect(await Self.completeStale(store, stale, outbox: reply, now: Self.t0 + 1100) == false)
            var counts = try await store.counts()
            #expect(counts.unhandledMessages == 1, "the stale completion changed nothing")
            #expect(counts.outboundMessages == 0)
            #expect(counts.pendingDeliveries == 0)
            #expect(counts.queuedTurns == 1)
            #expect(try await store.claimTurn(worker: "third", now: Self.t0 + 1200, leaseMillis: 1000) == nil, "the new lease still holds")

            #expect(try await store.completeTurn(fresh, outbox: [Self.draft("reply")], now: Self.t0 + 1300))
            counts = try await store.counts()
            #expect(counts.unhandledMessages == 0)
            #expect(counts.outboundMessages == 1)
            #expect(counts.pendingDeliveries == 1)
            #expect(counts.queuedTurns == 0)
            #expect(await Self.completeStale(store, stale, outbox: reply, now: Self.t0 + 1400) == false)
            #expect(try await store.counts() == counts)
            #expect(try await store.claimTurn(worker: "third", now: Self.t0 + 5000, leaseMillis: 1000) == nil)
        }
    }

    // MARK: - 7. Outbox

    @Test("a finished turn's first entry is leased with it when it is next in line; otherwise, and after the lease, it is claimed as usual", arguments: StoreConformanceTests.backends)
    func firstEntryLeasedWithTheTurn(_ backend: Backend) async throws {
        try await Self.withStore(backend) { store in
            let t = Self.t0 + 100
            let leasing = DeliveryLease(worker: "tw", leaseMillis: 30_000, excludingChannels: [])
            // Next in line: the reply goes to the turn worker, its second entry waits behind it.
            _ = try await store.ingest([Self.inbound("chat-a", "a1", "hi")], debounceMillis: 0)
            let a = try #require(try await store.claimTurn(worker: "w", now: Self.t0, leaseMillis: Self.lease))
            let completed = try #require(try await store.completeTurn(a, result: TurnResult(outbox: [Self.draft("Olá"), Self.draft("Tudo bem?")]), now: t, leasing: leasing))
            let leased = try #require(completed.leasedDelivery)
            #expect(leased.conversationID == a.turn.conversation.id)
            #expect(leased.values == Self.draft("Olá").values)
            #expect(leased.attempts == 1)
            #expect(try await store.claimDelivery(worker: "d", now: t, leaseMillis: 30_000) == nil, "leased, and the second waits behind it")
            try await store.markDelivered(leased, platformMessageID: "m-1", now: t + 10)
            let second = try #require(try await store.claimDelivery(worker: "d", now: t + 20, leaseMillis: 30_000))
            #expect(second.values == Self.draft("Tudo bem?").values)
            try await store.markDelivered(second, platformMessageID: "m-2", now: t + 30)

            // Something earlier of the conversation still waits: nothing is leased, order is kept.
            _ = try await store.ingest([Self.inbound("chat-b", "b1", "um")], debounceMillis: 0)
            let b1 = try #require(try await store.claimTurn(worker: "w", now: Self.t0, leaseMillis: Self.lease))
            #expect(try await store.completeTurn(b1, outbox: [Self.draft("primeiro", chat: "chat-b")], now: t))
            _ = try await store.ingest([Self.inbound("chat-b", "b2", "dois")], debounceMillis: 0)
            let b2 = try #require(try await store.claimTurn(worker: "w", now: t, leaseMillis: Self.lease))
            let behind = try #require(try await store.completeTurn(b2, result: TurnResult(outbox: [Self.draft("segundo", chat: "chat-b")]), now: t, leasing: leasing))
            #expect(behind.leasedDelivery == nil)
            let firstOfB = try #require(try await store.claimDelivery(worker: "d", now: t, leaseMillis: 30_000))
            #expect(firstOfB.values == Self.draft("primeiro", chat: "chat-b").values)
            try await store.markDelivered(firstOfB, platformMessageID: "m-3", now: t + 10)
            let secondOfB = try #require(try await store.claimDelivery(worker: "d", now: t + 20, leaseMillis: 30_000))
            #expect(secondOfB.values == Self.draft("segundo", chat: "chat-b").values)
            try await store.markDelivered(secondOfB, platformMessageID: "m-4", now: t + 30)

            // A paused channel's entry is not leased; a leased entry nobody sent is claimed once its lease ends.
            _ = try await store.ingest([Self.inbound("chat-c", "c1", "oi"), Self.inbound("chat-d", "d1", "oi")], debounceMillis: 0)
            let c = try #require(try await store.claimTurn(worker: "w", now: t, leaseMillis: Self.lease))
            let paused = DeliveryLease(worker: "tw", leaseMillis: 30_000, excludingChannels: ["telegram"])
            #expect(try await store.completeTurn(c, result: TurnResult(outbox: [Self.draft("c")]), now: t, leasing: paused)?.leasedDelivery == nil)
            let fromC = try #require(try await store.claimDelivery(worker: "d", now: t, leaseMillis: 30_000))
            #expect(fromC.conversationID == c.turn.conversation.id)
            try await store.markDelivered(fromC, platformMessageID: "m-5", now: t + 10)
            let d = try #require(try await store.claimTurn(worker: "w", now: t, leaseMillis: Self.lease))
            let lost = try #require(try await store.completeTurn(d, result: TurnResult(outbox: [Self.draft("d")]), now: t, leasing: leasing)?.leasedDelivery)
            #expect(try await store.claimDelivery(worker: "d", now: t + 29_999, leaseMillis: 30_000) == nil)
            let reclaimed = try #require(try await store.claimDelivery(worker: "d", now: t + 30_001, leaseMillis: 30_000))
            #expect(reclaimed.id == lost.id)
            #expect(reclaimed.attempts == 2)
        }
    }

    @Test("outbox entries are delivered in order per conversation, retried, dead-lettered and replayed", arguments: StoreConformanceTests.backends)
    func outboxDeliveryLifecycle(_ backend: Backend) async throws {
        try await Self.withStore(backend) { store in
            let t = Self.t0 + 100
            _ = try await store.ingest([Self.inbound("chat-a", "a1", "hi"), Self.inbound("chat-b", "b1", "hey")], debounceMillis: 0)
            let turnA = try #require(try await store.claimTurn(worker: "w", now: Self.t0, leaseMillis: Self.lease))
            let turnB = try #require(try await store.claimTurn(worker: "w", now: Self.t0, leaseMillis: Self.lease))
            let (a, b) = turnA.turn.conversation.platformChatID == "chat-a" ? (turnA, turnB) : (turnB, turnA)
            #expect(a.turn.conversation.platformChatID == "chat-a")
            #expect(b.turn.conversation.platformChatID == "chat-b")

            let sendA = OutboxDraft(
                action: "send_text", values: ["chat_id": .string("chat-a"), "text": .string("Olá!"), "n": .int(1)],
                replyText: "Olá!", traceID: "trace-a"
            )
            let ackA = OutboxDraft(action: "answer_callback", values: ["callback_query_id": .string("cq")], replyText: nil, traceID: "trace-a")
            #expect(try await store.completeTurn(a, outbox: [sendA, ackA], now: t))
            #expect(try await store.completeTurn(b, outbox: [Self.draft("Oi", chat: "chat-b")], now: t))
            var counts = try await store.counts()
            #expect(counts.outboundMessages == 2, "one outbound message per draft with reply text")
            #expect(counts.pendingDeliveries == 3)
            #expect((counts.sentDeliveries, counts.deadDeliveries) == (0, 0))
            #expect(try await store.deliveries(state: "pending", limit: 10).count == 3)
            #expect(try await store.deliveries(state: "pending", limit: 2).count == 2)

            // A's first entry, then B's; A's second waits behind A's first even though that one is leased.
            let first = try #require(try await store.claimDelivery(worker: "d1", now: t, leaseMillis: 30_000))
            #expect(first.conversationID == a.turn.conversation.id)
            #expect(first.channelID == "telegram")
            #expect(first.action == "send_text")
            #expect(first.values == sendA.values)
            #expect(first.traceID == "trace-a")
            #expect(first.attempts == 1)
            let fromB = try #require(try await store.claimDelivery(worker: "d2", now: t, leaseMillis: 30_000))
            #expect(fromB.conversationID == b.turn.conversation.id)
            #expect(try await store.claimDelivery(worker: "d3", now: t, leaseMillis: 30_000) == nil)

            // A retry keeps the entry pending (still blocking A's second) and due only at retryAt.
            try await store.markDeliveryFailed(first, error: "HTTP 502", retryAt: t + 5000, now: t + 10)
            #expect(try await store.counts().pendingDeliveries == 3)
            #expect(try await store.claimDelivery(worker: "d3", now: t + 4999, leaseMillis: 30_000) == nil)
            let retried = try #require(try await store.claimDelivery(worker: "d3", now: t + 5000, leaseMillis: 30_000))
            #expect(retried.id == first.id)
            #expect(retried.attempts == 2)

            try await store.markDelivered(retried, platformMessageID: "m-1", now: t + 5010)
            try await store.markDelivered(fromB, platformMessageID: "m-2", now: t + 5010)
            counts = try await store.counts()
            #expect((counts.pendingDeliveries, counts.sentDeliveries, counts.deadDeliveries) == (1, 2, 0))
            #expect(try await store.deliveries(state: "sent", limit: 10).map(\.id).sorted() == [first.id, fromB.id].sorted())

            // Now A's second is due; failing it for good makes it dead.
            let second = try #require(try await store.claimDelivery(worker: "d1", now: t + 5020, leaseMillis: 30_000))
            #expect(second.conversationID == a.turn.conversation.id)
            #expect(second.action == "answer_callback")
            #expect(second.id > first.id)
            #expect(try await store.claimDelivery(worker: "d2", now: t + 5020, leaseMillis: 30_000) == nil)
            try await store.markDeliveryFailed(second, error: "HTTP 400: chat not found", retryAt: nil, now: t + 5030)
            counts = try await store.counts()
            #expect((counts.pendingDeliveries, counts.sentDeliveries, counts.deadDeliveries) == (0, 2, 1))
            #expect(try await store.claimDelivery(worker: "d2", now: t + 100_000, leaseMillis: 30_000) == nil)
            let dead = try await store.deliveries(state: "dead", limit: 10)
            #expect(
                dead == [
                    DeliveryRecord(
                        id: second.id, channelID: "telegram", conversationID: a.turn.conversation.id, action: "answer_callback",
                        state: "dead", attempts: 1, lastError: "HTTP 400: chat not found"
                    )
                ]
            )

            // Replay puts it back, once.
            #expect(try await store.replayDelivery(id: 987_654, now: t + 6000) == false)
            #expect(try await store.replayDelivery(id: first.id, now: t + 6000) == false, "a sent entry is not dead")
            #expect(try await store.replayDelivery(id: second.id, now: t + 6000))
            #expect(try await store.replayDelivery(id: second.id, now: t + 6000) == false, "no longer dead")
            counts = try await store.counts()
            #expect((counts.pendingDeliveries, counts.sentDeliveries, counts.deadDeliveries) == (1, 2, 0))
            #expect(try await store.deliveries(state: "dead", limit: 10).isEmpty)
            let replayed = try #require(try await store.claimDelivery(worker: "d1", now: t + 6000, leaseMillis: 30_000))
            #expect(replayed.id == second.id)
            #expect(replayed.attempts == 1)
            try await store.markDelivered(replayed, platformMessageID: nil, now: t + 6010)
            counts = try await store.counts()
            #expect((counts.pendingDeliveries, counts.sentDeliveries, counts.deadDeliveries) == (0, 3, 0))
            #expect(counts.outboundMessages == 2)
        }
    }

    @Test("an outbox entry whose lease ran out is claimed again, still ahead of later entries", arguments: StoreConformanceTests.backends)
    func expiredDeliveryLeaseIsReclaimed(_ backend: Backend) async throws {
        try await Self.withStore(backend) { store in
            _ = try await store.ingest([Self.inbound("chat-a", "a1", "hi")], debounceMillis: 0)
            let turn = try #require(try await store.claimTurn(worker: "w", now: Self.t0, leaseMillis: Self.lease))
            #expect(try await store.completeTurn(turn, outbox: [Self.draft("one"), Self.draft("two")], now: Self.t0))
            let lost = try #require(try await store.claimDelivery(worker: "d1", now: Self.t0, leaseMillis: 1000))
            #expect(try await store.claimDelivery(worker: "d2", now: Self.t0 + 1000, leaseMillis: 1000) == nil)
            let again = try #require(try await store.claimDelivery(worker: "d2", now: Self.t0 + 1001, leaseMillis: 1000))
            #expect(again.id == lost.id)
            #expect(again.attempts == 2)
            #expect(again.leaseToken != lost.leaseToken)
            // The stale worker's failure report must not reschedule the entry the new worker holds.
            try await store.markDeliveryFailed(lost, error: "timeout", retryAt: nil, now: Self.t0 + 1002)
            #expect(try await store.counts().deadDeliveries == 0)
            try await store.markDelivered(again, platformMessageID: "m-1", now: Self.t0 + 1003)
            let next = try #require(try await store.claimDelivery(worker: "d2", now: Self.t0 + 1004, leaseMillis: 1000))
            #expect(next.id > lost.id)
            #expect(next.values["text"] == .string("two"))
        }
    }

    // MARK: - 7b. Events that ask for no answer, delivery statuses, circuits

    @Test("edits, reactions and statuses are kept as history and queue no turn", arguments: StoreConformanceTests.backends)
    func historyOnlyEventsQueueNoTurn(_ backend: Backend) async throws {
        try await Self.withStore(backend) { store in
            let edit = Self.event(.edit, "chat-1", "e-1", text: "oi, corrigindo", target: "m-0")
            let reaction = Self.event(.reaction, "chat-1", "r-1", text: "👍", target: "m-0")
            let outcomes = try await store.ingest([edit, reaction], debounceMillis: 0)
            #expect(outcomes.compactMap(\.storedIDs).count == 2)
            let counts = try await store.counts()
            #expect(counts.inboundMessages == 2)
            #expect(counts.unhandledMessages == 0)
            #expect(counts.queuedTurns == 0)
            #expect(try await store.claimTurn(worker: "w", now: Self.t0, leaseMillis: Self.lease) == nil)
        }
    }

    @Test("a contact known by phone and @lid is one contact, however later events name it", arguments: StoreConformanceTests.backends)
    func phoneAndAlternateIDAreOneContact(_ backend: Backend) async throws {
        try await Self.withStore(backend) { store in
            func event(_ id: String, sender: Sender) -> IngestItem {
                IngestItem(
                    channelID: "whatsapp",
                    event: InboundEvent(kind: .message, platformEventID: id, conversation: "5511988887777", sender: sender, text: "oi"),
                    traceID: "t-\(id)", receivedAt: Self.t0
                )
            }
            _ = try await store.ingest([event("m1", sender: Sender(id: "+5511988887777", name: "Ana", phone: "+5511988887777", alternateID: "1000@lid"))], debounceMillis: 0)
            // Later the platform names her by the LID only (Evolution without remoteJidAlt).
            _ = try await store.ingest([event("m2", sender: Sender(id: "1000@lid"))], debounceMillis: 0)
            #expect(try await store.counts().contacts == 1)
        }
    }

    @Test("a choice token offered in an outbox entry resolves to its id in that conversation only", arguments: StoreConformanceTests.backends)
    func choiceTokensResolve(_ backend: Backend) async throws {
        try await Self.withStore(backend) { store in
            _ = try await store.ingest([Self.inbound("chat-a", "a-1", "oi"), Self.inbound("chat-b", "b-1", "oi")], debounceMillis: 0)
            let first = try #require(try await store.claimTurn(worker: "w", now: Self.t0, leaseMillis: Self.lease))
            let offer = OutboxDraft(
                action: "send_choices",
                values: ["text": .string("?"), "choices": .array([.object(["id": .string("~tok"), "title": .string("Sex")])]), "choice_tokens": .object(["~tok": .string("long-id")])],
                replyText: "?", traceID: "t"
            )
            #expect(try await store.completeTurn(first, outbox: [offer], now: Self.t0))
            let other = try #require(try await store.claimTurn(worker: "w", now: Self.t0, leaseMillis: Self.lease))
            #expect(try await store.choiceID(forToken: "~tok", mapKey: "choice_tokens", conversationID: first.turn.conversation.id) == "long-id")
            #expect(try await store.choiceID(forToken: "~tok", mapKey: "choice_tokens", conversationID: other.turn.conversation.id) == nil)
            #expect(try await store.choiceID(forToken: "~nope", mapKey: "choice_tokens", conversationID: first.turn.conversation.id) == nil)
        }
    }

    @Test("a message's delivery status only moves forward, whatever order the reports arrive in", arguments: StoreConformanceTests.backends)
    func deliveryStatusIsMonotonic(_ backend: Backend) async throws {
        try await Self.withStore(backend) { store in
            #expect(try await store.deliveryStatus(channelID: "telegram", platformMessageID: "wamid.1") == nil)
            for (index, status) in ["delivered", "read", "sent"].enumerated() {
                _ = try await store.ingest([Self.event(.status, "chat-1", "wamid.1:\(status)", target: "wamid.1", status: status, at: Self.t0 + Int64(index))], debounceMillis: 0)
            }
            // The late `sent` does not take `read` back; another message's status is its own.
            #expect(try await store.deliveryStatus(channelID: "telegram", platformMessageID: "wamid.1") == "read")
            _ = try await store.ingest([Self.event(.status, "chat-1", "wamid.2:sent", target: "wamid.2", status: "sent")], debounceMillis: 0)
            #expect(try await store.deliveryStatus(channelID: "telegram", platformMessageID: "wamid.2") == "sent")
            #expect(try await store.deliveryStatus(channelID: "other", platformMessageID: "wamid.1") == nil)
        }
    }

    @Test("entries of an excluded channel are not claimed; a deferred entry comes back without using an attempt", arguments: StoreConformanceTests.backends)
    func excludedChannelsAndDeferredDeliveries(_ backend: Backend) async throws {
        try await Self.withStore(backend) { store in
            _ = try await store.ingest([Self.inbound("chat-a", "a-1", "oi"), Self.inbound("chat-b", "b-1", "oi", channel: "other")], debounceMillis: 0)
            for _ in 0..<2 {
                let claim = try #require(try await store.claimTurn(worker: "w", now: Self.t0, leaseMillis: Self.lease))
                #expect(try await store.completeTurn(claim, outbox: [Self.draft("resposta")], now: Self.t0))
            }
            let onlyOther = try #require(try await store.claimDelivery(worker: "d", now: Self.t0, leaseMillis: 30_000, excludingChannels: ["telegram"]))
            #expect(onlyOther.channelID == "other")
            #expect(try await store.claimDelivery(worker: "d", now: Self.t0, leaseMillis: 30_000, excludingChannels: ["telegram"]) == nil)
            try await store.deferDelivery(onlyOther, until: Self.t0 + 1000)
            #expect(try await store.claimDelivery(worker: "d", now: Self.t0 + 999, leaseMillis: 30_000, excludingChannels: ["telegram"]) == nil)
            let again = try #require(try await store.claimDelivery(worker: "d", now: Self.t0 + 1000, leaseMillis: 30_000, excludingChannels: ["telegram"]))
            #expect(again.id == onlyOther.id)
            #expect(again.attempts == 1, "a deferred claim is not an attempt")
        }
    }

    // MARK: - 8. Release

    @Test("a released turn comes back at retryAt with the same messages and a higher attempt count", arguments: StoreConformanceTests.backends)
    func releasedTurnRetries(_ backend: Backend) async throws {
        try await Self.withStore(backend) { store in
            _ = try await store.ingest(
                [Self.inbound("chat-a", "a1", "one"), Self.inbound("chat-a", "a2", "two", at: Self.t0 + 1)], debounceMillis: 0
            )
            let first = try #require(try await store.claimTurn(worker: "w", now: Self.t0 + 10, leaseMillis: Self.lease))
            #expect(first.attempts == 1)
            #expect(first.turn.messages.map(\.text) == ["one", "two"])

            try await store.releaseTurn(first, retryAt: Self.t0 + 10_000, error: "responder down")
            var counts = try await store.counts()
            #expect(counts.unhandledMessages == 2)
            #expect(counts.queuedTurns == 1)
            #expect(try await store.claimTurn(worker: "w", now: Self.t0 + 9_999, leaseMillis: Self.lease) == nil)
            let second = try #require(try await store.claimTurn(worker: "w", now: Self.t0 + 10_000, leaseMillis: Self.lease))
            #expect(second.turn.conversation.id == first.turn.conversation.id)
            #expect(second.turn.messages == first.turn.messages)
            #expect(second.attempts == 2)

            // Releasing the stale first claim again changes nothing: the second worker keeps the turn.
            try await store.releaseTurn(first, retryAt: Self.t0 + 10_001, error: "stale")
            #expect(try await store.claimTurn(worker: "w", now: Self.t0 + 10_002, leaseMillis: Self.lease) == nil)

            // A message arriving during the retry joins it; the retry keeps its schedule and count.
            _ = try await store.ingest([Self.inbound("chat-a", "a3", "three", at: Self.t0 + 10_100)], debounceMillis: 0)
            try await store.releaseTurn(second, retryAt: Self.t0 + 20_000, error: "responder down again")
            counts = try await store.counts()
            #expect(counts.unhandledMessages == 3)
            #expect(counts.queuedTurns == 1)
            #expect(try await store.claimTurn(worker: "w", now: Self.t0 + 19_999, leaseMillis: Self.lease) == nil)
            let third = try #require(try await store.claimTurn(worker: "w", now: Self.t0 + 20_000, leaseMillis: Self.lease))
            #expect(third.attempts == 3)
            #expect(third.turn.messages.map(\.text) == ["one", "two", "three"])
            #expect(Array(third.turn.messages.prefix(2)) == first.turn.messages)

            #expect(try await store.completeTurn(third, outbox: [], now: Self.t0 + 20_100))
            counts = try await store.counts()
            #expect(counts.unhandledMessages == 0)
            #expect(counts.queuedTurns == 0)
        }
    }

    // MARK: - Leases of a dead process

    @Test("releaseAllLeases makes held turns and deliveries claimable at once; the old claims are stale", arguments: StoreConformanceTests.backends)
    func releaseAllLeasesFreesEverything(_ backend: Backend) async throws {
        try await Self.withStore(backend) { store in
            // A delivery held by the dead process.
            _ = try await store.ingest([Self.inbound("chat-c", "c1", "hi")], debounceMillis: 0)
            let turnC = try #require(try await store.claimTurn(worker: "dead", now: Self.t0, leaseMillis: Self.lease))
            #expect(try await store.completeTurn(turnC, outbox: [Self.draft("Oi", chat: "chat-c")], now: Self.t0))
            let heldDelivery = try #require(try await store.claimDelivery(worker: "dead", now: Self.t0, leaseMillis: Self.lease))
            // Two turns held by it; B got another message meanwhile.
            _ = try await store.ingest([Self.inbound("chat-a", "a1", "a1"), Self.inbound("chat-b", "b1", "b1")], debounceMillis: 0)
            let held1 = try #require(try await store.claimTurn(worker: "dead", now: Self.t0 + 1, leaseMillis: Self.lease))
            let held2 = try #require(try await store.claimTurn(worker: "dead", now: Self.t0 + 1, leaseMillis: Self.lease))
            let (heldA, heldB) = held1.turn.conversation.platformChatID == "chat-a" ? (held1, held2) : (held2, held1)
            _ = try await store.ingest([Self.inbound("chat-b", "b2", "b2", at: Self.t0 + 2)], debounceMillis: 0)
            #expect(try await store.claimTurn(worker: "new", now: Self.t0 + 3, leaseMillis: Self.lease) == nil)
            #expect(try await store.claimDelivery(worker: "new", now: Self.t0 + 3, leaseMillis: Self.lease) == nil)

            try await store.releaseAllLeases()

            var turns: [String: ClaimedTurn] = [:]
            while let claim = try await store.claimTurn(worker: "new", now: Self.t0 + 3, leaseMillis: Self.lease) {
                #expect(turns[claim.turn.conversation.platformChatID] == nil, "one turn per conversation")
                turns[claim.turn.conversation.platformChatID] = claim
            }
            #expect(turns.count == 2)
            let againA = try #require(turns["chat-a"])
            #expect(againA.turn.messages == heldA.turn.messages)
            #expect(againA.attempts == heldA.attempts + 1)
            let againB = try #require(turns["chat-b"])
            #expect(againB.turn.messages.map(\.text) == ["b1", "b2"])
            let redelivery = try #require(try await store.claimDelivery(worker: "new", now: Self.t0 + 3, leaseMillis: Self.lease))
            #expect(redelivery.id == heldDelivery.id)
            #expect(redelivery.attempts == 2)

            let before = try await store.counts()
            #expect(await Self.completeStale(store, heldA, outbox: [Self.draft("late")], now: Self.t0 + 4) == false)
            #expect(await Self.completeStale(store, heldB, outbox: [Self.draft("late")], now: Self.t0 + 4) == false)
            #expect(try await store.counts() == before)
            #expect(before.queuedTurns == 2)
            for claim in [againA, againB] { #expect(try await store.completeTurn(claim, outbox: [], now: Self.t0 + 5)) }
            let after = try await store.counts()
            #expect(after.unhandledMessages == 0)
            #expect(after.queuedTurns == 0)
        }
    }

    // MARK: - 9. Migrations

    @Test("migrate is idempotent, also when started concurrently, and keeps the data", arguments: StoreConformanceTests.backends)
    func migrationsAreIdempotent(_ backend: Backend) async throws {
        try await Self.withStore(backend, migrated: false) { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 { group.addTask { try await store.migrate() } }
                try await group.waitForAll()
            }
            let outcomes = try await store.ingest([Self.inbound("chat-a", "a1", "kept")], debounceMillis: 0)
            #expect(outcomes.compactMap(\.storedIDs).count == 1)
            try await store.migrate()
            try await store.migrate()
            try await store.ping()
            #expect(try await store.counts().inboundMessages == 1)
            let claim = try #require(try await store.claimTurn(worker: "w", now: Self.t0, leaseMillis: Self.lease))
            #expect(claim.turn.messages.map(\.text) == ["kept"])
        }
    }

    @Test(
        "the PostgreSQL store answers",
        .enabled(if: StoreConformanceTests.postgresURL != nil, "ATENDE_TEST_POSTGRES_URL is not set: PostgreSQL conformance cases skipped")
    )
    func postgresAnswers() async throws {
        try await Self.withStore(.postgres) { store in try await store.ping() }
    }

    /// The plans of the claims as the claim pool makes them, with thousands of turns and
    /// deliveries queued and no statistics yet (a new install, a campaign): the queue is walked in
    /// index order to the first free item, never read whole and sorted.
    @Test(
        "PostgreSQL claims walk the queue in index order, also before there are statistics",
        .enabled(if: StoreConformanceTests.postgresURL != nil, "ATENDE_TEST_POSTGRES_URL is not set: PostgreSQL conformance cases skipped")
    )
    func postgresClaimsDoNotSortTheQueue() async throws {
        try await Self.withStore(.postgres) { store in
            let database = try #require((store as? SQLGatewayStore)?.database)
            for batch in 0..<6 {
                let items = (0..<500).map { Self.inbound("chat-\(batch)-\($0)", "evt-\(batch)-\($0)", "oi") }
                _ = try await store.ingest(items, debounceMillis: 0)
            }
            let turnPlan = try await database.claim(ExplainClaimTurn.self, [.int(Self.t0), .text("w"), .int(Self.t0 + Self.lease), .int(Int64.max)])
            let deliveryPlan = try await database.claim(ExplainClaimDelivery.self, [.int(Self.t0), .text("[]"), .text("w"), .int(Self.t0 + Self.lease)])
            for (name, plan) in [("turn", turnPlan), ("delivery", deliveryPlan)] {
                let lines = plan.compactMap { $0.string(0) }
                #expect(!lines.isEmpty)
                #expect(!lines.contains { $0.contains("Sort") }, "the \(name) claim sorts the queue:\n\(lines.joined(separator: "\n"))")
            }
        }
    }

    enum ExplainClaimTurn: FrequentStatement {
        static let sql = "EXPLAIN " + ClaimTurnStatement.sql
    }

    enum ExplainClaimDelivery: FrequentStatement {
        static let sql = "EXPLAIN " + ClaimDeliveryStatement.sql
    }
}

// MARK: - Helpers

extension StoreConformanceTests {
    /// A text message; the sender defaults to the chat's one contact ("user-<chat>", named "User <chat>").
    static func inbound(
        _ chat: String, _ eventID: String, _ text: String, at time: Int64 = t0, channel: String = "telegram", sender: String? = nil
    ) -> IngestItem {
        IngestItem(
            channelID: channel,
            event: InboundEvent(
                kind: .message, platformEventID: eventID, conversation: chat,
                sender: sender.map { Sender(id: $0, name: $0) } ?? Sender(id: "user-\(chat)", name: "User \(chat)"), text: text
            ),
            traceID: "trace-\(eventID)",
            receivedAt: time
        )
    }

    static func event(
        _ kind: InboundEvent.Kind, _ chat: String, _ eventID: String, text: String = "", target: String? = nil, status: String? = nil, at time: Int64 = t0
    ) -> IngestItem {
        IngestItem(
            channelID: "telegram",
            event: InboundEvent(
                kind: kind, platformEventID: eventID, conversation: chat, sender: Sender(id: "user-\(chat)"), text: text, target: target, status: status
            ),
            traceID: "trace-\(eventID)",
            receivedAt: time
        )
    }

    static func draft(_ text: String, chat: String = "chat-a") -> OutboxDraft {
        OutboxDraft(
            action: "send_text", values: ["chat_id": .string(chat), "text": .string(text)], replyText: text, traceID: "trace-\(text)"
        )
    }

    /// `completeTurn` for a claim whose lease was lost. The contract is to return `false`; a thrown
    /// error is recorded as a failure here (and gives `nil`) so the test still checks that nothing changed.
    static func completeStale(_ store: any GatewayStore, _ claim: ClaimedTurn, outbox: [OutboxDraft], now: Int64) async -> Bool? {
        do {
            return try await store.completeTurn(claim, outbox: outbox, now: now)
        } catch {
            Issue.record("completeTurn with a lost lease must return false, not throw: \(error)")
            return nil
        }
    }

    /// Runs `body` with a fresh store of its own: a new SQLite file, or a new PostgreSQL database
    /// that is dropped afterwards.
    static func withStore(
        _ backend: Backend, migrated: Bool = true, _ body: @escaping @Sendable (any GatewayStore) async throws -> Void
    ) async throws {
        let run: @Sendable (SQLGatewayStore) async throws -> Void = { store in
            if migrated { try await store.migrate() }
            try await body(store)
        }
        switch backend {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("atende-store-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let opened = try await OpenedStore.open(url: directory.appendingPathComponent("t.sqlite").path, logger: logger)
            try await opened.withRunning(run)
        case .postgres:
            let base = try #require(postgresURL, "ATENDE_TEST_POSTGRES_URL is not set")
            guard var components = URLComponents(string: base), let host = components.host else {
                preconditionFailure("ATENDE_TEST_POSTGRES_URL is not a URL: \(base)")
            }
            precondition(
                host == "127.0.0.1" || host == "localhost",
                "ATENDE_TEST_POSTGRES_URL must name a throwaway server on 127.0.0.1 or localhost; the tests create and drop databases there"
            )
            let name = "atende_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20).lowercased()
            components.path = "/" + name
            let url = try #require(components.string)
            try await postgresAdmin(base, "CREATE DATABASE \(name)")
            do {
                let opened = try await OpenedStore.open(url: url, logger: logger)
                try await opened.withRunning(run)
            } catch {
                try? await postgresAdmin(base, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
                throw error
            }
            try await postgresAdmin(base, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
    }

    /// Runs one statement outside a transaction (`CREATE DATABASE` refuses to run inside one).
    static func postgresAdmin(_ url: String, _ sql: String) async throws {
        let admin = try await OpenedStore.open(url: url, logger: logger)
        let postgres = try #require(admin.postgres)
        try await admin.withRunning { _ in
            _ = try await postgres.statement(durable: false, sql, [])
        }
    }
}

/// What the concurrent claimers saw, checked after they finish.
actor ClaimBook {
    private(set) var isIngestFinished = false
    private var held: Set<Int64> = []
    private var overlaps: [Int64] = []
    private var emptyTurns = 0
    private var foreignMessages: [String] = []
    private var outOfOrder: [[Int64]] = []
    /// Message ids per conversation, in the order the claims happened.
    private var handled: [Int64: [Int64]] = [:]

    func finishIngesting() { isIngestFinished = true }

    func claimed(_ claim: ClaimedTurn) {
        let conversation = claim.turn.conversation
        if !held.insert(conversation.id).inserted { overlaps.append(conversation.id) }
        let ids = claim.turn.messages.map(\.id)
        if ids.isEmpty { emptyTurns += 1 }
        if ids != ids.sorted() || Set(ids).count != ids.count { outOfOrder.append(ids) }
        foreignMessages += claim.turn.messages.map(\.text).filter { !$0.hasPrefix(conversation.platformChatID + " #") }
        handled[conversation.id, default: []] += ids
    }

    func completing(_ claim: ClaimedTurn) {
        held.remove(claim.turn.conversation.id)
    }

    func report() -> (overlaps: [Int64], emptyTurns: Int, foreignMessages: [String], outOfOrder: [[Int64]], handled: [Int64: [Int64]]) {
        (overlaps, emptyTurns, foreignMessages, outOfOrder, handled)
    }
}

extension IngestOutcome {
    fileprivate var storedIDs: (messageID: Int64, conversationID: Int64)? {
        if case .stored(let messageID, let conversationID) = self { return (messageID, conversationID) }
        return nil
    }
}
