import AsyncHTTPClient
import AtendeAdapters
import AtendeAgents
import AtendeCore
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// A gateway on the built-in console channel, with the local server that receives its replies:
/// what `atende chat` and `atende eval --conversations` talk to, through the real pipeline
/// (webhook, store, orchestrator, outbox, delivery).
public struct ConsoleGateway: Sendable {
    public let gateway: Gateway
    public let receiver: ConsoleReceiver
    let gatewayServer: BackgroundServer
    let receiverServer: BackgroundServer
    let secret: String

    /// - Parameters:
    ///   - configuration: the prompts, LLM and conversation settings to use; host, port, channels
    ///     and database are the console's own.
    ///   - team: everyone on the console is the business's team.
    ///   - agents: prompts already loaded, so many gateways train the classifier once.
    public static func start(
        configuration base: GatewayConfiguration, database: String? = nil, team: Bool = false, time: any TimeSource = SystemTime(),
        agents: AgentSet? = nil, logger: Logger
    ) async throws -> ConsoleGateway {
        var configuration = base
        let receiver = ConsoleReceiver()
        let receiverServer = try await BackgroundServer.start { onPort in receiver.application(onPort: onPort) }
        let secret = UUID().uuidString
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.databaseURL = database ?? (NSTemporaryDirectory() + "atende-console-\(UUID().uuidString).sqlite")
        configuration.channels = [ChannelConfiguration(id: "console", adapter: "console", settings: ["secret": secret, "api_base": receiverServer.baseURL])]
        configuration.handoffNotifyChannel = nil
        configuration.handoffNotifyChat = nil
        configuration.pollMillis = 20
        configuration.promptReloadMillis = 0
        // One person at a terminal, or a script feeding whole conversations: each line waits for
        // its answer, so the answers-per-minute limit would only stall the script.
        configuration.limits.contactTurnsPerMinute = 10_000
        configuration.orchestrator.teamChannels = team ? ["console"] : []
        let gateway = try await Gateway.build(configuration: configuration, logger: logger, time: time, agents: agents)
        let gatewayServer = try await BackgroundServer.start { onPort in gateway.application(onListening: onPort) }
        return ConsoleGateway(gateway: gateway, receiver: receiver, gatewayServer: gatewayServer, receiverServer: receiverServer, secret: secret)
    }

    /// A new conversation with its own chat id.
    public func session(name: String) -> ConsoleSession {
        ConsoleSession(console: self, name: name)
    }

    public func stop() async throws {
        try await gatewayServer.stop()
        try await receiverServer.stop()
    }
}

/// One conversation on the console: what was sent, and the options last offered.
public struct ConsoleSession: Sendable {
    let console: ConsoleGateway
    public let name: String
    public private(set) var chat: String
    var nextID = 0
    var shown = 0
    /// The options of the latest answer: a number picks one, as a tap on a phone would.
    public private(set) var options: [Choice] = []

    init(console: ConsoleGateway, name: String) {
        self.console = console
        self.name = name
        self.chat = "console-\(UUID().uuidString.prefix(8).lowercased())"
    }

    public mutating func newConversation() {
        chat = "console-\(UUID().uuidString.prefix(8).lowercased())"
        options = []
        shown = 0
    }

    /// Sends a line: `/team TEXT` writes as the business, a number picks one of the options of the
    /// latest answer, anything else is the contact's text.
    public mutating func send(_ text: String) async throws {
        if text.hasPrefix("/team ") || text.hasPrefix("/equipe ") {
            try await post(["side": .string("business"), "text": .string(String(text.drop { $0 != " " }.dropFirst()))])
        } else if let number = Int(text), number > 0, options.indices.contains(number - 1) {
            try await post(["choice": .string(options[number - 1].id), "title": .string(options[number - 1].title)])
        } else {
            try await post(["text": .string(text)])
        }
    }

    private mutating func post(_ fields: [String: JSONValue]) async throws {
        nextID += 1
        var body: [String: JSONValue] = ["id": .string("\(chat)-\(nextID)"), "chat": .string(chat), "name": .string(name)]
        for (key, value) in fields { body[key] = value }
        var request = HTTPClientRequest(url: console.gatewayServer.baseURL + "/webhooks/console")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Atende-Console", value: console.secret)
        request.body = .bytes(ByteBuffer(string: JSONValue.object(body).encodedString()))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        guard response.status == .ok else { throw ConsoleError(message: "the gateway answered \(response.status.code) to the message") }
    }

    /// Waits until everything sent is handled and delivered (the bot may also stay quiet); `false`
    /// when that took longer than `timeoutMillis`.
    public func waitForTheTurn(timeoutMillis: Int) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMillis)
        try await Task.sleep(for: .milliseconds(30))
        while ContinuousClock.now < deadline {
            let counts = try await console.gateway.runtime.store.counts()
            if counts.unhandledMessages == 0 && counts.queuedTurns == 0 && counts.pendingDeliveries == 0 { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// The replies that arrived since the last call; the options become those of the latest one.
    public mutating func takeNewReplies() -> [ConsoleReceiver.Message] {
        let replies = console.receiver.replies(for: chat)
        let new = Array(replies.dropFirst(shown))
        shown = replies.count
        if !new.isEmpty { options = new.last { !$0.choices.isEmpty }?.choices ?? [] }
        return new
    }

    /// The conversation as stored, with its latest trace.
    public func state() async throws -> (record: ConversationRecord, trace: ReplyTrace?)? {
        let store = console.gateway.runtime.store
        guard let record = try await store.conversation(channelID: "console", platformChatID: chat) else { return nil }
        return (record, try await store.traces(conversationID: record.id, limit: 1).last?.trace)
    }
}

public struct ConsoleError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The console channel's "platform API": keeps what the gateway sends, per chat.
public final class ConsoleReceiver: Sendable {
    public struct Message: Sendable {
        public var text: String
        public var choices: [Choice]
    }

    private let messages = Mutex<[String: [Message]]>([:])

    public func replies(for chat: String) -> [Message] {
        messages.withLock { $0[chat] ?? [] }
    }

    func application(onPort: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.post("/messages") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = JSONValue.parse(body.readableBytesView) ?? .null
            var choices: [Choice] = []
            if case .array(let items)? = json.value(at: "choices") {
                choices = items.compactMap { item in
                    guard let id = item.value(at: "id")?.scalarText, let title = item.value(at: "title")?.scalarText else { return nil }
                    return Choice(id: id, title: title)
                }
            }
            let chat = json.value(at: "chat")?.scalarText ?? ""
            let message = Message(text: json.value(at: "text")?.scalarText ?? "", choices: choices)
            self.messages.withLock { $0[chat, default: []].append(message) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"ok":true}"#)))
        }
        var logger = Logger(label: "atende-console")
        logger.logLevel = .critical
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { await onPort($0.localAddress?.port ?? 0) }, logger: logger
        )
    }
}
