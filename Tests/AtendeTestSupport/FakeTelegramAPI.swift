import AtendeCore
import AtendeServer
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// A local server speaking the Telegram Bot API wire format: it records every call and
/// answers like Telegram, or with the failures a test scripts.
public final class FakeTelegramAPI: Sendable {
    public struct Call: Sendable {
        public var method: String
        public var token: String
        public var body: JSONValue
        /// When the call arrived, in `ContinuousClock` time.
        public var at: ContinuousClock.Instant
    }

    private let state = NIOLockedValueBox<(calls: [Call], failures: [Int], nextMessageID: Int, attempts: [ContinuousClock.Instant])>(([], [], 1, []))

    public init() {}

    /// The next sendMessage calls answer these HTTP statuses, in order; then Telegram recovers.
    public func failNextSends(with statuses: [Int]) {
        state.withLockedValue { $0.failures += statuses }
    }

    public var calls: [Call] { state.withLockedValue { $0.calls } }

    /// Every sendMessage request received, failed ones included.
    public var sendAttempts: Int { state.withLockedValue { $0.attempts.count } }

    /// When each sendMessage request arrived, failed ones included.
    public var sendAttemptTimes: [ContinuousClock.Instant] { state.withLockedValue { $0.attempts } }

    public var sentMessages: [Call] { calls.filter { $0.method == "sendMessage" } }

    public func start() async throws -> BackgroundServer {
        try await BackgroundServer.start { onRunning in
            let router = Router()
            router.post("/:bot/:method") { request, context in try await self.handle(request, context: context) }
            var logger = Logger(label: "fake-telegram")
            logger.logLevel = .critical
            return Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { await onRunning($0.localAddress?.port ?? 0) }, logger: logger
            )
        }
    }

    private func handle(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let bot = try context.parameters.require("bot")
        let method = try context.parameters.require("method")
        let buffer = try await request.body.collect(upTo: 1 << 20)
        guard bot.hasPrefix("bot"), let body = JSONValue.parse(buffer.readableBytesView) else {
            return Self.json(.badRequest, #"{"ok":false,"error_code":400,"description":"Bad Request: invalid JSON"}"#)
        }
        let outcome = state.withLockedValue { state -> (status: Int, messageID: Int) in
            if method == "sendMessage" { state.attempts.append(.now) }
            if method == "sendMessage", !state.failures.isEmpty {
                return (state.failures.removeFirst(), 0)
            }
            state.calls.append(Call(method: method, token: String(bot.dropFirst(3)), body: body, at: .now))
            state.nextMessageID += 1
            return (200, state.nextMessageID)
        }
        switch outcome.status {
        case 200 where method == "sendMessage":
            return Self.json(.ok, #"{"ok":true,"result":{"message_id":\#(outcome.messageID),"date":1700000000,"chat":{"id":1,"type":"private"}}}"#)
        case 200:
            return Self.json(.ok, #"{"ok":true,"result":true}"#)
        case 429:
            return Self.json(.tooManyRequests, #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}"#)
        default:
            return Self.json(
                .init(code: outcome.status), #"{"ok":false,"error_code":\#(outcome.status),"description":"scripted failure"}"#
            )
        }
    }

    private static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
