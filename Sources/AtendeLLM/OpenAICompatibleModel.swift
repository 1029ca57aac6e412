import AsyncHTTPClient
import AtendeCore
import Logging
import NIOCore
import NIOHTTP1

/// A `LanguageModel` behind any OpenAI-compatible `POST {base_url}/chat/completions`
/// (OpenAI, OpenRouter, vLLM, llama.cpp, Ollama): retries what may pass, gives up on what won't,
/// keeps every call within `timeoutMillis * maxAttempts`, and stops calling a failing endpoint for a while.
public final class OpenAICompatibleModel: LanguageModel {
    public let settings: LLMSettings
    private let httpClient: HTTPClient
    private let time: any TimeSource
    private let breaker: CircuitBreaker
    private let logger: Logger

    /// Answers are small; a larger body is not a chat completion.
    static let maxResponseBytes = 4 * 1024 * 1024
    /// A `Retry-After` longer than this is not waited for in full: a chat turn must not hang on it.
    static let maxRetryAfterMillis = 5_000
    /// Retries inside one call: from 250 ms up to 2 s.
    static let backoff = Backoff(baseMillis: 250, capMillis: 2_000)
    /// The one target of this model's circuit.
    static let circuitTarget = "llm"

    /// - Parameter time: drives the circuit breaker's pause (tests pass a clock they move by hand).
    public init(settings: LLMSettings, httpClient: HTTPClient = .shared, time: any TimeSource = SystemTime(), logger: Logger = Logger(label: "atende.llm")) {
        self.settings = settings
        self.httpClient = httpClient
        self.time = time
        self.breaker = CircuitBreaker()
        self.logger = logger
    }

    /// A client suited to model calls: a refused connection fails the attempt at once (the shared
    /// client keeps reconnecting until the deadline), and no redirect carries the key to another host.
    public static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func complete(_ request: CompletionRequest) async throws(LanguageModelError) -> Completion {
        let now = time.nowMillis()
        let admission = breaker.admit(Self.circuitTarget, now: now)
        if case .rejected(let retryAt) = admission {
            throw LanguageModelError(.circuitOpen, "\(settings.displayURL) failed \(settings.circuitFailures) calls in a row; skipping it for another \(max(0, retryAt - now)) ms (the errors logged before say why)")
        }
        let clock = ContinuousClock()
        let started = clock.now
        let result = await completeWithRetries(request)
        let latencyMillis = Self.millis(clock.now - started)
        switch result {
        case .success(let reply):
            breaker.record(Self.circuitTarget, success: true, now: time.nowMillis(), failureThreshold: settings.circuitFailures, openMillis: Int64(settings.circuitOpenMillis))
            let usage = reply.usage ?? ChatCompletionsWire.estimatedUsage(of: request, reply: reply.message)
            let cost = (Double(usage.promptTokens) * settings.promptPricePerMillionTokens
                + Double(usage.completionTokens) * settings.completionPricePerMillionTokens) / 1_000_000
            return Completion(
                message: reply.message, usage: usage, model: reply.model ?? request.model ?? settings.model,
                latencyMillis: latencyMillis, costUSD: cost
            )
        case .failure(let error):
            // A caller that gave up says nothing about the endpoint.
            if Task.isCancelled {
                if admission == .probe { breaker.releaseProbe(Self.circuitTarget) }
            } else {
                breaker.record(Self.circuitTarget, success: false, now: time.nowMillis(), failureThreshold: settings.circuitFailures, openMillis: Int64(settings.circuitOpenMillis))
            }
            logger.warning("language model call failed", metadata: ["kind": "\(error.kind.rawValue)", "error": "\(error.message)", "latency_ms": "\(latencyMillis)"])
            throw error
        }
    }

    // MARK: - Attempts

    /// How one attempt ended, and whether another may do better.
    private enum Attempt {
        case answered(ChatCompletionsWire.Reply)
        case failed(LanguageModelError, retryable: Bool, retryAfterMillis: Int? = nil)
    }

    private func completeWithRetries(_ request: CompletionRequest) async -> Result<ChatCompletionsWire.Reply, LanguageModelError> {
        let body = ByteBuffer(string: ChatCompletionsWire.requestBody(request, defaultModel: settings.model).encodedString())
        let clock = ContinuousClock()
        let maxAttempts = max(1, settings.maxAttempts)
        let deadline = clock.now + .milliseconds(settings.timeoutMillis * maxAttempts)
        var attempt = 1
        while true {
            let timeoutMillis = max(1, min(settings.timeoutMillis, Self.millis(deadline - clock.now)))
            switch await self.attempt(body, timeoutMillis: timeoutMillis) {
            case .answered(let reply):
                return .success(reply)
            case .failed(let error, let retryable, let retryAfterMillis):
                let wait = Duration.milliseconds(backoffMillis(afterAttempt: attempt, retryAfterMillis: retryAfterMillis))
                // Another attempt only if it would still have a fair share of the deadline.
                let timeLeft = deadline - (clock.now + wait)
                guard retryable, attempt < maxAttempts, !Task.isCancelled, timeLeft >= .milliseconds(min(settings.timeoutMillis / 2, 1_000)) else {
                    let attempts = attempt == 1 ? "" : " (after \(attempt) attempts)"
                    return .failure(LanguageModelError(error.kind, redacted(error.message + attempts)))
                }
                logger.info("retrying language model call", metadata: ["attempt": "\(attempt)", "error": "\(redacted(error.message))"])
                try? await Task.sleep(for: wait)
                attempt += 1
            }
        }
    }

    /// The backoff, or the endpoint's `Retry-After` when it asks for longer, up to `maxRetryAfterMillis`.
    private func backoffMillis(afterAttempt attempt: Int, retryAfterMillis: Int?) -> Int {
        let jittered = Int(Self.backoff.delayMillis(attempt: attempt))
        guard let retryAfterMillis else { return jittered }
        return max(jittered, min(retryAfterMillis, Self.maxRetryAfterMillis))
    }

    /// One exchange, bounded as a whole: the client's deadline covers only the response head,
    /// so a body that trickles in is cut by the race below.
    /// The race's timer gives the client's own deadline a head start, so that a connection that
    /// never came up is reported as such (the shared client's pool says why when its deadline passes).
    private func attempt(_ body: ByteBuffer, timeoutMillis: Int) async -> Attempt {
        await withTaskGroup(of: Attempt?.self) { group in
            group.addTask { await self.exchange(body, timeoutMillis: timeoutMillis) }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(timeoutMillis + 250))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if Task.isCancelled { return cancelled }
            return first ?? self.timedOut
        }
    }

    private func exchange(_ body: ByteBuffer, timeoutMillis: Int) async -> Attempt {
        var request = HTTPClientRequest(url: settings.endpointURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in settings.extraHeaders { request.headers.replaceOrAdd(name: name, value: value) }
        if let apiKey = settings.apiKey, !apiKey.isEmpty { request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(body)

        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await httpClient.execute(request, deadline: .now() + .milliseconds(Int64(timeoutMillis)))
            bytes = try await response.body.collect(upTo: Self.maxResponseBytes)
        } catch {
            return failure(error)
        }
        let status = Int(response.status.code)
        let json = JSONValue.parse(bytes.readableBytesView)
        guard (200..<300).contains(status) else {
            let detail = json.flatMap(ChatCompletionsWire.errorMessage).map { String(Redaction.maskingDigitRuns($0).prefix(300)) } ?? excerpt(bytes)
            let said = detail.isEmpty ? "" : ": \(detail)"
            let retryAfter = RetryAfter.millis(seconds: response.headers.first(name: "Retry-After")).map(Int.init)
            switch status {
            case 429:
                return .failed(LanguageModelError(.rateLimited, "\(settings.displayURL) is rate limiting us (HTTP 429)\(said)"), retryable: true, retryAfterMillis: retryAfter)
            case 500...:
                return .failed(LanguageModelError(.httpStatus, "\(settings.displayURL) answered HTTP \(status)\(said)"), retryable: true, retryAfterMillis: retryAfter)
            case 401, 403:
                return .failed(LanguageModelError(.httpStatus, "\(settings.displayURL) refused the credentials (HTTP \(status))\(said) — check llm.api_key"), retryable: false)
            case 404:
                return .failed(LanguageModelError(.httpStatus, "\(settings.displayURL) answered HTTP 404\(said) — check llm.base_url (it usually ends in /v1) and llm.model"), retryable: false)
            default:
                return .failed(LanguageModelError(.httpStatus, "\(settings.displayURL) answered HTTP \(status)\(said)"), retryable: false)
            }
        }
        guard let json else {
            return .failed(LanguageModelError(.badResponse, "\(settings.displayURL) answered HTTP \(status) with a body that is not JSON: \(excerpt(bytes))"), retryable: false)
        }
        switch ChatCompletionsWire.reply(from: json) {
        case .success(let reply):
            return .answered(reply)
        case .failure(let unreadable):
            return .failed(LanguageModelError(.badResponse, "unreadable answer from \(settings.displayURL): \(unreadable.reason); body: \(excerpt(bytes))"), retryable: false)
        }
    }

    /// Names what went wrong on the way to an answer in words that point at the fix.
    private func failure(_ error: any Error) -> Attempt {
        let url = settings.displayURL
        if Task.isCancelled { return cancelled }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return timedOut
            case .invalidURL, .emptyHost, .emptyScheme:
                return .failed(LanguageModelError(.unreachable, "\(url) is not a valid URL — check llm.base_url"), retryable: false)
            default:
                break
            }
        }
        if error is NIOTooManyBytesError {
            return .failed(LanguageModelError(.badResponse, "\(url) sent more than \(Self.maxResponseBytes) bytes, which no chat completion needs"), retryable: false)
        }
        let text = String(describing: error)
        if text.contains("unsupportedScheme") {
            return .failed(LanguageModelError(.unreachable, "\(url) has a scheme other than http or https — check llm.base_url"), retryable: false)
        }
        let reason: String
        var hint = "is the LLM server running? (llm.base_url)"
        if text.lowercased().contains("connection refused") {
            reason = "connection refused"
        } else if text.contains("UnknownHost") || text.contains("DNS error") {
            reason = "unknown host name"
            hint = "check the host in llm.base_url"
        } else if text.contains("handshakeFailed") || text.contains("NIOSSL") {
            reason = "TLS handshake failed"
            hint = "check http vs https and the server's certificate (llm.base_url)"
        } else if error as? HTTPClientError == .connectTimeout || text.contains("connectTimeout") {
            reason = "connection timed out"
        } else if error as? HTTPClientError == .remoteConnectionClosed {
            reason = "the server closed the connection before answering"
        } else {
            reason = String(text.prefix(160))
        }
        return .failed(LanguageModelError(.unreachable, "cannot reach \(url): \(reason) — \(hint)"), retryable: true)
    }

    // MARK: - Helpers

    private var timedOut: Attempt {
        .failed(
            LanguageModelError(.timeout, "no answer from \(settings.displayURL) within \(settings.timeoutMillis) ms — is the model loaded and the server not overloaded? (llm.timeout_ms)"),
            retryable: true
        )
    }

    private var cancelled: Attempt {
        .failed(LanguageModelError(.timeout, "the call to \(settings.displayURL) was cancelled by its caller"), retryable: false)
    }

    /// The start of a body, on one line, for error messages: enough to recognise it, never all of it.
    private func excerpt(_ bytes: ByteBuffer) -> String {
        let text = String(buffer: bytes).split(whereSeparator: \.isNewline).joined(separator: " ")
        let masked = Redaction.maskingDigitRuns(text)
        let cut = masked.count > 200 ? masked.prefix(200) + "…" : masked[...]
        return redacted(String(cut))
    }

    /// Endpoints have been seen echoing the key back in their errors.
    private func redacted(_ text: String) -> String {
        guard let apiKey = settings.apiKey, apiKey.count >= 4 else { return text }
        return text.replacing(apiKey, with: "[api key]")
    }

    private static func millis(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(0, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
