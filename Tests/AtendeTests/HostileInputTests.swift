import AsyncHTTPClient
import AtendeCore
import AtendeServer
import AtendeTestSupport
import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// The real `atende` binary under hostile input: forged and malformed signatures, timestamps at
/// the edges of Int64, numbers where JSON has none, bodies too large, admin values out of range,
/// `#pausar` lengths that would overflow, dates millions of years away, clients that never finish
/// their request. Each is refused with the right status or handled, and the gateway stays up,
/// answers, and comes back after SIGKILL without a crash loop.
@Suite(.serialized) struct HostileInputTests {
    static let telegramSecret = "hostile-telegram-secret-01"
    static let chatwootSecret = "hostile-chatwoot-secret-01"
    static let adminToken = "hostile-admin-token-0123456789ab"
    static let notVerified = #"{"error":"not verified"}"#

    /// The chat the admin rows point at; a conversation there is made before the table.
    static let adminChat: Int64 = 910_001
    /// A signed Chatwoot contact message in the table whose reply proves the `cw` channel works.
    static let chatwootControlConversation: Int64 = 7_000

    // MARK: The table

    @Test func hostileRequestsAreRefusedAndTheGatewaySurvivesThemAndARestart() async throws {
        try await Self.withFakes { fakes in
            let config = try Self.writeConfig(fakes)
            let first = try await GatewayProcess.start(config: config)
            let firstBase = "http://127.0.0.1:\(first.port)"

            // The pipeline answers before anything hostile arrives, and the admin rows have a conversation.
            try await Self.expectAnswered(chat: Self.adminChat, updateID: 1, base: firstBase, telegram: fakes.telegram)

            let rows = try Self.table()
            for row in rows {
                await Self.run(row, base: firstBase)
            }

            // Still alive and still answering, on both channels.
            #expect(try await Self.request(.GET, firstBase + "/healthz").status == 200)
            try await Self.expectAnswered(chat: 910_002, updateID: 2, base: firstBase, telegram: fakes.telegram)
            let controlPath = "/api/v1/accounts/2/conversations/\(Self.chatwootControlConversation)/messages"
            try await eventually("a reply to the signed Chatwoot contact message", seconds: 30) {
                fakes.chatwoot.calls.contains { $0.path == controlPath }
            }

            // SIGKILL, then the same config and database: turns the table queued are claimed again
            // and must not crash the new process.
            first.kill()
            let second = try await GatewayProcess.start(config: config)
            let secondBase = "http://127.0.0.1:\(second.port)"
            #expect(try await Self.request(.GET, secondBase + "/healthz").status == 200)
            // Leases of turns running at the kill expire after pipeline.lease_ms (20 s).
            try await eventually("every turn and delivery from before the kill to finish", seconds: 90) {
                let queued = try await Self.adminList(secondBase, "/admin/turns?state=queued")
                let running = try await Self.adminList(secondBase, "/admin/turns?state=running")
                let pending = try await Self.adminList(secondBase, "/admin/deliveries?state=pending")
                return queued.isEmpty && running.isEmpty && pending.isEmpty
            }
            let deadTurns = try await Self.adminList(secondBase, "/admin/turns?state=dead")
            #expect(deadTurns.isEmpty, "turns parked after failing on hostile input: \(deadTurns.map { $0.encodedString() })")
            let deadDeliveries = try await Self.adminList(secondBase, "/admin/deliveries?state=dead")
            #expect(deadDeliveries.isEmpty, "deliveries parked: \(deadDeliveries.map { $0.encodedString() })")
            #expect(try await Self.request(.GET, secondBase + "/healthz").status == 200, "the restarted gateway died working through the table's turns")
            try await Self.expectAnswered(chat: 910_003, updateID: 3, base: secondBase, telegram: fakes.telegram)
            #expect(try await Self.request(.GET, secondBase + "/healthz").status == 200)
            #expect(second.terminate() == 0, "SIGTERM should stop the gateway cleanly")
        }
    }

    struct Row: Sendable {
        var name: String
        var method: HTTPMethod
        var path: String
        var body: String?
        /// Computed when the row is sent, from the exact body: signatures over fresh timestamps.
        var headers: @Sendable (_ body: String) -> [(String, String)]
        var expected: Set<Int>
        /// The response body must be exactly this.
        var exactBody: String?
        /// The server may refuse by closing the connection (a head it will not parse).
        var connectionErrorIsFine: Bool
    }

    static func row(
        _ name: String, _ path: String, body: String?, headers: @escaping @Sendable (String) -> [(String, String)],
        expect: Set<Int>, exactBody: String? = nil, connectionErrorIsFine: Bool = false
    ) -> Row {
        Row(name: name, method: .POST, path: path, body: body, headers: headers, expected: expect, exactBody: exactBody, connectionErrorIsFine: connectionErrorIsFine)
    }

    static func table() throws -> [Row] {
        var rows: [Row] = []
        var nextID = 1000
        func id() -> Int {
            nextID += 1
            return nextID
        }
        let tg = "/webhooks/tg"
        let cw = "/webhooks/cw"
        let signedTelegram = telegramHeaders(telegramSecret)

        // ---- Chatwoot: forged signatures with timestamps no parser or clock should trip on.
        let chatwootText = try chatwootBody("message_created-api-inbox-via-evolution.json", messageID: Int64(id()), conversation: 7_001, content: "oi")
        let forgedTimestamps: [(String, String)] = [
            ("Int64.min", "-9223372036854775808"),
            ("Int64.max", "9223372036854775807"),
            ("past Int64", "99999999999999999999999"),
            ("NaN", "NaN"),
            ("1e99", "1e99"),
            ("empty", ""),
            ("plus sign", "+1700000000"),
        ]
        for (label, timestamp) in forgedTimestamps {
            rows.append(row(
                "chatwoot sha256=00, timestamp \(label)", cw, body: chatwootText,
                headers: chatwootHeaders(timestamp: timestamp, signature: "sha256=00"), expect: [401], exactBody: notVerified
            ))
        }
        // Correctly signed, so only the timestamp check stands between them and the store.
        for (label, timestamp) in [("Int64.min", "-9223372036854775808"), ("Int64.max", "9223372036854775807"), ("an hour old", "\(Int64(Date().timeIntervalSince1970) - 3600)")] {
            rows.append(row(
                "chatwoot signed, timestamp \(label)", cw, body: chatwootText,
                headers: chatwootHeaders(timestamp: timestamp), expect: [401], exactBody: notVerified
            ))
        }
        rows.append(row(
            "chatwoot without a signature", cw, body: chatwootText,
            headers: { _ in [("Content-Type", "application/json"), ("X-Chatwoot-Timestamp", "\(Int64(Date().timeIntervalSince1970))")] },
            expect: [401], exactBody: notVerified
        ))
        rows.append(row(
            "chatwoot signed over the body alone", cw, body: chatwootText,
            headers: { body in
                let stamp = "\(Int64(Date().timeIntervalSince1970))"
                return [("Content-Type", "application/json"), ("X-Chatwoot-Timestamp", stamp), ("X-Chatwoot-Signature", "sha256=" + hmacHex(body, key: chatwootSecret))]
            },
            expect: [401], exactBody: notVerified
        ))
        rows.append(row(
            "chatwoot 70 KB timestamp header", cw, body: chatwootText,
            headers: chatwootHeaders(timestamp: String(repeating: "9", count: 70_000), signature: "sha256=00"),
            expect: Set(400..<500), connectionErrorIsFine: true
        ))
        rows.append(row(
            "150 headers", cw, body: chatwootText,
            headers: { body in chatwootHeaders()(body) + (0..<150).map { ("X-Filler-\($0)", "x") } },
            expect: Set(400..<500), connectionErrorIsFine: true
        ))
        rows.append(row("chatwoot signed, not JSON", cw, body: "this is { not json", headers: chatwootHeaders(), expect: [400]))
        // The control: a correct signature passes, so the 401s above are about what they forge.
        rows.append(row(
            "chatwoot signed contact message (control)", cw,
            body: try chatwootBody("message_created-api-inbox-via-evolution.json", messageID: Int64(id()), conversation: chatwootControlConversation, content: "oi"),
            headers: chatwootHeaders(), expect: [200]
        ))

        // ---- Chatwoot: an agent pausing the bot for longer than any clock holds.
        for (index, command) in ["#pausar 9223372036854775807m", "#pausar 999999999999d", "#pausar -5h", "#pausar 1e99h", "#pausar 99999999999999999999999999999h"].enumerated() {
            rows.append(row(
                "chatwoot agent '\(command)'", cw,
                body: try chatwootBody("message_created-outgoing-agent.constructed.json", messageID: Int64(id()), conversation: Int64(7_100 + index), content: command),
                headers: chatwootHeaders(), expect: [200]
            ))
        }
        // ---- Chatwoot: a contact asking for a date no calendar reaches.
        for (index, text) in ["next 999999999 years", "quero marcar para o ano 292277026596", "in 9223372036854775807 days at 10am"].enumerated() {
            rows.append(row(
                "chatwoot contact '\(text)'", cw,
                body: try chatwootBody("message_created-api-inbox-via-evolution.json", messageID: Int64(id()), conversation: Int64(7_200 + index), content: text),
                headers: chatwootHeaders(), expect: [200]
            ))
        }

        // ---- Telegram: the secret header.
        let telegramText = try Repository.telegramUpdate("update-message-text.json", updateID: id(), chatID: 910_100, text: "oi")
        rows.append(row("telegram wrong secret", tg, body: telegramText, headers: telegramHeaders("wrong-secret-wrong-secret"), expect: [401], exactBody: notVerified))
        rows.append(row("telegram empty secret", tg, body: telegramText, headers: telegramHeaders(""), expect: [401], exactBody: notVerified))
        rows.append(row("telegram no secret", tg, body: telegramText, headers: telegramHeaders(nil), expect: [401], exactBody: notVerified))
        rows.append(row("telegram secret prefix", tg, body: telegramText, headers: telegramHeaders(String(telegramSecret.dropLast())), expect: [401], exactBody: notVerified))
        rows.append(row(
            "telegram secret in the URL instead of the header", tg + "/" + telegramSecret, body: telegramText,
            headers: telegramHeaders(nil), expect: [401], exactBody: notVerified
        ))
        rows.append(row("unknown channel", "/webhooks/nope", body: telegramText, headers: signedTelegram, expect: [404]))

        // ---- Telegram, correctly authenticated: numbers JSON allows but Int64 does not hold, and literals JSON does not allow.
        let numbers: [(label: String, path: [String], literal: String, expect: Set<Int>)] = [
            ("update_id 10^30", ["update_id"], "1000000000000000000000000000000", [200, 400]),
            ("update_id 1.5", ["update_id"], "1.5", [200, 400]),
            ("update_id 1e400 (infinite as a Double)", ["update_id"], "1e400", [200, 400]),
            ("update_id -0", ["update_id"], "-0", [200, 400]),
            ("chat.id 1e300", ["message", "chat", "id"], "1e300", [200, 400]),
            ("from.id 1.5", ["message", "from", "id"], "1.5", [200, 400]),
            ("update_id NaN", ["update_id"], "NaN", [400]),
            ("update_id Infinity", ["update_id"], "Infinity", [400]),
            ("chat.id -Infinity", ["message", "chat", "id"], "-Infinity", [400]),
            ("update_id 01 (leading zero)", ["update_id"], "01", [400]),
        ]
        for (index, number) in numbers.enumerated() {
            rows.append(row(
                "telegram \(number.label)", tg,
                body: try telegramWithLiteral(number.literal, at: number.path, updateID: id(), chat: Int64(910_200 + index)),
                headers: signedTelegram, expect: number.expect
            ))
        }
        rows.append(row("telegram 2 MB body", tg, body: #"{"update_id":1,"pad":""# + String(repeating: "a", count: 2 << 20) + #""}"#, headers: signedTelegram, expect: [413]))
        rows.append(row("telegram not JSON", tg, body: "definitely not json", headers: signedTelegram, expect: [400]))
        rows.append(row("telegram empty body", tg, body: "", headers: signedTelegram, expect: [400]))
        rows.append(row("telegram 100 000 nested arrays", tg, body: String(repeating: "[", count: 100_000), headers: signedTelegram, expect: [400]))
        rows.append(row("telegram 50 000 nested objects", tg, body: String(repeating: #"{"a":"#, count: 50_000) + "1" + String(repeating: "}", count: 50_000), headers: signedTelegram, expect: [400]))

        // ---- Telegram: a contact asking for a date far away.
        for (index, text) in ["quero marcar nos próximos 999999999 anos", "next 999999999 years", "daqui a 99999999999999999999 dias às 25:61", "dia 31/02/99999999999"].enumerated() {
            rows.append(row(
                "telegram contact '\(text)'", tg,
                body: try Repository.telegramUpdate("update-message-text.json", updateID: id(), chatID: Int64(910_300 + index), text: text),
                headers: signedTelegram, expect: [200]
            ))
        }

        // ---- Admin: pause lengths are a JSON integer 1…525600, and the token is required.
        let owner = "/admin/conversations/tg/\(adminChat)/owner"
        let admin = adminHeaders(adminToken)
        let badMinutes = ["9223372036854775807", "99999999999999999999", "-5", "0", "1.5", #""abc""#, #""60""#, "1e99", "525601", "null", "true", "[60]"]
        for minutes in badMinutes {
            rows.append(row("admin pause minutes \(minutes)", owner, body: #"{"owner":"paused","minutes":\#(minutes)}"#, headers: admin, expect: [400]))
        }
        rows.append(row("admin owner not JSON", owner, body: "owner=paused", headers: admin, expect: [400]))
        rows.append(row("admin unknown owner", owner, body: #"{"owner":"god"}"#, headers: admin, expect: [400]))
        rows.append(row("admin body over 4 KB", owner, body: #"{"owner":"paused","pad":""# + String(repeating: "a", count: 8192) + #""}"#, headers: admin, expect: [400, 413]))
        rows.append(row("admin without a token", owner, body: #"{"owner":"paused","minutes":60}"#, headers: adminHeaders(nil), expect: [401]))
        rows.append(row("admin wrong token", owner, body: #"{"owner":"paused","minutes":60}"#, headers: adminHeaders("x" + String(adminToken.dropFirst())), expect: [401]))
        rows.append(row(
            "admin token as Basic", owner, body: #"{"owner":"paused","minutes":60}"#,
            headers: { _ in [("Content-Type", "application/json"), ("Authorization", "Basic " + adminToken)] }, expect: [401]
        ))
        // The controls: the bounds themselves are accepted.
        rows.append(row("admin pause minutes 1", owner, body: #"{"owner":"paused","minutes":1}"#, headers: admin, expect: [200]))
        rows.append(row("admin pause minutes 525600", owner, body: #"{"owner":"paused","minutes":525600}"#, headers: admin, expect: [200]))
        return rows
    }

    static func run(_ row: Row, base: String) async {
        do {
            // AsyncHTTPClient traps when a server answers before the request head is sent, as a
            // server refusing an oversized head does: those rows go over a plain socket.
            let answer = row.connectionErrorIsFine
                ? try await rawRequest(row.method, base, row.path, headers: row.headers(row.body ?? ""), body: row.body ?? "")
                : try await request(row.method, base + row.path, headers: row.headers(row.body ?? ""), body: row.body)
            #expect(row.expected.contains(answer.status), "\(row.name): got \(answer.status) \(answer.body.prefix(300))")
            if let exact = row.exactBody {
                #expect(answer.body == exact, "\(row.name): the body says more than it should")
            }
        } catch {
            // A server that hangs on a request is no refusal.
            if row.connectionErrorIsFine { return }
            Issue.record("\(row.name): \(error)")
        }
    }

    // MARK: Failed verifications per client

    @Test func tooManyFailedVerificationsAreRefusedWith429() async throws {
        try await Self.withFakes { fakes in
            let config = try Self.writeConfig(fakes, failedVerificationsPerMinute: 3)
            let gateway = try await GatewayProcess.start(config: config)
            let url = "http://127.0.0.1:\(gateway.port)/webhooks/tg"
            // The gateway trusts 127.0.0.1 as a proxy, so X-Forwarded-For names the client.
            func post(updateID: Int, secret: String, client: String?) async throws -> Answer {
                let body = try Repository.telegramUpdate("update-message-text.json", updateID: updateID, chatID: Int64(920_000 + updateID), text: "oi")
                let headers = Self.telegramHeaders(secret)(body) + (client.map { [("X-Forwarded-For", $0)] } ?? [])
                return try await Self.request(.POST, url, headers: headers, body: body)
            }
            for attempt in 1...3 {
                let refused = try await post(updateID: attempt, secret: "wrong-secret-wrong-secret", client: "203.0.113.9")
                #expect(refused.status == 401, "attempt \(attempt)")
                #expect(refused.body == Self.notVerified)
            }
            let blocked = try await post(updateID: 4, secret: "wrong-secret-wrong-secret", client: "203.0.113.9")
            #expect(blocked.status == 429)
            let retryAfter = try #require(blocked.headers.first(name: "Retry-After"), "a 429 says when to come back")
            #expect(Int(retryAfter).map { (1...60).contains($0) } == true, "Retry-After: \(retryAfter)")
            // A verified request is never refused for its address: the platform's servers are shared,
            // and someone else's forgeries from them must not hold up the business's webhooks.
            #expect(try await post(updateID: 5, secret: Self.telegramSecret, client: "203.0.113.9").status == 200)
            #expect(try await post(updateID: 8, secret: "wrong-secret-wrong-secret", client: "203.0.113.9").status == 429)
            // Other clients' failures are counted apart.
            #expect(try await post(updateID: 6, secret: Self.telegramSecret, client: "203.0.113.10").status == 200)
            #expect(try await post(updateID: 7, secret: Self.telegramSecret, client: nil).status == 200)
            #expect(gateway.terminate() == 0)
        }
    }

    // MARK: Slow clients

    @Test func connectionsThatNeverFinishTheirRequestAreClosed() async throws {
        try await Self.withFakes { fakes in
            let config = try Self.writeConfig(fakes)
            let gateway = try await GatewayProcess.start(config: config)
            let partialHead = "POST /webhooks/tg HTTP/1.1\r\nHost: x\r\n"
            let partialBody = "POST /webhooks/tg HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"update_id\":"
            // 20 that never end their head (server.header_timeout_ms: 1000), 5 that never end their body (body_timeout_ms: 2000).
            var requests: [(text: String, timeout: Duration)] = []
            for _ in 0..<20 { requests.append((text: partialHead, timeout: .milliseconds(1000))) }
            for _ in 0..<5 { requests.append((text: partialBody, timeout: .milliseconds(2000))) }
            let closedAt = NIOLockedValueBox<[Int: ContinuousClock.Instant]>([:])
            var channels: [any Channel] = []
            var openedAt: [ContinuousClock.Instant] = []
            defer { for channel in channels { channel.close(promise: nil) } }
            for (index, slow) in requests.enumerated() {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.seconds(5))
                    .connect(host: "127.0.0.1", port: gateway.port)
                    .get()
                openedAt.append(.now)
                channels.append(channel)
                channel.closeFuture.whenComplete { _ in closedAt.withLockedValue { $0[index] = .now } }
                try await channel.writeAndFlush(ByteBuffer(string: slow.text))
            }
            try await eventually("the server to close all \(requests.count) slow connections", seconds: 10) {
                closedAt.withLockedValue { $0.count } == requests.count
            }
            let closes = closedAt.withLockedValue { $0 }
            for (index, slow) in requests.enumerated() {
                guard let closed = closes[index] else { continue }
                let held = closed - openedAt[index]
                // The kernel completes the connect before the server accepts and arms its deadline, so
                // counted from here the wait can only look longer; 200 ms covers scheduling jitter.
                #expect(held >= slow.timeout - .milliseconds(200), "connection \(index) closed after \(held), before its deadline")
                #expect(held <= slow.timeout + .seconds(5), "connection \(index) held for \(held)")
            }
            #expect(try await Self.request(.GET, "http://127.0.0.1:\(gateway.port)/healthz").status == 200)
            try await Self.expectAnswered(chat: 930_001, updateID: 1, base: "http://127.0.0.1:\(gateway.port)", telegram: fakes.telegram)
            #expect(gateway.terminate() == 0)
        }
    }

    // A signed Chatwoot delivery stored once across a store failure needs the store to fail on
    // cue, which a separate process cannot be made to do; it is tested in-process elsewhere.

    // MARK: Helpers

    struct Fakes: Sendable {
        let telegram: FakeTelegramAPI
        let telegramServer: BackgroundServer
        let chatwoot: FakePlatformAPI
        let chatwootServer: BackgroundServer
    }

    /// Runs `body` with a fake Telegram and a fake Chatwoot, stopping both however it ends.
    static func withFakes(_ body: (Fakes) async throws -> Void) async throws {
        let telegram = FakeTelegramAPI()
        let telegramServer = try await telegram.start()
        let chatwoot = FakePlatformAPI()
        let chatwootServer: BackgroundServer
        do {
            chatwootServer = try await chatwoot.start()
        } catch {
            try? await telegramServer.stop()
            throw error
        }
        do {
            try await body(Fakes(telegram: telegram, telegramServer: telegramServer, chatwoot: chatwoot, chatwootServer: chatwootServer))
        } catch {
            try? await chatwootServer.stop()
            try? await telegramServer.stop()
            throw error
        }
        try await chatwootServer.stop()
        try await telegramServer.stop()
    }

    /// A config with `tg` and `cw` pointed at the fakes, SQLite in a fresh temporary directory.
    static func writeConfig(_ fakes: Fakes, failedVerificationsPerMinute: Int = 1000) throws -> String {
        let directory = try Repository.temporaryDirectory()
        let config = directory + "/atende.yaml"
        try """
        server: { host: "127.0.0.1", header_timeout_ms: 1000, body_timeout_ms: 2000 }
        database: { url: "\(directory)/atende.sqlite" }
        pipeline: { poll_ms: 50, lease_ms: 20000, max_turn_attempts: 2 }
        prompts: { reload_ms: 0 }
        log: { level: "warning" }
        paths: { adapters: "\(Repository.adapters)", prompts: "\(Repository.prompts)" }
        admin: { token: "\(adminToken)" }
        limits: { failed_verifications_per_minute: \(failedVerificationsPerMinute) }
        channels:
          - id: "tg"
            adapter: "telegram"
            settings: { token: "123:abc", webhook_secret: "\(telegramSecret)", api_base: "\(fakes.telegramServer.baseURL)" }
          - id: "cw"
            adapter: "chatwoot"
            settings: { api_access_token: "bot-token", account_id: "2", webhook_secret: "\(chatwootSecret)", api_base: "\(fakes.chatwootServer.baseURL)" }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    struct UnexpectedAnswer: Error, CustomStringConvertible {
        var description: String
    }

    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: String
    }

    static func request(_ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: String? = nil) async throws -> Answer {
        var outgoing = HTTPClientRequest(url: url)
        outgoing.method = method
        for (name, value) in headers { outgoing.headers.add(name: name, value: value) }
        if let body { outgoing.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(20))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    /// One request written whole to a new connection; the answer's status line and body, as far
    /// as the server sends them before closing.
    static func rawRequest(_ method: HTTPMethod, _ base: String, _ path: String, headers: [(String, String)], body: String) async throws -> Answer {
        let port = Int(base.split(separator: ":").last ?? "") ?? 0
        var text = "\(method.rawValue) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n" + body
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try? await outbound.write(ByteBuffer(string: text))
            var received = ""
            for try await chunk in inbound { received += String(buffer: chunk) }
            let statusLine = received.split(separator: "\r\n").first ?? ""
            let parts = statusLine.split(separator: " ")
            guard parts.count >= 2, let status = Int(parts[1]) else { throw UnexpectedAnswer(description: "no HTTP answer: \(received.prefix(100))") }
            let answerBody = received.range(of: "\r\n\r\n").map { String(received[$0.upperBound...]) } ?? ""
            return Answer(status: status, headers: HTTPHeaders(), body: answerBody)
        }
    }

    /// An admin list (`/admin/turns`, `/admin/deliveries`) as its JSON items.
    static func adminList(_ base: String, _ path: String) async throws -> [JSONValue] {
        let answer = try await request(.GET, base + path, headers: [("Authorization", "Bearer " + adminToken)])
        guard answer.status == 200, case .array(let items)? = JSONValue.decode(answer.body) else {
            throw UnexpectedAnswer(description: "GET \(path) answered \(answer.status): \(answer.body)")
        }
        return items
    }

    /// Sends "oi" from `chat` on `tg` and waits for the fake Telegram to get a sendMessage to it.
    static func expectAnswered(chat: Int64, updateID: Int, base: String, telegram: FakeTelegramAPI) async throws {
        let body = try Repository.telegramUpdate("update-message-text.json", updateID: updateID, chatID: chat, text: "oi")
        let answer = try await request(.POST, base + "/webhooks/tg", headers: telegramHeaders(telegramSecret)(body), body: body)
        #expect(answer.status == 200, "\"oi\" from \(chat): \(answer.status) \(answer.body)")
        try await eventually("a reply to chat \(chat)", seconds: 30) {
            telegram.sentMessages.contains { $0.body.value(at: "chat_id")?.scalarText == String(chat) }
        }
    }

    static func telegramHeaders(_ secret: String?) -> @Sendable (String) -> [(String, String)] {
        { _ in [("Content-Type", "application/json")] + (secret.map { [("X-Telegram-Bot-Api-Secret-Token", $0)] } ?? []) }
    }

    static func adminHeaders(_ token: String?) -> @Sendable (String) -> [(String, String)] {
        { _ in [("Content-Type", "application/json")] + (token.map { [("Authorization", "Bearer " + $0)] } ?? []) }
    }

    /// Chatwoot's headers: `sha256=HMAC(secret, "{timestamp}.{body}")` unless `signature` forges one;
    /// the timestamp is now unless given; a new delivery id each time, so none is a replay.
    static func chatwootHeaders(timestamp: String? = nil, signature: String? = nil) -> @Sendable (String) -> [(String, String)] {
        { body in
            let stamp = timestamp ?? "\(Int64(Date().timeIntervalSince1970))"
            return [
                ("Content-Type", "application/json"),
                ("X-Chatwoot-Signature", signature ?? "sha256=" + hmacHex("\(stamp).\(body)", key: chatwootSecret)),
                ("X-Chatwoot-Timestamp", stamp),
                ("X-Chatwoot-Delivery", UUID().uuidString),
            ]
        }
    }

    static func hmacHex(_ message: String, key: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: Array(key.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }

    /// A real Chatwoot payload with its message id, conversation id and text replaced.
    static func chatwootBody(_ fixture: String, messageID: Int64, conversation: Int64, content: String) throws -> String {
        guard var json = JSONValue.decode(try Repository.fixture("chatwoot", fixture)) else { throw FixtureError() }
        json = setting(.int(messageID), at: ["id"], in: json)
        json = setting(.int(conversation), at: ["conversation", "id"], in: json)
        json = setting(.string(content), at: ["content"], in: json)
        return json.encodedString()
    }

    /// The Telegram text fixture with the value at `path` written as `literal`, verbatim: numbers
    /// JSONValue would never encode (10^30, 1e400) and words JSON does not have (NaN).
    static func telegramWithLiteral(_ literal: String, at path: [String], updateID: Int, chat: Int64) throws -> String {
        let marker = "@@hostile-literal@@"
        guard let json = JSONValue.decode(try Repository.telegramUpdate("update-message-text.json", updateID: updateID, chatID: chat, text: "oi")) else {
            throw FixtureError()
        }
        return setting(.string(marker), at: path[...], in: json).encodedString().replacingOccurrences(of: "\"\(marker)\"", with: literal)
    }

    static func setting(_ value: JSONValue, at path: ArraySlice<String>, in json: JSONValue) -> JSONValue {
        guard let key = path.first else { return value }
        guard case .object(var fields) = json else { return json }
        fields[key] = setting(value, at: path.dropFirst(), in: fields[key] ?? .object([:]))
        return .object(fields)
    }
}
