import AtendeCore
import AtendeServer
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A local HTTP server speaking the OpenAI chat-completions wire format: it records every request
/// and answers from a script the test sets, then with a plain text reply once the script runs out.
/// Point a client at `"\(server.baseURL)/v1"`.
public final class FakeOpenAIServer: Sendable {
    /// One scripted answer.
    public indirect enum ScriptedResponse: Sendable {
        /// An assistant text reply with usage numbers (none when `usage` is nil).
        case text(String, usage: TokenUsage? = TokenUsage(promptTokens: 12, completionTokens: 5))
        /// An assistant message calling one tool, content null, finish_reason "tool_calls".
        /// `arguments` is sent as is, so a test can send malformed JSON.
        case toolCall(name: String, arguments: String, id: String = "call_1")
        /// An error status with an OpenAI error body; `retryAfter` in seconds.
        case status(Int, retryAfter: Int? = nil, message: String? = nil)
        /// Waits before answering, to provoke a client's timeout.
        case delay(Int, then: ScriptedResponse)
        /// This body as is, with status 200 unless told otherwise.
        case raw(String, status: Int = 200)
    }

    /// A request as it arrived.
    public struct RecordedRequest: Sendable {
        public var path: String
        /// Header names lowercased.
        public var headers: [String: String]
        public var body: JSONValue
        /// When it arrived, to check the waits between retries.
        public var at: ContinuousClock.Instant
    }

    public static let defaultReply = "resposta do modelo"

    private struct State {
        var script: [ScriptedResponse] = []
        var requests: [RecordedRequest] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Adds answers to the script, answered in order by the next requests.
    public func enqueue(_ responses: ScriptedResponse...) {
        state.withLock { $0.script += responses }
    }

    public var requests: [RecordedRequest] { state.withLock { $0.requests } }
    public var bodies: [JSONValue] { requests.map(\.body) }
    public var requestCount: Int { state.withLock { $0.requests.count } }

    public func start() async throws -> BackgroundServer {
        try await BackgroundServer.start { onRunning in
            let router = Router()
            router.post("**") { request, _ in try await self.handle(request) }
            var logger = Logger(label: "fake-openai")
            logger.logLevel = .critical
            return Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { await onRunning($0.localAddress?.port ?? 0) }, logger: logger
            )
        }
    }

    private func handle(_ request: Request) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 4 << 20)
        let body = buffer.readableBytes == 0 ? JSONValue.null : (JSONValue.parse(buffer.readableBytesView) ?? .string(String(buffer: buffer)))
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let path = request.uri.path
        guard path == "/v1/chat/completions" else {
            return Self.json(status: 404, #"{"error":{"message":"Unknown request URL: POST \#(path)","type":"invalid_request_error","param":null,"code":"unknown_url"}}"#)
        }
        let scripted = state.withLock { state -> ScriptedResponse? in
            state.requests.append(RecordedRequest(path: path, headers: headers, body: body, at: .now))
            return state.script.isEmpty ? nil : state.script.removeFirst()
        }
        let model = body.value(at: "model")?.stringValue ?? "fake-model"
        return try await answer(scripted ?? .text(Self.defaultReply), model: model)
    }

    private func answer(_ response: ScriptedResponse, model: String) async throws -> Response {
        switch response {
        case .text(let text, let usage):
            return Self.json(status: 200, Self.completion(model: model, message: ["content": .string(text)], finishReason: "stop", usage: usage))
        case .toolCall(let name, let arguments, let id):
            let call = JSONValue.object([
                "id": .string(id), "type": .string("function"),
                "function": .object(["name": .string(name), "arguments": .string(arguments)]),
            ])
            let usage = TokenUsage(promptTokens: 20, completionTokens: 8)
            return Self.json(status: 200, Self.completion(model: model, message: ["content": .null, "tool_calls": .array([call])], finishReason: "tool_calls", usage: usage))
        case .status(let status, let retryAfter, let message):
            let error = JSONValue.object(["error": .object([
                "message": .string(message ?? Self.defaultMessage(status: status, model: model)),
                "type": .string(status == 429 ? "requests" : status >= 500 ? "server_error" : "invalid_request_error"),
                "param": .null, "code": .null,
            ])])
            var response = Self.json(status: status, error.encodedString())
            if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
            return response
        case .delay(let millis, let then):
            try await Task.sleep(for: .milliseconds(millis))
            return try await answer(then, model: model)
        case .raw(let text, let status):
            return Self.json(status: status, text)
        }
    }

    private static func completion(model: String, message: [String: JSONValue], finishReason: String, usage: TokenUsage?) -> String {
        var fields: [String: JSONValue] = [
            "id": .string("chatcmpl-fake"), "object": .string("chat.completion"), "created": .int(1_700_000_000), "model": .string(model),
            "choices": .array([.object([
                "index": .int(0),
                "message": .object(message.merging(["role": .string("assistant")]) { current, _ in current }),
                "finish_reason": .string(finishReason),
            ])]),
        ]
        if let usage {
            fields["usage"] = .object([
                "prompt_tokens": .int(Int64(usage.promptTokens)),
                "completion_tokens": .int(Int64(usage.completionTokens)),
                "total_tokens": .int(Int64(usage.promptTokens + usage.completionTokens)),
            ])
        }
        return JSONValue.object(fields).encodedString()
    }

    /// What OpenAI says for these statuses, so error handling is tested against realistic text.
    private static func defaultMessage(status: Int, model: String) -> String {
        switch status {
        case 401: return "Incorrect API key provided: sk-wr***ng. You can find your API key at https://platform.openai.com/account/api-keys."
        case 404: return "The model `\(model)` does not exist or you do not have access to it."
        case 429: return "Rate limit reached for requests. Please try again shortly."
        case 500...: return "The server had an error while processing your request. Sorry about that!"
        default: return "scripted failure \(status)"
        }
    }

    private static func json(status: Int, _ text: String) -> Response {
        Response(
            status: .init(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}
