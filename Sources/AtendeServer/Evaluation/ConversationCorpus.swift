import AtendeAgents
import AtendeCore
import AtendeScheduling
import AtendeUnderstanding
import AtendeYAML
import Foundation
import Logging
import Synchronization

/// A scripted conversation (`conversations/**/*.yaml`): what a customer or someone of the team
/// writes, what the replies must and must not say, and the state afterwards, with dates relative
/// to the conversation's own clock.
public struct ScriptedConversation: Sendable {
    public var name: String
    public var file: String
    public var team: Bool
    /// When the conversation starts, in the business's time zone (`now: "2026-11-23T10:00"`).
    public var start: (day: CivilDay, minutes: Int)
    public var steps: [Step]
    public var bookings: [ExpectedBooking]
    public var owner: String?

    public enum Action: Sendable {
        case say(String)
        /// Taps option N (1-based) of the latest reply.
        case pick(Int)
        /// Someone of the business writes in the conversation (`#pausar`, `#robo`).
        case team(String)
    }

    public struct Step: Sendable {
        public var action: Action
        public var contains: [String] = []
        public var notContains: [String] = []
        public var agent: String?
        public var silence = false
        public var line: Int
    }

    public struct ExpectedBooking: Sendable {
        public var service: String
        public var day: CivilDay
        public var minutes: Int?
        public var status: String
    }

    static let defaultStart = (CivilDay(year: 2026, month: 11, day: 23), 10 * 60)

    /// Every `*.yaml` under `directory`, sorted by path; a broken file is a problem with its line.
    public static func load(directory: String) throws -> [ScriptedConversation] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
            throw FileProblem(file: directory, line: nil, message: "cannot read the conversations folder")
        }
        let paths = enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".yaml") }.sorted()
        return try paths.map { try load(file: directory + "/" + $0) }
    }

    public static func load(file path: String) throws -> ScriptedConversation {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FileProblem(file: path, line: nil, message: "cannot read the conversation (\(error.localizedDescription))")
        }
        let top = try YAMLNode.parse(text, file: path).mapping(allowed: ["name", "audience", "now", "turns", "after"])
        var conversation = ScriptedConversation(
            name: try top.string("name") ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent, file: path, team: false,
            start: defaultStart, steps: [], bookings: [], owner: nil
        )
        if let audience = top["audience"] {
            switch try audience.string() {
            case "customers": conversation.team = false
            case "team": conversation.team = true
            default: throw audience.problem("audience must be customers or team")
            }
        }
        if let now = top["now"] {
            let value = try now.string()
            let parts = value.split(separator: "T")
            guard parts.count == 2, let day = CivilDay(String(parts[0])), let minutes = clockMinutes(String(parts[1])) else {
                throw now.problem("now must be a local date and time such as 2026-11-23T10:00")
            }
            conversation.start = (day, minutes)
        }
        for node in try top.required("turns").sequence() {
            let entry = try node.mapping(allowed: ["say", "pick", "team", "expect"])
            let action: Action
            if let text = try entry.string("say") {
                action = .say(text)
            } else if let pick = entry["pick"] {
                guard let number = Int(try pick.string()), (1...10).contains(number) else { throw pick.problem("pick is an option's number, 1 to 10") }
                action = .pick(number)
            } else if let text = try entry.string("team") {
                action = .team(text)
            } else {
                throw node.problem("a turn is one of say, pick or team")
            }
            var step = Step(action: action, line: node.line)
            if let expect = entry["expect"] {
                let checks = try expect.mapping(allowed: ["contains", "not_contains", "agent", "silence"])
                step.contains = try checks["contains"]?.strings() ?? []
                step.notContains = try checks["not_contains"]?.strings() ?? []
                step.agent = try checks.string("agent")
                step.silence = try checks["silence"]?.bool() ?? false
            }
            conversation.steps.append(step)
        }
        if let after = top["after"] {
            let checks = try after.mapping(allowed: ["bookings", "owner"])
            conversation.owner = try checks.string("owner")
            for node in try checks["bookings"]?.sequence() ?? [] {
                let booking = try node.mapping(allowed: ["service", "day", "time", "status"])
                guard let day = CivilDay(try booking.requiredString("day")) else { throw node.problem("day must be a date such as 2026-11-26") }
                var minutes: Int?
                if let time = try booking.string("time") {
                    guard let parsed = clockMinutes(time) else { throw node.problem("time must be such as 10:00") }
                    minutes = parsed
                }
                conversation.bookings.append(ExpectedBooking(
                    service: try booking.requiredString("service"), day: day, minutes: minutes, status: try booking.string("status") ?? "confirmed"
                ))
            }
        }
        return conversation
    }

    static func clockMinutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count >= 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        return hour * 60 + minute
    }
}

/// The system clock moved to a conversation's own start, so "amanhã" means the same day whenever
/// the corpus runs.
final class ScriptedTime: TimeSource {
    private let offset: Int64

    init(startingAt instant: Int64) {
        offset = instant - SystemTime().nowMillis()
    }

    func nowMillis() -> Int64 {
        SystemTime().nowMillis() + offset
    }
}

/// Runs scripted conversations through the real pipeline, each on a gateway of its own (the
/// console channel, a throwaway SQLite file, its own clock), and reports what failed.
public enum ConversationEvaluation {
    public struct Failure: Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int?
        public var problem: String
        public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(problem)" }
    }

    public struct Report: Sendable {
        public var total: Int
        /// Per conversation that failed, its failures (each expectation, each state check).
        public var failed: [[Failure]]

        public var passed: Int { total - failed.count }
        public var rate: Double { total == 0 ? 0 : Double(passed) / Double(total) }
        public var summary: String { "conversations: \(passed)/\(total) passed, \(String(format: "%.1f", rate * 100))%" }
    }

    public static func run(_ conversations: [ScriptedConversation], configuration: GatewayConfiguration, agents: AgentSet) async throws -> Report {
        var logger = Logger(label: "atende-eval")
        logger.logLevel = .critical
        var failed: [[Failure]] = []
        let zone = agents.library.business.calendar?.timeZone ?? TimeZone(identifier: agents.library.business.timeZone) ?? .gmt
        for conversation in conversations {
            let failures = try await run(conversation, configuration: configuration, agents: agents, zone: zone, logger: logger)
            if !failures.isEmpty { failed.append(failures) }
        }
        return Report(total: conversations.count, failed: failed)
    }

    static func run(_ conversation: ScriptedConversation, configuration: GatewayConfiguration, agents: AgentSet, zone: TimeZone, logger: Logger) async throws -> [Failure] {
        let time = ScriptedTime(startingAt: conversation.start.day.instant(minutes: conversation.start.minutes, in: zone))
        let console = try await ConsoleGateway.start(configuration: configuration, team: conversation.team, time: time, agents: agents, logger: logger)
        var failures: [Failure] = []
        do {
            var session = console.session(name: "Cliente")
            for step in conversation.steps {
                func fail(_ problem: String) { failures.append(Failure(file: conversation.file, line: step.line, problem: problem)) }
                switch step.action {
                case .say(let text): try await session.send(text)
                case .team(let text): try await session.send("/team " + text)
                case .pick(let number):
                    guard session.options.indices.contains(number - 1) else {
                        fail("pick \(number): the last reply offered \(session.options.count) options")
                        continue
                    }
                    try await session.send(String(number))
                }
                if try await !session.waitForTheTurn(timeoutMillis: 20_000) { fail("no answer within 20 s") }
                let replies = session.takeNewReplies()
                let text = replies.map { ([$0.text] + $0.choices.map(\.title)).joined(separator: "\n") }.joined(separator: "\n")
                let folded = text.lowercased()
                if step.silence, !replies.isEmpty { fail("expected silence, got: \(text.prefix(200))") }
                if !step.silence, replies.isEmpty, !(step.contains.isEmpty && step.agent == nil) { fail("no reply") }
                for fragment in step.contains where !folded.contains(fragment.lowercased()) { fail("reply lacks \"\(fragment)\": \(text.prefix(300))") }
                for fragment in step.notContains where folded.contains(fragment.lowercased()) { fail("reply has \"\(fragment)\": \(text.prefix(300))") }
                if let agent = step.agent {
                    let trace = try await session.state()?.trace
                    let answered = trace?.agent ?? "none"
                    if answered != agent { fail("answered by \(answered) (\(trace?.decision ?? "no trace")), expected \(agent)") }
                }
            }
            let record = try await session.state()?.record
            if let owner = conversation.owner, record?.ownership.owner.rawValue != owner {
                failures.append(Failure(file: conversation.file, line: nil, problem: "owner is \(record?.ownership.owner.rawValue ?? "none"), expected \(owner)"))
            }
            if !conversation.bookings.isEmpty, let calendar = agents.library.business.calendar {
                for expected in conversation.bookings {
                    let found = try await console.gateway.receptionist.bookings(on: expected.day, calendar: calendar)
                    let matches = found.contains { booking in
                        booking.service == expected.service && booking.status.rawValue == expected.status
                            && expected.minutes.map { booking.startsAt == expected.day.instant(minutes: $0, in: calendar.timeZone) } ?? true
                    }
                    if !matches {
                        let seen = found.map { "\($0.service) \($0.status.rawValue) \(ISO8601Text.string(Date(timeIntervalSince1970: Double($0.startsAt) / 1000), in: calendar.timeZone))" }
                        failures.append(Failure(
                            file: conversation.file, line: nil,
                            problem: "no \(expected.status) \(expected.service) booking on \(expected.day)\(expected.minutes.map { " at \($0 / 60):\(String(format: "%02d", $0 % 60))" } ?? ""); found: \(seen)"
                        ))
                    }
                }
            }
        } catch {
            failures.append(Failure(file: conversation.file, line: nil, problem: "\(error)"))
        }
        try await console.stop()
        return failures
    }
}
