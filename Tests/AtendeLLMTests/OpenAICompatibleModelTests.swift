import AsyncHTTPClient
import AtendeCore
import AtendeServer
import AtendeLLM
import AtendeTestSupport
import Synchronization
import Testing

/// The client against a real HTTP server speaking OpenAI's format. Assertions are on what the
/// server received and on counts, never on how fast this (slow, shared) machine answered.
@Suite(.serialized) struct OpenAICompatibleModelTests {
    static let question = CompletionRequest(messages: [.system("Você é a recepção."), .user("Oi, quero marcar.")])

    @Test func aTextReplyCarriesUsageCostAndTheModelThatAnswered() async throws {
        try await withFakeServer { fake, baseURL in
            fake.enqueue(.text("Olá! Para quando?", usage: TokenUsage(promptTokens: 1200, completionTokens: 300)))
            let settings = LLMSettings(
                baseURL: baseURL, model: "gpt-test", apiKey: "sk-test-123",
                promptPricePerMillionTokens: 2, completionPricePerMillionTokens: 8,
                extraHeaders: ["HTTP-Referer": "https://atende.example", "X-Title": "Atende"]
            )
            let completion = try await OpenAICompatibleModel(settings: settings).complete(Self.question)

            #expect(completion.message == .assistant("Olá! Para quando?"))
            #expect(completion.usage == TokenUsage(promptTokens: 1200, completionTokens: 300))
            #expect(abs(completion.costUSD - (1200.0 * 2 + 300 * 8) / 1_000_000) < 1e-12)
            #expect(completion.model == "gpt-test")
            #expect(completion.latencyMillis >= 0)
            let request = try #require(fake.requests.first)
            #expect(request.path == "/v1/chat/completions")
            #expect(request.headers["authorization"] == "Bearer sk-test-123")
            #expect(request.headers["http-referer"] == "https://atende.example")
            #expect(request.headers["x-title"] == "Atende")
            #expect(request.headers["content-type"] == "application/json")
        }
    }

    @Test func theRequestBodyCarriesToolsAndTheToolCallRoundTrip() async throws {
        try await withFakeServer { fake, baseURL in
            fake.enqueue(.toolCall(name: "agendar", arguments: #"{"dia":"2025-03-10"}"#, id: "call_abc"), .text("Marcado para segunda."))
            let model = OpenAICompatibleModel(settings: LLMSettings(baseURL: baseURL, model: "gpt-test"))
            let schema = JSONValue.object([
                "type": .string("object"),
                "properties": .object(["dia": .object(["type": .string("string"), "description": .string("data ISO")])]),
                "required": .array([.string("dia")]),
            ])
            let tool = ToolSpec(name: "agendar", description: "Marca um horário.", parameters: schema)
            var request = CompletionRequest(model: "llama-local", messages: Self.question.messages, tools: [tool], temperature: 0.3, maxTokens: 200)

            let call = try await model.complete(request)
            request.messages.append(call.message)
            request.messages.append(.tool(callID: "call_abc", result: #"{"ok":true}"#))
            let answer = try await model.complete(request)
            #expect(answer.message.content == "Marcado para segunda.")

            let toolsJSON = JSONValue.array([.object([
                "type": .string("function"),
                "function": .object(["name": .string("agendar"), "description": .string("Marca um horário."), "parameters": schema]),
            ])])
            let system = JSONValue.object(["role": .string("system"), "content": .string("Você é a recepção.")])
            let user = JSONValue.object(["role": .string("user"), "content": .string("Oi, quero marcar.")])
            let assistant = JSONValue.object([
                "role": .string("assistant"), "content": .null,
                "tool_calls": .array([.object([
                    "id": .string("call_abc"), "type": .string("function"),
                    "function": .object(["name": .string("agendar"), "arguments": .string(#"{"dia":"2025-03-10"}"#)]),
                ])]),
            ])
            let toolResult = JSONValue.object(["role": .string("tool"), "tool_call_id": .string("call_abc"), "content": .string(#"{"ok":true}"#)])
            func expected(_ messages: [JSONValue]) -> JSONValue {
                .object([
                    "model": .string("llama-local"), "messages": .array(messages), "tools": toolsJSON,
                    "temperature": .double(0.3), "max_tokens": .int(200),
                ])
            }
            let bodies = fake.bodies
            #expect(bodies.count == 2)
            #expect(bodies.first == expected([system, user]))
            #expect(bodies.last == expected([system, user, assistant, toolResult]))
        }
    }

    @Test func absentOptionsAreLeftOutOfTheBody() async throws {
        try await withFakeServer { fake, baseURL in
            _ = try await OpenAICompatibleModel(settings: LLMSettings(baseURL: baseURL + "/", model: "gpt-test")).complete(Self.question)
            guard case .object(let body)? = fake.bodies.first else { Issue.record("no JSON object body"); return }
            #expect(Set(body.keys) == ["model", "messages"])
            #expect(body["model"] == .string("gpt-test"))
            #expect(fake.requests.first?.headers["authorization"] == nil)
        }
    }

    @Test func toolCallArgumentsArePassedThroughEvenWhenMalformed() async throws {
        try await withFakeServer { fake, baseURL in
            let malformed = #"{"motivo": "x"#
            fake.enqueue(.toolCall(name: "transferir_humano", arguments: malformed, id: "call_9"))
            let completion = try await OpenAICompatibleModel(settings: LLMSettings(baseURL: baseURL, model: "gpt-test")).complete(Self.question)
            #expect(completion.message.role == .assistant)
            #expect(completion.message.content == nil)
            #expect(completion.message.toolCalls == [ToolCall(id: "call_9", name: "transferir_humano", arguments: malformed)])
            #expect(completion.usage == TokenUsage(promptTokens: 20, completionTokens: 8))
        }
    }

    /// Ollama and some vLLM parsers send arguments as an object and no id.
    @Test func toolCallArgumentsGivenAsAnObjectBecomeText() async throws {
        try await withFakeServer { fake, baseURL in
            fake.enqueue(.raw(#"{"model":"qwen","choices":[{"message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"agendar","arguments":{"dia":"amanhã"}}}]}}]}"#))
            let completion = try await OpenAICompatibleModel(settings: LLMSettings(baseURL: baseURL, model: "gpt-test")).complete(Self.question)
            #expect(completion.message.toolCalls == [ToolCall(id: "call_0", name: "agendar", arguments: #"{"dia":"amanhã"}"#)])
            #expect(completion.model == "qwen")
        }
    }

    @Test func missingUsageIsEstimatedFromCharacters() async throws {
        try await withFakeServer { fake, baseURL in
            fake.enqueue(.text("12345678", usage: nil))
            let settings = LLMSettings(baseURL: baseURL, model: "gpt-test", completionPricePerMillionTokens: 1_000_000)
            let completion = try await OpenAICompatibleModel(settings: settings).complete(Self.question)
            // "Você é a recepção." (18) + "Oi, quero marcar." (17) = 35 characters ≈ 9 tokens; 8 characters = 2 tokens.
            #expect(completion.usage == TokenUsage(promptTokens: 9, completionTokens: 2))
            #expect(completion.costUSD == 2)
        }
    }

    @Test func rateLimitIsRetriedAfterTheRetryAfterItAskedFor() async throws {
        try await withFakeServer { fake, baseURL in
            fake.enqueue(.status(429, retryAfter: 1), .text("agora sim"))
            let completion = try await OpenAICompatibleModel(settings: LLMSettings(baseURL: baseURL, model: "gpt-test")).complete(Self.question)
            #expect(completion.message.content == "agora sim")
            let requests = fake.requests
            #expect(requests.count == 2)
            if requests.count == 2 {
                #expect(requests[1].at - requests[0].at >= .milliseconds(950))
                #expect(requests[1].body == requests[0].body)
            }
        }
    }

    @Test func rateLimitOnEveryAttemptIsRateLimited() async throws {
        try await withFakeServer { fake, baseURL in
            fake.enqueue(.status(429), .status(429), .status(429))
            let settings = LLMSettings(baseURL: baseURL, model: "gpt-test", timeoutMillis: 5_000)
            let error = await failure(of: OpenAICompatibleModel(settings: settings), Self.question)
            #expect(error?.kind == .rateLimited)
            #expect(fake.requestCount == 3)
        }
    }

    @Test func serverErrorsAreRetriedUpToMaxAttempts() async throws {
        try await withFakeServer { fake, baseURL in
            fake.enqueue(.status(500), .status(500), .status(500), .text("too late"))
            let settings = LLMSettings(baseURL: baseURL, model: "gpt-test", timeoutMillis: 5_000, maxAttempts: 3)
            let error = await failure(of: OpenAICompatibleModel(settings: settings), Self.question)
            #expect(error?.kind == .httpStatus)
            #expect(error?.message.contains("HTTP 500") == true)
            #expect(error?.message.contains("The server had an error") == true)
            #expect(error?.message.contains("after 3 attempts") == true)
            #expect(fake.requestCount == 3)
        }
    }

    @Test func aSlowServerIsRetriedThenTimesOut() async throws {
        try await withFakeServer { fake, baseURL in
            fake.enqueue(.delay(2_000, then: .text("late")), .delay(2_000, then: .text("late")), .delay(2_000, then: .text("late")))
            let settings = LLMSettings(baseURL: baseURL, model: "gpt-test", timeoutMillis: 500, maxAttempts: 3)
            let error = await failure(of: OpenAICompatibleModel(settings: settings), Self.question)
            #expect(error?.kind == .timeout)
            #expect(error?.message.contains("500 ms") == true)
            // The whole call fits in 3 × 500 ms, so a second attempt fits and a third may not.
            #expect((2...3).contains(fake.requestCount))
        }
    }

    @Test(arguments: [
        ("<html><body>502 Bad Gateway</body></html>", "not JSON"),
        (#"{"object":"chat.completion","choices":[]}"#, "no choices[0].message"),
        (#"{"choices":[{"message":{"role":"assistant","content":null},"finish_reason":"length"}]}"#, "raise max_tokens"),
        (#"{"error":{"message":"model overloaded"}}"#, "model overloaded"),
    ])
    func anUnreadableAnswerIsABadResponseAndNotRetried(body: String, expected: String) async throws {
        try await withFakeServer { fake, baseURL in
            fake.enqueue(.raw(body))
            let error = await failure(of: OpenAICompatibleModel(settings: LLMSettings(baseURL: baseURL, model: "gpt-test")), Self.question)
            #expect(error?.kind == .badResponse)
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
            #expect(fake.requestCount == 1)
        }
    }

    @Test func aRefusedKeyIsNotRetriedAndSaysWhatTheEndpointSaid() async throws {
        try await withFakeServer { fake, baseURL in
            fake.enqueue(.status(401))
            let settings = LLMSettings(baseURL: baseURL, model: "gpt-test", apiKey: "sk-wrong-key-value")
            let error = await failure(of: OpenAICompatibleModel(settings: settings), Self.question)
            #expect(error?.kind == .httpStatus)
            #expect(error?.message.contains("Incorrect API key provided") == true)
            #expect(error?.message.contains("llm.api_key") == true)
            #expect(fake.requestCount == 1)
        }
    }

    @Test func theKeyNeverAppearsInAnErrorEvenWhenTheEndpointEchoesIt() async throws {
        try await withFakeServer { fake, baseURL in
            fake.enqueue(.status(400, message: "key sk-secret-value-123 is not allowed for this model"), .raw("sk-secret-value-123 bad"))
            let model = OpenAICompatibleModel(settings: LLMSettings(baseURL: baseURL, model: "gpt-test", apiKey: "sk-secret-value-123"))
            for _ in 0..<2 {
                let error = await failure(of: model, Self.question)
                #expect(error != nil)
                #expect(error?.message.contains("sk-secret-value-123") == false)
                #expect(error?.message.contains("[api key]") == true)
            }
        }
    }

    @Test func aWrongBaseURLPathPointsAtTheSetting() async throws {
        try await withFakeServer { fake, baseURL in
            // The base URL without /v1: the server has no such route.
            let error = await failure(of: OpenAICompatibleModel(settings: LLMSettings(baseURL: String(baseURL.dropLast(3)), model: "gpt-test")), Self.question)
            #expect(error?.kind == .httpStatus)
            #expect(error?.message.contains("HTTP 404") == true)
            #expect(error?.message.contains("llm.base_url") == true)
        }
    }

    @Test func anUnreachableServerSaysWhereAndWhatToCheck() async throws {
        let client = OpenAICompatibleModel.makeHTTPClient()
        let settings = LLMSettings(baseURL: "http://127.0.0.1:1/v1", model: "gpt-test", timeoutMillis: 5_000, maxAttempts: 2)
        let error = await failure(of: OpenAICompatibleModel(settings: settings, httpClient: client), Self.question)
        try await client.shutdown()
        #expect(error?.kind == .unreachable)
        #expect(error?.message.contains("cannot reach http://127.0.0.1:1/v1/chat/completions: connection refused") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("llm.base_url") == true)
    }

    /// The shared client keeps reconnecting until the attempt's deadline, then reports why. When the
    /// machine is busy (the whole suite shares its event loops) the pool may not have tried a
    /// connection before the deadline: then it is a timeout, which names the address too.
    @Test func anUnreachableServerThroughTheSharedClientIsStillUnreachable() async throws {
        let settings = LLMSettings(baseURL: "http://127.0.0.1:1/v1", model: "gpt-test", timeoutMillis: 2_000, maxAttempts: 2)
        let error = try #require(await failure(of: OpenAICompatibleModel(settings: settings), Self.question))
        switch error.kind {
        case .unreachable: #expect(error.message.contains("connection refused"), "\(error.message)")
        case .timeout: #expect(error.message.contains("http://127.0.0.1:1/v1/chat/completions"), "\(error.message)")
        default: Issue.record("an unreachable server reported as \(error.kind): \(error.message)")
        }
    }

    @Test(arguments: [
        ("ftp://127.0.0.1:1/v1", "scheme other than http or https"),
        ("not a url", "is not a valid URL"),
        ("https-to-plain-http", "TLS handshake failed"),
    ])
    func aMisconfiguredBaseURLSaysWhatToFix(baseURL: String, expected: String) async throws {
        try await withFakeServer { _, plainURL in
            let client = OpenAICompatibleModel.makeHTTPClient()
            let base = baseURL == "https-to-plain-http" ? "https" + plainURL.dropFirst(4) : baseURL
            let settings = LLMSettings(baseURL: base, model: "gpt-test", timeoutMillis: 5_000, maxAttempts: 1)
            let error = await failure(of: OpenAICompatibleModel(settings: settings, httpClient: client), Self.question)
            try await client.shutdown()
            #expect(error?.kind == .unreachable)
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
            #expect(error?.message.contains("llm.base_url") == true)
        }
    }

    @Test func aCallTheCallerCancelsDoesNotCountAgainstTheEndpoint() async throws {
        try await withFakeServer { fake, baseURL in
            let settings = LLMSettings(baseURL: baseURL, model: "gpt-test", timeoutMillis: 10_000, maxAttempts: 1, circuitFailures: 1)
            let model = OpenAICompatibleModel(settings: settings)
            fake.enqueue(.delay(1_000, then: .text("late")))
            let call = Task { await failure(of: model, Self.question) }
            for _ in 0..<500 where fake.requestCount == 0 { try await Task.sleep(for: .milliseconds(20)) }
            call.cancel()
            #expect(await call.value?.message.contains("cancelled") == true)
            // One failure would open this circuit; a cancelled call is not one.
            let reply = try await model.complete(Self.question)
            #expect(reply.message.content == FakeOpenAIServer.defaultReply)
            #expect(fake.requestCount == 2)
        }
    }

    @Test func theCircuitOpensAfterConsecutiveFailuresAndAProbeClosesIt() async throws {
        try await withFakeServer { fake, baseURL in
            let time = ManualTime()
            let settings = LLMSettings(baseURL: baseURL, model: "gpt-test", timeoutMillis: 5_000, maxAttempts: 1, circuitFailures: 3, circuitOpenMillis: 30_000)
            let model = OpenAICompatibleModel(settings: settings, time: time)
            fake.enqueue(.status(500), .status(500), .status(500))
            for _ in 0..<3 { #expect(await failure(of: model, Self.question)?.kind == .httpStatus) }

            // Open: nothing reaches the server.
            for _ in 0..<3 { #expect(await failure(of: model, Self.question)?.kind == .circuitOpen) }
            #expect(fake.requestCount == 3)

            // After the pause one probe goes through; it fails, so the circuit opens again at once.
            time.advance(by: 30_001)
            fake.enqueue(.status(500))
            #expect(await failure(of: model, Self.question)?.kind == .httpStatus)
            #expect(await failure(of: model, Self.question)?.kind == .circuitOpen)
            #expect(fake.requestCount == 4)

            // The next probe succeeds: closed, calls flow again.
            time.advance(by: 30_001)
            let reply1 = try await model.complete(Self.question)
            #expect(reply1.message.content == FakeOpenAIServer.defaultReply)
            let reply2 = try await model.complete(Self.question)
            #expect(reply2.message.content == FakeOpenAIServer.defaultReply)
            #expect(fake.requestCount == 6)
        }
    }

    @Test func theCircuitClosesAfterItsPauseOnTheRealClock() async throws {
        try await withFakeServer { fake, baseURL in
            let settings = LLMSettings(baseURL: baseURL, model: "gpt-test", timeoutMillis: 5_000, maxAttempts: 1, circuitFailures: 2, circuitOpenMillis: 1_000)
            let model = OpenAICompatibleModel(settings: settings)
            fake.enqueue(.status(503), .status(503))
            _ = await failure(of: model, Self.question)
            _ = await failure(of: model, Self.question)
            #expect(await failure(of: model, Self.question)?.kind == .circuitOpen)
            #expect(fake.requestCount == 2)
            try await Task.sleep(for: .milliseconds(1_200))
            let reply3 = try await model.complete(Self.question)
            #expect(reply3.message.content == FakeOpenAIServer.defaultReply)
            #expect(fake.requestCount == 3)
        }
    }
}

// MARK: - Helpers

/// Runs `body` against a fresh fake server, stopping it whatever happens.
func withFakeServer(_ body: (FakeOpenAIServer, String) async throws -> Void) async throws {
    let fake = FakeOpenAIServer()
    let server = try await fake.start()
    do {
        try await body(fake, "\(server.baseURL)/v1")
    } catch {
        try? await server.stop()
        throw error
    }
    try await server.stop()
}

/// The error a call failed with; `nil` (and a recorded issue) when it succeeded.
func failure(of model: some LanguageModel, _ request: CompletionRequest) async -> LanguageModelError? {
    do {
        let completion = try await model.complete(request)
        Issue.record("expected a failure, got \(completion)")
        return nil
    } catch {
        return error
    }
}

/// A clock the test moves by hand, so the circuit's pause needs no sleeping.
final class ManualTime: TimeSource {
    private let millis = Mutex<Int64>(1_700_000_000_000)

    func nowMillis() -> Int64 { millis.withLock { $0 } }

    func advance(by delta: Int64) { millis.withLock { $0 += delta } }
}
