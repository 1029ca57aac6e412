import AtendeCore
import AtendeStorage
import Foundation
import Testing

/// LGPD on both stores: a person's export holds every row about them; erasure leaves nothing of
/// them and touches no one else; retention deletes only what is older than its cut-off. Also the
/// dead state of turns that keep failing.
@Suite(.serialized)
struct PersonalDataStoreTests {
    typealias Conformance = StoreConformanceTests
    static let t0 = Conformance.t0
    static let day: Int64 = 86_400_000
    static let anaPhone = "+5511988887777"
    static let brunoPhone = "+5521977776666"

    static func withStore(_ backend: Conformance.Backend, _ body: @escaping @Sendable (SQLGatewayStore) async throws -> Void) async throws {
        try await Conformance.withStore(backend) { store in
            try await body(try #require(store as? SQLGatewayStore))
        }
    }

    static func message(_ chat: String, _ event: String, _ text: String, phone: String, name: String, at time: Int64 = t0) -> IngestItem {
        IngestItem(
            channelID: "whatsapp",
            event: InboundEvent(kind: .message, platformEventID: event, conversation: chat, sender: Sender(id: phone, name: name, phone: phone), text: text),
            traceID: "trace-\(event)", receivedAt: time
        )
    }

    /// Ana and Bruno each write, get an answer with a trace, and book: Ana once in the past and once
    /// in the future, Bruno once in the future.
    static func fill(_ store: SQLGatewayStore) async throws -> (ana: Int64, bruno: Int64) {
        let anaChat = String(anaPhone.dropFirst())
        let brunoChat = String(brunoPhone.dropFirst())
        _ = try await store.ingest([
            message(anaChat, "a1", "oi, quero marcar corte amanhã", phone: anaPhone, name: "Ana Souza"),
            message(brunoChat, "b1", "quanto custa a escova?", phone: brunoPhone, name: "Bruno Lima"),
        ], debounceMillis: 0)
        for _ in 0..<2 {
            let claim = try #require(try await store.claimTurn(worker: "w", now: t0, leaseMillis: 60_000))
            let who = claim.turn.conversation.platformChatID == anaChat ? "Ana" : "Bruno"
            var trace = ReplyTrace(decision: "routed", agent: "geral")
            trace.model = "offline"
            let draft = OutboxDraft(
                action: "send_text", values: ["conversation": .string(claim.turn.conversation.platformChatID), "text": .string("Olá \(who)!")],
                replyText: "Olá \(who)!", traceID: "t-\(who)"
            )
            var memory = ConversationMemory()
            memory.contactName = who
            memory.lastQuestion = claim.turn.messages.first?.text
            #expect(try await store.completeTurn(claim, result: TurnResult(outbox: [draft], memory: memory, trace: trace), now: t0 + 1000))
        }
        var conversations: [Int64] = []
        for chat in [anaChat, brunoChat] {
            conversations.append(try #require(try await store.conversation(channelID: "whatsapp", platformChatID: chat)).id)
        }
        func claim(_ conversation: Int64, at start: Int64) -> SlotClaim {
            SlotClaim(conversationID: conversation, service: "corte", startsAt: start, endsAt: start + 3_600_000, bufferMillis: 0, capacity: 1, replacing: nil)
        }
        let follow = BookingFollowUps(syncCalendar: true)
        #expect(try await store.book(claim(conversations[0], at: t0 - 2 * day), contact: BookingContact(name: "Ana Souza", email: "ana@example.com"), followUps: follow, now: t0 - 3 * day) != nil)
        #expect(try await store.book(claim(conversations[0], at: t0 + 2 * day), contact: BookingContact(name: "Ana Souza", email: "ana@example.com"), followUps: follow, now: t0) != nil)
        #expect(try await store.book(claim(conversations[1], at: t0 + 3 * day), contact: BookingContact(name: "Bruno Lima"), followUps: follow, now: t0) != nil)
        let ana = try await store.contactIDs(matching: "(11) 98888-7777")
        let bruno = try await store.contactIDs(matching: brunoPhone)
        #expect(ana.count == 1 && bruno.count == 1)
        return (try #require(ana.first), try #require(bruno.first))
    }

    /// Every text value of every row of every table, to look for a person's traces anywhere.
    static func everything(_ store: SQLGatewayStore) async throws -> String {
        let tables = ["contacts", "conversations", "messages", "reply_traces", "outbox", "jobs", "bookings"]
        return try await store.database.transaction(durable: false) { session in
            var text = ""
            for table in tables {
                for row in try await session.query("SELECT * FROM \(table)", []) {
                    text += row.values.map { value in
                        switch value {
                        case .text(let string): string
                        case .int(let number): String(number)
                        case .null: ""
                        }
                    }.joined(separator: "|") + "\n"
                }
            }
            return text
        }
    }

    @Test("an export holds every row about the person and nothing about anyone else", arguments: Conformance.backends)
    func exportHoldsEverythingAboutThePerson(_ backend: Conformance.Backend) async throws {
        try await Self.withStore(backend) { store in
            let (ana, _) = try await Self.fill(store)
            let document = try await store.exportContacts([ana], now: Self.t0)
            let text = document.encodedString()
            for part in ["contacts", "conversations", "messages", "traces", "bookings", "outbox", "jobs"] {
                guard case .array(let rows)? = document.value(at: part) else {
                    Issue.record("the export has no \(part) list")
                    continue
                }
                #expect(!rows.isEmpty, "the export's \(part) is empty")
            }
            #expect(text.contains("Ana Souza"))
            #expect(text.contains("oi, quero marcar corte amanhã"))
            #expect(text.contains("Olá Ana!"))
            #expect(text.contains("ana@example.com"))
            #expect(document.value(at: "conversations.0.memory.contactName")?.scalarText == "Ana", "memory is exported as JSON, not as a string")
            #expect(!text.contains("Bruno"))
            #expect(!text.contains("escova"))
        }
    }

    @Test("erasure leaves nothing of the person, cancels future bookings, keeps others, and the number starts fresh", arguments: Conformance.backends)
    func eraseLeavesNothingOfThePerson(_ backend: Conformance.Backend) async throws {
        try await Self.withStore(backend) { store in
            let (ana, bruno) = try await Self.fill(store)
            let brunoBefore = try await store.exportContacts([bruno], now: Self.t0)
            let erased = try await store.eraseContacts([ana], syncCalendar: true, now: Self.t0 + 5000)
            #expect(erased.messages == 2, "Ana's message and the reply to her")
            #expect(erased.traces == 1)
            #expect(erased.outboxEntries == 1)
            #expect(erased.bookingsCancelled == 1)
            #expect(erased.bookingsAnonymized == 1)

            let left = try await Self.everything(store)
            for trace in ["Ana", "ana@example.com", "98888", "988887777", "quero marcar", "Olá Ana"] {
                #expect(!left.contains(trace), "'\(trace)' is still stored after erasure")
            }
            // Bruno is untouched, apart from the export's time.
            let brunoAfter = try await store.exportContacts([bruno], now: Self.t0)
            #expect(brunoAfter == brunoBefore)
            // The future booking is cancelled and its calendar event will be removed; the past one stays, nameless.
            let bookings = try await store.bookings(from: Self.t0 - 3 * Self.day, to: Self.t0 + 4 * Self.day)
            #expect(bookings.filter { $0.contactName == nil }.map(\.status).sorted { $0.rawValue < $1.rawValue } == [.cancelled, .confirmed])
            #expect(bookings.contains { $0.contactName == "Bruno Lima" && $0.status == .confirmed })
            var synced: [Booking] = []
            while let sync = try await store.claimCalendarSync(worker: "w", now: Self.t0 + 6000, leaseMillis: 60_000) {
                synced.append(sync.booking)
                try await store.finishCalendarSync(sync, error: nil, retryAt: nil, now: Self.t0 + 6000)
            }
            #expect(synced.contains { $0.status == .cancelled && $0.contactName == nil }, "the cancelled booking's calendar event is removed")
            // The same number writing again is a new contact with an empty conversation.
            #expect(try await store.contactIDs(matching: Self.anaPhone).isEmpty)
            _ = try await store.ingest([Self.message("5511988887777", "a2", "oi de novo", phone: Self.anaPhone, name: "Ana")], debounceMillis: 0)
            let fresh = try await store.contactIDs(matching: Self.anaPhone)
            #expect(fresh.count == 1 && fresh != [ana])
            let claim = try #require(try await store.claimTurn(worker: "w", now: Self.t0 + 7000, leaseMillis: 60_000))
            #expect(claim.turn.messages.map(\.text) == ["oi de novo"])
            #expect(claim.turn.history.isEmpty)
            #expect(claim.turn.memory == ConversationMemory())
        }
    }

    @Test("retention deletes only what is older than each cut-off, and never an unanswered message", arguments: Conformance.backends)
    func retentionDeletesOnlyWhatIsOlder(_ backend: Conformance.Backend) async throws {
        try await Self.withStore(backend) { store in
            _ = try await store.ingest([Self.message("5511911112222", "old", "mensagem antiga", phone: "+5511911112222", name: "Cris", at: Self.t0 - 400 * Self.day)], debounceMillis: 0)
            let old = try #require(try await store.claimTurn(worker: "w", now: Self.t0 - 400 * Self.day, leaseMillis: 60_000))
            var trace = ReplyTrace(decision: "routed")
            trace.agent = "geral"
            #expect(try await store.completeTurn(old, result: TurnResult(outbox: [Conformance.draft("resposta antiga")], trace: trace), now: Self.t0 - 400 * Self.day))
            let oldDelivery = try #require(try await store.claimDelivery(worker: "d", now: Self.t0 - 400 * Self.day, leaseMillis: 60_000))
            try await store.markDelivered(oldDelivery, platformMessageID: "p1", now: Self.t0 - 400 * Self.day)
            _ = try await store.ingest([
                Self.message("5511911112222", "unanswered", "ainda sem resposta", phone: "+5511911112222", name: "Cris", at: Self.t0 - 380 * Self.day),
                Self.message("5511933334444", "new", "mensagem nova", phone: "+5511933334444", name: "Davi", at: Self.t0 - 10 * Self.day),
            ], debounceMillis: 0)

            let result = try await store.deleteExpired(messagesBefore: Self.t0 - 365 * Self.day, tracesBefore: Self.t0 - 90 * Self.day)
            #expect(result.messages == 2, "the old message and its reply")
            #expect(result.traces == 1)
            #expect(result.outboxEntries == 1)
            let left = try await Self.everything(store)
            #expect(!left.contains("mensagem antiga") && !left.contains("resposta antiga"))
            #expect(left.contains("ainda sem resposta"), "an unanswered message is kept until it is answered")
            #expect(left.contains("mensagem nova"))
            // Nothing is older any more: a second run deletes nothing.
            #expect(try await store.deleteExpired(messagesBefore: Self.t0 - 365 * Self.day, tracesBefore: Self.t0 - 90 * Self.day) == RetentionResult(messages: 0, traces: 0, outboxEntries: 0, jobs: 0))
        }
    }

    @Test("the daily retention job is claimed by one worker at a time and comes back a day later", arguments: Conformance.backends)
    func retentionJobRunsOncePerDay(_ backend: Conformance.Backend) async throws {
        try await Self.withStore(backend) { store in
            let job = try #require(try await store.claimRetention(worker: "a", now: Self.t0, leaseMillis: 60_000))
            #expect(try await store.claimRetention(worker: "b", now: Self.t0 + 1, leaseMillis: 60_000) == nil)
            try await store.finishRetention(job, error: nil, nextRunAt: Self.t0 + Self.day, now: Self.t0 + 10)
            #expect(try await store.claimRetention(worker: "b", now: Self.t0 + Self.day - 1, leaseMillis: 60_000) == nil)
            let next = try #require(try await store.claimRetention(worker: "b", now: Self.t0 + Self.day, leaseMillis: 60_000))
            #expect(next.jobID != job.jobID)
            // A run whose worker died is taken over once its lease expires; the late one finishes nothing.
            let takenOver = try #require(try await store.claimRetention(worker: "c", now: Self.t0 + Self.day + 60_001, leaseMillis: 60_000))
            #expect(takenOver.jobID == next.jobID)
            try await store.finishRetention(next, error: nil, nextRunAt: Self.t0 + 2 * Self.day, now: Self.t0 + Self.day + 60_002)
            try await store.finishRetention(takenOver, error: nil, nextRunAt: Self.t0 + 2 * Self.day, now: Self.t0 + Self.day + 60_003)
            #expect(try await store.claimRetention(worker: "d", now: Self.t0 + 2 * Self.day, leaseMillis: 60_000) != nil)
            #expect(try await store.claimRetention(worker: "e", now: Self.t0 + 2 * Self.day, leaseMillis: 60_000) == nil, "one chain of daily runs")
        }
    }

    @Test("a parked turn is dead with its reason, its messages stay stored, the next message is answered, and a replay queues it again", arguments: Conformance.backends)
    func parkedTurnsAreDeadUntilReplayed(_ backend: Conformance.Backend) async throws {
        try await Self.withStore(backend) { store in
            _ = try await store.ingest([Conformance.inbound("chat-p", "p1", "veneno")], debounceMillis: 0)
            let claim = try #require(try await store.claimTurn(worker: "w", now: Self.t0, leaseMillis: 60_000))
            #expect(try await store.parkTurn(claim, reason: "failed 3 times; last: boom", now: Self.t0 + 1))
            let dead = try await store.turnJobs(state: "dead", limit: 10)
            #expect(dead.map(\.lastError) == ["failed 3 times; last: boom"])
            #expect(dead.first?.messageIDs == claim.turn.messages.map(\.id))
            #expect(try await store.counts().deadTurns == 1)
            #expect(try await store.counts().inboundMessages == 1, "the message stays stored")
            #expect(try await store.claimTurn(worker: "w", now: Self.t0 + 2, leaseMillis: 60_000) == nil)
            // A stale claim cannot park or complete any more.
            #expect(try await store.parkTurn(claim, reason: "again", now: Self.t0 + 3) == false)

            _ = try await store.ingest([Conformance.inbound("chat-p", "p2", "oi", at: Self.t0 + 10)], debounceMillis: 0)
            let next = try #require(try await store.claimTurn(worker: "w", now: Self.t0 + 10, leaseMillis: 60_000))
            #expect(next.turn.messages.map(\.text) == ["oi"], "the parked message is not answered with the next one")
            #expect(try await store.completeTurn(next, outbox: [], now: Self.t0 + 11))

            let deadID = try #require(dead.first?.id)
            #expect(try await store.replayTurn(id: deadID, now: Self.t0 + 20))
            #expect(try await store.replayTurn(id: deadID, now: Self.t0 + 21) == false, "a turn is replayed once")
            let replayed = try #require(try await store.claimTurn(worker: "w", now: Self.t0 + 20, leaseMillis: 60_000))
            #expect(replayed.turn.messages.map(\.text) == ["veneno"])
            #expect(replayed.attempts == 1)
            #expect(try await store.turnJobs(state: "dead", limit: 10).isEmpty)
        }
    }

    @Test("a turn that takes the process down keeps counting its tries across starts, also when the contact writes meanwhile", arguments: Conformance.backends)
    func triesSurviveRestartsWithAQueuedTurn(_ backend: Conformance.Backend) async throws {
        try await Self.withStore(backend) { store in
            _ = try await store.ingest([Conformance.inbound("chat-r", "r1", "derruba")], debounceMillis: 0)
            for round in 0..<3 {
                #expect(try await store.claimTurn(worker: "w", now: Self.t0 + Int64(round), leaseMillis: 60_000)?.attempts == round + 1)
                // The contact writes while the turn runs; then the process dies.
                _ = try await store.ingest([Conformance.inbound("chat-r", "r-\(round)", "??", at: Self.t0 + Int64(round))], debounceMillis: 0)
                try await store.releaseAllLeases()
            }
            #expect(try await store.claimTurn(worker: "w", now: Self.t0 + 10, leaseMillis: 60_000)?.attempts == 4)
        }
    }

    @Test("parking a turn leaves the messages beyond its batch queued for a turn of their own", arguments: Conformance.backends)
    func parkingLeavesTheRestQueued(_ backend: Conformance.Backend) async throws {
        try await Self.withStore(backend) { store in
            let items = (0..<(SQLGatewayStore.turnMessageLimit + 5)).map { Conformance.inbound("chat-b", "b\($0)", "mensagem \($0)") }
            _ = try await store.ingest(items, debounceMillis: 0)
            let claim = try #require(try await store.claimTurn(worker: "w", now: Self.t0, leaseMillis: 60_000))
            #expect(claim.turn.messages.count == SQLGatewayStore.turnMessageLimit)
            #expect(try await store.parkTurn(claim, reason: "boom", now: Self.t0 + 1))
            let rest = try #require(try await store.claimTurn(worker: "w", now: Self.t0 + 2, leaseMillis: 60_000))
            #expect(rest.turn.messages.count == 5)
        }
    }

    @Test func aPersonIsNamedByIdPhoneOrChannelAndPlatformIdNeverAmbiguously() {
        #expect(ContactLookup("12") == .id(12))
        #expect(ContactLookup("id:12") == .id(12))
        #expect(ContactLookup("(11) 98888-7777") == .phone("+5511988887777"))
        #expect(ContactLookup("+55 11 98888-7777") == .phone("+5511988887777"))
        #expect(ContactLookup("cw:12") == .platform(channel: "cw", id: "12"))
        #expect(ContactLookup("tg:1234567890") == .platform(channel: "tg", id: "1234567890"))
        #expect(ContactLookup("id:abc") == nil)
        #expect(ContactLookup("") == nil)
        #expect(ContactLookup("not a phone") == nil)
    }

    @Test("a running turn's lease is renewed by its holder only", arguments: Conformance.backends)
    func leasesAreRenewedByTheirHolder(_ backend: Conformance.Backend) async throws {
        try await Self.withStore(backend) { store in
            _ = try await store.ingest([Conformance.inbound("chat-l", "l1", "pensando")], debounceMillis: 0)
            let claim = try #require(try await store.claimTurn(worker: "w", now: Self.t0, leaseMillis: 60_000))
            #expect(try await store.renewTurnLease(claim, until: Self.t0 + 120_000))
            // Past the first lease, the renewed one still holds: nobody else takes the turn.
            #expect(try await store.claimTurn(worker: "other", now: Self.t0 + 90_000, leaseMillis: 60_000) == nil)
            let takeover = try #require(try await store.claimTurn(worker: "other", now: Self.t0 + 120_001, leaseMillis: 60_000))
            #expect(try await store.renewTurnLease(claim, until: Self.t0 + 500_000) == false, "a lost lease is not renewed")
            #expect(try await store.completeTurn(takeover, outbox: [], now: Self.t0 + 120_002))
        }
    }
}
