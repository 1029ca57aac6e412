/// How to reach one OpenAI-compatible chat-completions endpoint and how hard to try.
public struct LLMSettings: Sendable {
    /// Everything before `/chat/completions`, such as `http://127.0.0.1:8081/v1` or `https://api.openai.com/v1`.
    public var baseURL: String
    /// Used when a request names no model.
    public var model: String
    /// Sent as `Authorization: Bearer …`; `nil` for local servers that need none.
    public var apiKey: String?
    /// The limit of one attempt, response body included.
    public var timeoutMillis: Int
    /// Attempts per call, the first included; the whole call never takes longer than `timeoutMillis * maxAttempts`.
    public var maxAttempts: Int
    /// Consecutive failed calls that open the circuit.
    public var circuitFailures: Int
    /// How long an open circuit fails calls at once before it lets one probe through.
    public var circuitOpenMillis: Int
    /// US dollars per million tokens, for `Completion.costUSD`.
    public var promptPricePerMillionTokens: Double
    public var completionPricePerMillionTokens: Double
    /// Added to every request (OpenRouter asks for `HTTP-Referer` and `X-Title`).
    public var extraHeaders: [String: String]

    public init(
        baseURL: String,
        model: String,
        apiKey: String? = nil,
        timeoutMillis: Int = 20_000,
        maxAttempts: Int = 3,
        circuitFailures: Int = 5,
        circuitOpenMillis: Int = 30_000,
        promptPricePerMillionTokens: Double = 0,
        completionPricePerMillionTokens: Double = 0,
        extraHeaders: [String: String] = [:]
    ) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.timeoutMillis = timeoutMillis
        self.maxAttempts = maxAttempts
        self.circuitFailures = circuitFailures
        self.circuitOpenMillis = circuitOpenMillis
        self.promptPricePerMillionTokens = promptPricePerMillionTokens
        self.completionPricePerMillionTokens = completionPricePerMillionTokens
        self.extraHeaders = extraHeaders
    }

    /// `{baseURL}/chat/completions`, whether or not the base URL ends with a slash.
    public var endpointURL: String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/chat/completions"
    }

    /// The endpoint as it may appear in messages and logs: no user info, no query string,
    /// since some deployments put credentials there.
    var displayURL: String {
        var url = endpointURL
        if let query = url.firstIndex(of: "?") { url = String(url[..<query]) }
        if let scheme = url.firstRange(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") {
            url.removeSubrange(scheme.upperBound...at)
        }
        return url
    }
}
