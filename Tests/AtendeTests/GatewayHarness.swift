import AsyncHTTPClient
import AtendeAgents
import AtendeCore
import AtendeServer
import AtendeTestSupport
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// A whole gateway on a free port, with a Telegram channel `tg` pointed at a fake Telegram API.
struct GatewayHarness {
    static let secret = "s3cret-Token_42"
    let server: BackgroundServer
    let gateway: Gateway
    let telegram: FakeTelegramAPI
    let telegramServer: BackgroundServer

    static func start(
        databaseURL: String? = nil, maxBodyBytes: Int = 1_048_576, responder: (any Responder)? = nil,
        time: any TimeSource = SystemTime(), configure: (inout GatewayConfiguration) -> Void = { _ in }
    ) async throws -> GatewayHarness {
        let telegram = FakeTelegramAPI()
        let telegramServer = try await telegram.start()
        let channel = ChannelConfiguration(
            id: "tg", adapter: "telegram", settings: ["token": "123:abc", "webhook_secret": secret, "api_base": telegramServer.baseURL]
        )
        let (gateway, server) = try await launch(
            channels: [channel], databaseURL: databaseURL, maxBodyBytes: maxBodyBytes, responder: responder, time: time, configure: configure
        )
        return GatewayHarness(server: server, gateway: gateway, telegram: telegram, telegramServer: telegramServer)
    }

    /// A gateway with these channels on a free port, SQLite in a temporary directory unless given.
    static func launch(
        channels: [ChannelConfiguration], adaptersDirectory: String = Repository.adapters, databaseURL: String? = nil,
        maxBodyBytes: Int = 1_048_576, responder: (any Responder)? = nil, time: any TimeSource = SystemTime(), logger given: Logger? = nil,
        configure: (inout GatewayConfiguration) -> Void = { _ in }
    ) async throws -> (gateway: Gateway, server: BackgroundServer) {
        var configuration = GatewayConfiguration()
        configuration.port = 0
        configuration.databaseURL = try databaseURL ?? (Repository.temporaryDirectory() + "/atende.sqlite")
        configuration.adaptersDirectory = adaptersDirectory
        configuration.promptsDirectory = Repository.prompts
        configuration.pollMillis = 50
        configuration.maxBodyBytes = maxBodyBytes
        configuration.channels = channels
        configuration.file = "test configuration"
        // Checking the folder for edits is the reload test's business; the others skip the work.
        configuration.promptReloadMillis = 0
        configure(&configuration)
        var logger = given ?? Logger(label: "atende-test")
        if given == nil { logger.logLevel = .critical }
        let agents = configuration.promptsDirectory == Repository.prompts ? try await Repository.agents() : nil
        let gateway = try await Gateway.build(configuration: configuration, logger: logger, responder: responder, time: time, agents: agents)
        let server = try await BackgroundServer.start { onRunning in gateway.application(onListening: onRunning) }
        return (gateway, server)
    }

    func stop() async throws {
        try await server.stop()
        try await telegramServer.stop()
    }

    /// Posts a webhook body to `/webhooks/{channel}`; returns the status code.
    @discardableResult
    func post(_ body: String, channel: String = "tg", secret: String? = GatewayHarness.secret) async throws -> Int {
        try await Self.post("\(server.baseURL)/webhooks/\(channel)", body: body, headers: secret.map { ["X-Telegram-Bot-Api-Secret-Token": $0] } ?? [:])
    }

    /// How long a test waits for one HTTP answer. Generous: the whole suite shares two cores with
    /// PostgreSQL, nginx and Radicale, and these tests check what is answered, not how fast.
    static let requestTimeout = TimeAmount.seconds(30)

    /// Posts a JSON body with these headers; returns the status code.
    static func post(_ url: String, body: String, headers: [String: String]) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: Self.requestTimeout)
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    func get(_ path: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: server.baseURL + path), timeout: Self.requestTimeout)
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    func counts() async throws -> StoreCounts {
        try await gateway.runtime.store.counts()
    }

    /// Waits until every stored message is handled and nothing is waiting for delivery.
    func settle() async throws {
        try await eventually("pipeline to settle") {
            let counts = try await counts()
            return counts.unhandledMessages == 0 && counts.queuedTurns == 0 && counts.pendingDeliveries == 0
        }
    }

    static func geral() throws -> Agent {
        try Agent.load(file: Repository.prompts + "/geral.md", business: Repository.business())
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` until it holds; fails after `seconds`. For waiting on background work, not for timing it.
func eventually(_ what: String, seconds: Double = 15, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TimedOut(what: what)
}

/// The shipped prompts, loaded and trained once for the whole test process. Callers wait on one
/// task instead of a lock, so the few threads of the concurrency pool never block on it.
private actor ShippedAgents {
    static let shared = ShippedAgents()
    private var loading: Task<AgentSet, any Error>?

    func get() async throws -> AgentSet {
        if let loading { return try await loading.value }
        let task = Task { () throws -> AgentSet in try AgentSet.load(directory: Repository.prompts) }
        loading = task
        return try await task.value
    }
}

extension Repository {
    static func agents() async throws -> AgentSet {
        try await ShippedAgents.shared.get()
    }

    /// The shipped business profile, which the prompt files' `{{business.…}}` placeholders need.
    static func business() throws -> BusinessProfile {
        try BusinessProfile.load(file: prompts + "/negocio.yaml")
    }
}
