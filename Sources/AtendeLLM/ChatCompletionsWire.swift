import AtendeCore

/// The OpenAI chat-completions wire format: the request body we send and the answer we accept.
/// Kept apart from HTTP so both directions can be read (and tested) on their own.
enum ChatCompletionsWire {
    static func requestBody(_ request: CompletionRequest, defaultModel: String) -> JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(request.model ?? defaultModel),
            "messages": .array(request.messages.map(message)),
        ]
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map { tool in
                .object([
                    "type": .string("function"),
                    "function": .object([
                        "name": .string(tool.name),
                        "description": .string(tool.description),
                        "parameters": tool.parameters,
                    ]),
                ])
            })
        }
        if let temperature = request.temperature { body["temperature"] = .double(temperature) }
        if let maxTokens = request.maxTokens { body["max_tokens"] = .int(Int64(maxTokens)) }
        return .object(body)
    }

    private static func message(_ message: ChatMessage) -> JSONValue {
        var fields: [String: JSONValue] = ["role": .string(message.role.rawValue)]
        // Only an assistant message that calls tools may go without text; the others need a string.
        if let content = message.content {
            fields["content"] = .string(content)
        } else {
            fields["content"] = message.role == .assistant ? .null : .string("")
        }
        if !message.toolCalls.isEmpty {
            fields["tool_calls"] = .array(message.toolCalls.map { call in
                .object([
                    "id": .string(call.id),
                    "type": .string("function"),
                    "function": .object(["name": .string(call.name), "arguments": .string(call.arguments)]),
                ])
            })
        }
        if let callID = message.toolCallID { fields["tool_call_id"] = .string(callID) }
        return .object(fields)
    }

    /// What a readable answer holds; usage is `nil` when the endpoint did not report it.
    struct Reply {
        var message: ChatMessage
        var model: String?
        var usage: TokenUsage?
    }

    /// Why an answer could not be read, in words for `LanguageModelError.badResponse`.
    struct Unreadable: Error {
        var reason: String
    }

    static func reply(from json: JSONValue) -> Result<Reply, Unreadable> {
        guard let message = json.value(at: "choices.0.message") else {
            if let endpointError = errorMessage(in: json) { return .failure(Unreadable(reason: "the endpoint answered with an error: \(endpointError)")) }
            return .failure(Unreadable(reason: "no choices[0].message in the answer"))
        }
        var toolCalls: [ToolCall] = []
        if case .array(let calls) = message.value(at: "tool_calls") {
            for (index, call) in calls.enumerated() {
                guard let name = call.value(at: "function.name")?.stringValue, !name.isEmpty else {
                    return .failure(Unreadable(reason: "tool call \(index) has no function name"))
                }
                // Some servers (Ollama, some vLLM parsers) send the arguments as an object and omit the id.
                let arguments: String
                switch call.value(at: "function.arguments") {
                case .string(let text): arguments = text
                case .none, .null: arguments = "{}"
                case let other?: arguments = other.encodedString()
                }
                let id = call.value(at: "id")?.stringValue ?? "call_\(index)"
                toolCalls.append(ToolCall(id: id, name: name, arguments: arguments))
            }
        }
        let content = text(of: message.value(at: "content"))
        if toolCalls.isEmpty, (content ?? "").allSatisfy(\.isWhitespace) {
            let finish = json.value(at: "choices.0.finish_reason")?.stringValue ?? "none"
            if let refusal = message.value(at: "refusal")?.stringValue { return .failure(Unreadable(reason: "the model refused: \(refusal)")) }
            let hint = finish == "length" ? " — raise max_tokens, the answer was cut before any text" : ""
            return .failure(Unreadable(reason: "the model answered with neither text nor tool calls (finish_reason: \(finish))\(hint)"))
        }
        var usage: TokenUsage?
        if let prompt = json.value(at: "usage.prompt_tokens")?.scalarText.flatMap({ Int($0) }),
           let completion = json.value(at: "usage.completion_tokens")?.scalarText.flatMap({ Int($0) }) {
            usage = TokenUsage(promptTokens: prompt, completionTokens: completion)
        }
        return .success(Reply(
            message: ChatMessage(role: .assistant, content: content, toolCalls: toolCalls),
            model: json.value(at: "model")?.stringValue,
            usage: usage
        ))
    }

    /// Content is a string, null, or (on some servers) a list of `{"type":"text","text":…}` parts.
    private static func text(of content: JSONValue?) -> String? {
        switch content {
        case .string(let text)?: return text
        case .array(let parts)?:
            let texts = parts.compactMap { $0.value(at: "text")?.stringValue }
            return texts.isEmpty ? nil : texts.joined()
        default: return nil
        }
    }

    /// The endpoint's own explanation of a failure, in the shapes OpenAI, vLLM, llama.cpp,
    /// Ollama and OpenRouter use.
    static func errorMessage(in json: JSONValue) -> String? {
        for path in ["error.message", "error", "message", "detail"] {
            if let text = json.value(at: path)?.stringValue, !text.isEmpty { return text }
        }
        return nil
    }

    /// Characters / 4: the usual rough token count, for endpoints that report no usage.
    static func estimatedUsage(of request: CompletionRequest, reply message: ChatMessage) -> TokenUsage {
        func characters(_ message: ChatMessage) -> Int {
            (message.content?.count ?? 0) + message.toolCalls.reduce(0) { $0 + $1.name.count + $1.arguments.count }
        }
        let prompt = request.messages.reduce(0) { $0 + characters($1) }
            + request.tools.reduce(0) { $0 + $1.name.count + $1.description.count + $1.parameters.encodedString().count }
        return TokenUsage(promptTokens: (prompt + 3) / 4, completionTokens: (characters(message) + 3) / 4)
    }
}
