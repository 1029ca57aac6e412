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
        configuration.logFormat = "text"
        configuration.logLevel = "error"
        let logger = Logging.bootstrap(configuration)
        let console: ConsoleGateway
        do {
            console = try await ConsoleGateway.start(configuration: configuration, database: database, team: team, logger: logger)
        } catch let problems as FileProblems {
            throw CommandFailure(message: problems.description)
        }
        let llm = configuration.llm.baseURL.map { "LLM \(configuration.llm.model ?? "?") at \($0)" } ?? "no LLM (offline answers)"
        print("atende chat: prompts \(configuration.promptsDirectory) (version \(console.gateway.agents.set.version)), \(llm). /quit to leave.")

        var session = console.session(name: name)
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
                if try await !session.waitForTheTurn(timeoutMillis: configuration.llm.timeoutMillis * configuration.llm.maxAttempts + 5000) {
                    print("(still waiting; the answer will show with the next message)")
                }
                try await Self.printAnswer(&session, agents: console.gateway.agents.set)
            } catch {
                print("(error: \(error))")
            }
            StandardInputLines.prompt()
        }
        try await console.stop()
    }

    static func printAnswer(_ session: inout ConsoleSession, agents: AgentSet) async throws {
        let new = session.takeNewReplies()
        if new.isEmpty { print("  (no answer)") }
        for reply in new {
            print("bot> " + reply.text.replacingOccurrences(of: "\n", with: "\n     "))
            for (index, choice) in reply.choices.enumerated() { print("     [\(index + 1)] \(choice.title)") }
        }
        guard let (record, trace) = try await session.state(), let trace else { return }
        print("     ↳ " + describe(trace, agents: agents, owner: record.ownership.owner))
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
