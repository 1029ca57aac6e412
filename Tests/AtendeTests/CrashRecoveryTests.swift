import AsyncHTTPClient
import AtendeCore
import AtendeServer
import AtendeTestSupport
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Testing

/// The real `atende` binary, killed with SIGKILL while webhooks are in flight, then restarted:
/// every webhook that got a 2xx is answered.
///
/// Telegram offers no idempotency key, so a reply whose HTTP call was in flight at the instant of
/// the kill (sent, but not yet recorded as sent) goes out again after the restart. Only those can
/// repeat: at most one per delivery worker. Everything else is answered exactly once.
@Suite struct CrashRecoveryTests {
    @Test func acknowledgedWebhooksSurviveSIGKILL() async throws {
        let telegram = FakeTelegramAPI()
        let telegramServer = try await telegram.start()
        let directory = try Repository.temporaryDirectory()
        let config = directory + "/atende.yaml"
        try """
        server: { host: "127.0.0.1" }
        database: { url: "\(directory)/atende.sqlite" }
        pipeline: { poll_ms: 50, delivery_workers: 8 }
        log: { level: "warning" }
        paths: { adapters: "\(Repository.adapters)", prompts: "\(Repository.prompts)" }
        channels:
          - id: "tg"
            adapter: "telegram"
            settings: { token: "123:abc", webhook_secret: "s3cret", api_base: "\(telegramServer.baseURL)" }
        """.write(toFile: config, atomically: true, encoding: .utf8)

        let first = try await GatewayProcess.start(config: config)
        let acknowledged = NIOLockedValueBox<Set<Int64>>([])
        let total = 400
        let deliveryWorkers = 8
        let killAfter = 120
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Eight senders, each with its own chats, so every update starts a conversation of its own.
            for sender in 0..<8 {
                group.addTask {
                    for index in stride(from: sender, to: total, by: 8) {
                        let chat = Int64(5000 + index)
                        let body = try Repository.telegramUpdate("update-message-text.json", updateID: index + 1, chatID: chat, text: "oi")
                        guard let status = try? await GatewayProcess.post(body, port: first.port, secret: "s3cret") else { return }
                        if status == 200 { acknowledged.withLockedValue { _ = $0.insert(chat) } }
                    }
                }
            }
            group.addTask {
                try await eventually("\(killAfter) acknowledgements", seconds: 60) { acknowledged.withLockedValue { $0.count } >= killAfter }
                first.kill()
            }
            try await group.waitForAll()
        }
        let acked = acknowledged.withLockedValue { $0 }
        #expect(acked.count >= killAfter)
        #expect(acked.count < total, "the kill should land while webhooks are still arriving")

        let second = try await GatewayProcess.start(config: config)
        try await eventually("a reply to every acknowledged webhook", seconds: 60) {
            let answered = Set(telegram.sentMessages.compactMap { $0.body.value(at: "chat_id")?.scalarText.flatMap { Int64($0) } })
            return acked.isSubset(of: answered)
        }
        try await Task.sleep(for: .milliseconds(300))
        var repliesPerChat: [Int64: Int] = [:]
        for call in telegram.sentMessages {
            if let chat = call.body.value(at: "chat_id")?.scalarText.flatMap({ Int64($0) }) { repliesPerChat[chat, default: 0] += 1 }
        }
        let duplicated = repliesPerChat.filter { $0.value > 1 }
        #expect(duplicated.values.allSatisfy { $0 == 2 }, "no reply goes out more than twice: \(duplicated)")
        #expect(duplicated.count <= deliveryWorkers, "only deliveries in flight at the kill repeat: \(duplicated)")
        print("crash test: \(acked.count) acknowledged of \(total), all answered; \(duplicated.count) answered twice (in flight at the kill)")
        #expect(second.terminate() == 0, "SIGTERM should stop the gateway cleanly")
        try await telegramServer.stop()
    }
}

extension GatewayProcess {
    static func post(_ body: String, port: Int, secret: String) async throws -> Int {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/tg")
        request.method = .POST
        request.headers.add(name: "X-Telegram-Bot-Api-Secret-Token", value: secret)
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        _ = try await response.body.collect(upTo: 1 << 16)
        return Int(response.status.code)
    }
}

/// `atende check` on files with mistakes: every problem printed as `file:line: message`, exit 1.
@Suite struct CheckCommandTests {
    @Test func reportsEveryBrokenFileWithItsLine() throws {
        let directory = try Repository.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory + "/adapters", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/prompts", withIntermediateDirectories: true)
        let telegram = try String(contentsOfFile: Repository.adapters + "/telegram.yaml", encoding: .utf8)
        try telegram.write(toFile: directory + "/adapters/telegram.yaml", atomically: true, encoding: .utf8)
        try telegram.replacingOccurrences(of: "id: \"telegram\"", with: "id: \"broken\"\nsurprise: true")
            .write(toFile: directory + "/adapters/broken.yaml", atomically: true, encoding: .utf8)
        try "---\nid: \"geral\"\nname: \"X\"\nlanguage: \"pt\"\n---\nbody\n".write(toFile: directory + "/prompts/geral.md", atomically: true, encoding: .utf8)
        try "paths: { adapters: \"\(directory)/adapters\", prompts: \"\(directory)/prompts\" }\n"
            .write(toFile: directory + "/atende.yaml", atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: GatewayProcess.debugBinary)
        process.arguments = ["check", "--config", directory + "/atende.yaml"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(text.contains("ok      \(directory)/adapters/telegram.yaml"), "\(text)")
        let surpriseLine = try #require(telegram.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0 == "id: \"telegram\"" }) + 2
        #expect(text.contains("error   \(directory)/adapters/broken.yaml:\(surpriseLine): surprise: unknown key 'surprise'"), "\(text)")
        #expect(text.contains("error   \(directory)/prompts/geral.md"), "\(text)")
        #expect(text.contains("missing required key 'fallback'"), "\(text)")
    }
}
