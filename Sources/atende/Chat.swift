import AtendeAgents
import AtendeCore
import AtendeServer
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// A conversation in the terminal, as a customer would have it: every line goes through the real
/// pipeline (webhook, store, orchestrator, outbox, delivery) on the built-in console channel, and
/// each answer shows which agent answered and why.
struct Chat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Talk to the agents in the terminal through the real pipeline, seeing which agent answers and why.",
        discussion: """
            Uses the prompts, LLM and conversation settings of the configuration, on a throwaway SQLite \
            database unless --database is given. Type a message and press enter. A number picks one of the \
            options shown. --team talks as the business's owner or staff, who reach every agent (a customer \
            reaches reception and booking only). /team TEXT writes as someone from the business in the \
            customer's conversation (try "#pausar" or "#robo"), \
            /new starts another conversation, /quit leaves.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "A SQLite file or postgres:// URL to keep the conversation in (default: a temporary file).")
    var database: String?

    @Option(name: .long, help: "The contact's name.")
    var name = "Cliente"

    @Flag(name: .long, help: "Talk as someone of the business's team (the owner, staff), who reaches every agent; by default you are a customer.")
    var team = false

    func run() async throws {
        var configuration = try options.load()
        let receiver = ReplyReceiver()
        let receiverServer = try await BackgroundServer.start { onPort in receiver.application(onPort: onPort) }
        let secret = UUID().uuidString
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.databaseURL = database ?? (NSTemporaryDirectory() + "atende-chat-\(UUID().uuidString).sqlite")
        configuration.channels = [ChannelConfiguration(id: "console", adapter: "console", settings: ["secret": secret, "api_base": receiverServer.baseURL])]
        configuration.handoffNotifyChannel = nil
        configuration.handoffNotifyChat = nil
        configuration.pollMillis = 20
        // One person at a terminal, or a script feeding it whole conversations: each line waits for
        // its answer, so the answers-per-minute limit would only stall the script.
        configuration.limits.contactTurnsPerMinute = 10_000
        configuration.orchestrator.teamChannels = team ? ["console"] : []
        configuration.logFormat = "text"
        configuration.logLevel = "error"
        let logger = Logging.bootstrap(configuration)
        let gateway = try await Gateway.buildForCommand(configuration: configuration, logger: logger)
        let gatewayServer = try await BackgroundServer.start { onPort in gateway.application(onListening: onPort) }
        let llm = configuration.llm.baseURL.map { "LLM \(configuration.llm.model ?? "?") at \($0)" } ?? "no LLM (offline answers)"
        print("atende chat: prompts \(configuration.promptsDirectory) (version \(gateway.agents.set.version)), \(llm). /quit to leave.")

        var session = ChatSession(gateway: gateway, receiver: receiver, webhook: gatewayServer.baseURL + "/webhooks/console", secret: secret, name: name)
        for await line in StandardInputLines.stream() {
            let text = line.trimmingCharacters(in: .whitespaces)
            if StandardInputLines.quitCommands.contains(text) { break }
            if text == "/new" || text == "/novo" {
                session.newConversation()
                print("(new conversation \(session.chat))")
            }
            if text.isEmpty || text == "/new" || text == "/novo" {
                StandardInputLines.prompt()
                continue
            }
            do {
                try await session.send(text)
                try await session.waitForTheTurn(timeoutMillis: configuration.llm.timeoutMillis * configuration.llm.maxAttempts + 5000)
                try await session.printAnswer()
            } catch {
                print("(error: \(error))")
            }
            StandardInputLines.prompt()
        }
        try await gatewayServer.stop()
        try await receiverServer.stop()
    }
}

/// One terminal conversation: what was sent, the options last offered.
struct ChatSession {
    let gateway: Gateway
    let receiver: ReplyReceiver
    let webhook: String
    let secret: String
    let name: String
    var chat = "console-\(Int(Date().timeIntervalSince1970))"
    var nextID = 0
    var shown = 0
    var options: [Choice] = []

    mutating func newConversation() {
        chat = "console-\(Int(Date().timeIntervalSince1970))-\(nextID)"
        options = []
        // Replies are counted per chat: the new one has shown none yet.
        shown = 0
    }

    mutating func send(_ text: String) async throws {
        nextID += 1
        var body: [String: JSONValue] = ["id": .string("\(chat)-\(nextID)"), "chat": .string(chat), "name": .string(name)]
        if text.hasPrefix("/team ") || text.hasPrefix("/equipe ") {
            body["side"] = .string("business")
            body["text"] = .string(String(text.drop { $0 != " " }.dropFirst()))
        } else if let number = Int(text), number > 0, options.indices.contains(number - 1) {
            body["choice"] = .string(options[number - 1].id)
            body["title"] = .string(options[number - 1].title)
        } else {
            body["text"] = .string(text)
        }
        var request = HTTPClientRequest(url: webhook)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Atende-Console", value: secret)
        request.body = .bytes(ByteBuffer(string: JSONValue.object(body).encodedString()))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        guard response.status == .ok else { throw CommandFailure(message: "the gateway answered \(response.status.code) to the message") }
    }

    /// Until everything sent is handled and delivered (the bot may also stay quiet).
    func waitForTheTurn(timeoutMillis: Int) async throws {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMillis)
        try await Task.sleep(for: .milliseconds(30))
        while ContinuousClock.now < deadline {
            let counts = try await gateway.runtime.store.counts()
            if counts.unhandledMessages == 0 && counts.queuedTurns == 0 && counts.pendingDeliveries == 0 { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        print("(still waiting after \(timeoutMillis) ms; the answer will show with the next message)")
    }

    mutating func printAnswer() async throws {
        let replies = receiver.replies(for: chat)
        let new = replies.dropFirst(shown)
        shown = replies.count
        if new.isEmpty { print("  (no answer)") }
        // A number picks from the options of the latest answer only, as a tap on a phone would;
        // after an answer without options it is sent as the text it is.
        if !new.isEmpty { options = [] }
        for reply in new {
            print("bot> " + reply.text.replacingOccurrences(of: "\n", with: "\n     "))
            if !reply.choices.isEmpty {
                options = reply.choices
                for (index, choice) in reply.choices.enumerated() { print("     [\(index + 1)] \(choice.title)") }
            }
        }
        let store = gateway.runtime.store
        guard let conversation = try await store.conversation(channelID: "console", platformChatID: chat),
            let trace = try await store.traces(conversationID: conversation.id, limit: 1).last?.trace
        else { return }
        print("     ↳ " + Self.describe(trace, agents: gateway.agents.set, owner: conversation.ownership.owner))
    }

    /// "financeiro (routed): route financeiro 0.93, then caixa 0.04 · prompts 1a2b3c4d · …"
    static func describe(_ trace: ReplyTrace, agents: AgentSet, owner: Ownership.Owner) -> String {
        var parts: [String] = []
        let agent = trace.agent.flatMap { agents.library.agent($0)?.title } ?? "no agent"
        parts.append("\(agent) [\(trace.decision)]")
        if let audience = trace.audience { parts.append(audience == "team" ? "team" : "customer") }
        if let facts = trace.facts { parts.append("facts: \(facts)") }
        if let route = trace.route, let score = trace.score {
            var routing = "route \(route) \(String(format: "%.2f", score))\(trace.confident == true ? "" : " (unsure)")"
            if let runnerUp = trace.runnerUp, let runnerScore = trace.runnerUpScore { routing += ", then \(runnerUp) \(String(format: "%.2f", runnerScore))" }
            parts.append(routing)
        }
        if let model = trace.model {
            parts.append("\(model) \(trace.llmMillis) ms, \(trace.promptTokens)+\(trace.completionTokens) tokens")
        }
        if let error = trace.llmError { parts.append("LLM failed, offline answer (\(error))") }
        if !trace.toolCalls.isEmpty { parts.append("tools: " + trace.toolCalls.map(\.name).joined(separator: ", ")) }
        if owner != .bot { parts.append("owner: \(owner.rawValue)") }
        if let version = trace.promptVersion { parts.append("prompts \(version)") }
        return parts.joined(separator: " · ")
    }
}

/// The console channel's "platform API": keeps what the gateway sends, per chat.
final class ReplyReceiver: Sendable {
    struct Message: Sendable {
        var text: String
        var choices: [Choice]
    }

    private let messages = Mutex<[String: [Message]]>([:])

    func replies(for chat: String) -> [Message] {
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
        var logger = Logger(label: "atende-chat")
        logger.logLevel = .critical
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { await onPort($0.localAddress?.port ?? 0) }, logger: logger
        )
    }
}

/// Lines typed in the terminal, read on a thread of their own so the gateway's work never waits on the keyboard.
enum StandardInputLines {
    static let quitCommands: Set<String> = ["/quit", "/sair"]

    static func stream() -> AsyncStream<String> {
        AsyncStream { continuation in
            let thread = Thread {
                prompt()
                while let line = readLine() {
                    continuation.yield(line)
                    // Stop reading now: a thread blocked in readLine holds stdin's lock, and exit()
                    // waits for that lock to flush the streams.
                    if quitCommands.contains(line.trimmingCharacters(in: .whitespaces)) { break }
                }
                continuation.finish()
            }
            thread.start()
        }
    }

    static func prompt() {
        // Through the same buffer as `print`, flushed so the prompt shows before the line is typed.
        print("you> ", terminator: "")
        fflush(nil)
    }
}
