import AtendeCore
import AtendeServer
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// A local HTTP server standing in for any platform's send API (UazAPI, Meta Graph, Chatwoot,
/// Evolution, Z-API): it records every request and answers 200 with a body that carries a sent
/// message id where each of those APIs puts it, or with the failures a test scripts.
public final class FakePlatformAPI: Sendable {
    public struct Call: Sendable {
        public var method: String
        public var path: String
        public var headers: [String: String]
        public var body: JSONValue
    }

    /// A scripted failure's body; `nil` echoes the request, as some platforms' errors do.
    private let state = NIOLockedValueBox<(calls: [Call], failures: [(status: Int, body: String?)], nextID: Int)>(([], [], 1))

    public init() {}

    /// The next requests answer these HTTP statuses, in order; then the platform recovers.
    public func failNext(with statuses: [Int], body: String = #"{"error":"scripted failure"}"#) {
        state.withLockedValue { $0.failures += statuses.map { ($0, body) } }
    }

    /// The next requests answer these statuses with an error that repeats the whole request body
    /// (the phone number and the text included), as Evolution and some Meta errors do.
    public func failNextEchoingTheRequest(with statuses: [Int]) {
        state.withLockedValue { $0.failures += statuses.map { ($0, nil) } }
    }

    /// Every request that got a 200.
    public var calls: [Call] { state.withLockedValue { $0.calls } }

    public func start() async throws -> BackgroundServer {
        try await BackgroundServer.start { onRunning in
            let router = Router()
            router.on("**", method: .post) { request, _ in try await self.handle(request) }
            router.on("**", method: .put) { request, _ in try await self.handle(request) }
            var logger = Logger(label: "fake-platform")
            logger.logLevel = .critical
            return Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { await onRunning($0.localAddress?.port ?? 0) }, logger: logger
            )
        }
    }

    private func handle(_ request: Request) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        let body = buffer.readableBytes == 0 ? JSONValue.null : (JSONValue.parse(buffer.readableBytesView) ?? .string(String(buffer: buffer)))
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let outcome = state.withLockedValue { state -> (status: Int, id: Int, body: String) in
            if !state.failures.isEmpty {
                let failure = state.failures.removeFirst()
                return (failure.status, 0, failure.body ?? #"{"error":"invalid request","request":\#(body.encodedString())}"#)
            }
            state.calls.append(Call(method: request.method.rawValue, path: request.uri.path, headers: headers, body: body))
            state.nextID += 1
            return (200, state.nextID, "")
        }
        guard outcome.status == 200 else {
            return Response(
                status: .init(code: outcome.status), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: outcome.body))
            )
        }
        let id = "fake-\(outcome.id)"
        let sent = #"{"id":"\#(id)","messageid":"\#(id)","messageId":"\#(id)","zaapId":"\#(id)","key":{"id":"\#(id)"},"messages":[{"id":"\#(id)"}],"result":{"message_id":\#(outcome.id)}}"#
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: sent)))
    }
}
