import ArgumentParser
import AsyncHTTPClient
import AtendeCore
import AtendeServer
import AtendeTestSupport
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Measures a release `atende serve` process from outside: webhooks over loopback in,
/// replies out to a fake Telegram API in this process.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atende-bench",
        abstract: "Benchmark durable ingest and end-to-end replies of a running atende binary."
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case ingest, e2e
    }

    @Option(help: "ingest: webhook POSTs answered 200 (workers off). e2e: webhook in to reply received.")
    var mode: Mode = .ingest

    @Option(help: "The atende binary to measure.")
    var binary = ".build/release/atende"

    @Option(help: "A postgres:// URL to use PostgreSQL; SQLite in a temporary directory otherwise.")
    var database: String?

    @Option(help: "Webhooks to send.")
    var requests = 20_000

    @Option(help: "Requests in flight at once (closed loop). Ignored with --rate.")
    var concurrency = 64

    @Option(help: "Send at this many webhooks per second (open loop) instead of as fast as possible.")
    var rate: Int?

    func run() async throws {
        let telegram = FakeTelegramAPI()
        let telegramServer = try await telegram.start()
        let directory = NSTemporaryDirectory() + "atende-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let root = FileManager.default.currentDirectoryPath
        // The gateway is measured, not Telegram's limits: the bench's copy of the adapter drops the
        // 30 messages/s channel ceiling (each bench chat gets one reply, so per-chat pacing never waits).
        let adapters = directory + "/adapters"
        try FileManager.default.createDirectory(atPath: adapters, withIntermediateDirectories: true)
        let telegramAdapter = try String(contentsOfFile: root + "/adapters/telegram.yaml", encoding: .utf8)
        try telegramAdapter.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("channel_per_second:") }
            .joined(separator: "\n")
            .write(toFile: adapters + "/telegram.yaml", atomically: true, encoding: .utf8)
        let config = directory + "/atende.yaml"
        try """
        server: { host: "127.0.0.1" }
        database: { url: "\(database ?? directory + "/atende.sqlite")" }
        pipeline: { run_workers: \(mode == .e2e), poll_ms: 200 }
        log: { level: "error" }
        paths: { adapters: "\(adapters)", prompts: "\(root)/prompts" }
        channels:
          - id: "tg"
            adapter: "telegram"
            settings: { token: "1:bench", webhook_secret: "bench-secret", api_base: "\(telegramServer.baseURL)" }
        """.write(toFile: config, atomically: true, encoding: .utf8)

        let gateway = try await GatewayProcess.start(binary: binary, config: config)
        defer { _ = gateway.terminate() }
        let runID = Int(Date().timeIntervalSince1970) % 100_000 * 1_000_000
        let bodies = try (0..<requests).map { index in
            try Repository.telegramUpdate(
                "update-message-text.json", updateID: runID + index, chatID: Int64(runID + index), text: "oi, tudo bem?"
            )
        }
        let url = "http://127.0.0.1:\(gateway.port)/webhooks/tg"
        // One connection per request in flight, as many clients of a platform would open.
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let latencies = NIOLockedValueBox<[Duration]>([])
        let sentAt = NIOLockedValueBox<[Int64: ContinuousClock.Instant]>([:])
        let failures = NIOLockedValueBox(0)
        let post: @Sendable (Int) async -> Void = { index in
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "X-Telegram-Bot-Api-Secret-Token", value: "bench-secret")
            request.body = .bytes(ByteBuffer(string: bodies[index]))
            let started = ContinuousClock.now
            sentAt.withLockedValue { $0[Int64(runID + index)] = started }
            do {
                let response = try await client.execute(request, timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 4096)
                if response.status == .ok {
                    let elapsed = ContinuousClock.now - started
                    latencies.withLockedValue { $0.append(elapsed) }
                } else {
                    failures.withLockedValue { $0 += 1 }
                }
            } catch {
                failures.withLockedValue { $0 += 1 }
            }
        }

        let started = ContinuousClock.now
        if let rate {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<requests {
                    let due = started + .nanoseconds(Int64(index) * 1_000_000_000 / Int64(rate))
                    if due > .now { try? await Task.sleep(until: due) }
                    group.addTask { await post(index) }
                }
            }
        } else {
            await withTaskGroup(of: Void.self) { group in
                let next = NIOLockedValueBox(0)
                for _ in 0..<concurrency {
                    group.addTask {
                        while true {
                            let index = next.withLockedValue { value -> Int in defer { value += 1 }; return value }
                            guard index < requests else { return }
                            await post(index)
                        }
                    }
                }
            }
        }
        let ingestElapsed = ContinuousClock.now - started
        let acknowledged = latencies.withLockedValue { $0 }
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; store: \(database == nil ? "SQLite" : "PostgreSQL"); mode: \(mode.rawValue)")
        print(String(format: "webhooks: %d sent, %d acknowledged, %d failed in %.2f s", requests, acknowledged.count, failures.withLockedValue { $0 }, ingestElapsed.seconds))
        print(String(format: "ingest: %.0f webhooks/s; latency p50 %.2f ms, p99 %.2f ms", Double(acknowledged.count) / ingestElapsed.seconds, percentile(acknowledged, 0.5), percentile(acknowledged, 0.99)))

        if mode == .e2e {
            let deadline = ContinuousClock.now + .seconds(120)
            while telegram.sentMessages.count < acknowledged.count, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let replies = telegram.sentMessages
            let sends = sentAt.withLockedValue { $0 }
            let endToEnd = replies.compactMap { call -> Duration? in
                guard let chat = call.body.value(at: "chat_id")?.scalarText.flatMap(Int64.init), let sent = sends[chat] else { return nil }
                return call.at - sent
            }
            let last = replies.map(\.at).max() ?? .now
            print(String(format: "end to end: %d replies in %.2f s = %.0f messages/s; webhook-to-reply p50 %.2f ms, p99 %.2f ms",
                replies.count, (last - started).seconds, Double(replies.count) / (last - started).seconds,
                percentile(endToEnd, 0.5), percentile(endToEnd, 0.99)))
        }
        try await client.shutdown()
        let cpu = gateway.cpuSeconds()
        print(String(format: "gateway CPU: %.2f s user + %.2f s system = %.0f µs per webhook", cpu.user, cpu.system,
            (cpu.user + cpu.system) * 1e6 / Double(max(acknowledged.count, 1))))
        let memory = gateway.memory()
        print("gateway memory: peak RSS \(memory.peakKiB / 1024) MiB, RSS now \(memory.currentKiB / 1024) MiB")
        try await telegramServer.stop()
    }

    func percentile(_ values: [Duration], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))].seconds * 1000
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
