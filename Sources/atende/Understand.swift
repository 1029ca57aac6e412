import AtendeAgents
import AtendeCore
import AtendeServer
import AtendeUnderstanding
import ArgumentParser
import Foundation

/// `atende route`: one JSON line per input line, the route the classifier picks.
struct Route: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Route messages: reads JSON lines {\"text\": …} (or plain lines) on stdin, prints one JSON line per message.",
        discussion: """
            Output: {"text", "agent", "intent", "topic", "score", "confident", "runner_up": {"intent", "score"}, "language"}.
            "agent" and "intent" are the route: an agent id, or a control intent (humano, continuar) for both.
            """
    )

    @Option(help: "The prompts folder the classifier learns from.") var prompts = "prompts"
    @Option(help: "Minimum score to be confident (default from the classifier).") var threshold: Double?
    @Option(help: "Minimum lead over the runner-up to be confident.") var margin: Double?
    @Option(help: "Route as a contact of this audience: customers (reception, booking, control), team, or all (default).") var audience = "all"

    func run() throws {
        guard let audience = Agent.Audience(rawValue: audience) else { throw ValidationError("--audience must be customers, team or all") }
        let classifier = try IntentClassifier(routes: loadRoutes(prompts, audience: audience), settings: settings(threshold: threshold, margin: margin))
        try forEachInputLine { line in
            let text = inputText(line, key: "text")
            let result = classifier.classify(text)
            var output: [String: JSONValue] = [
                "text": .string(text),
                "agent": .string(result.route),
                "intent": .string(result.route),
                "score": .double(rounded(result.score)),
                "confident": .bool(result.confident),
                "language": .string(result.language.rawValue),
                "runner_up": result.runnerUp.map { .object(["intent": .string($0.route), "score": .double(rounded($0.score))]) } ?? .null,
            ]
            if let topic = result.topic { output["topic"] = .string(topic) }
            print(JSONValue.object(output).encodedString())
        }
    }
}

/// `atende dates`: the dates and times in each message, relative to a reference instant.
struct Dates: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Extract dates and times: reads JSON lines {\"text\", \"ref\": ISO-8601 with offset, \"tz\"?: IANA name} on stdin.",
        discussion: """
            Output per line: {"text", "entities": [{"kind": "instant"|"interval", "value"?, "from"?, "to"?, "grain", "start", "end"}]}.
            Values are ISO-8601 with the offset; an interval's "to" is exclusive; start/end count Unicode scalars.
            Without "ref", now; without "tz", the offset of "ref" (or America/Sao_Paulo).
            """
    )

    func run() throws {
        let extractor = DateExtractor()
        try forEachInputLine { line in
            let object = JSONValue.parse(Array(line.utf8))
            let text = inputText(line, key: "text")
            let refText = object?.value(at: "ref")?.scalarText
            var reference = Date()
            var zone = TimeZone(identifier: "America/Sao_Paulo")!
            if let refText {
                guard let parsed = ReferenceTime.parse(refText) else {
                    throw ValidationError("'\(refText)' is not an ISO-8601 time with an offset, such as 2026-11-20T10:00:00-03:00")
                }
                (reference, zone) = parsed
            }
            if let name = object?.value(at: "tz")?.scalarText {
                guard let named = TimeZone(identifier: name) else { throw ValidationError("'\(name)' is not an IANA time zone (is tzdata installed?)") }
                zone = named
            }
            let entities = extractor.extract(from: text, reference: reference, timeZone: zone).map { entity -> JSONValue in
                var fields: [String: JSONValue] = [
                    "grain": .string(entity.grain.rawValue),
                    "start": .int(Int64(entity.range.lowerBound)),
                    "end": .int(Int64(entity.range.upperBound)),
                ]
                switch entity.value {
                case .instant(let date):
                    fields["kind"] = .string("instant")
                    fields["value"] = .string(ISO8601Text.string(date, in: zone))
                case .interval(let from, let to):
                    fields["kind"] = .string("interval")
                    if let from { fields["from"] = .string(ISO8601Text.string(from, in: zone)) }
                    if let to { fields["to"] = .string(ISO8601Text.string(to, in: zone)) }
                }
                return .object(fields)
            }
            print(JSONValue.object(["text": .string(text), "entities": .array(entities)]).encodedString())
        }
    }
}

/// `atende eval`: how well the classifier learns the prompt files, or the extractor a corpus.
struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cross-validate the intent classifier on the prompt files' examples, or score a date corpus with --dates FILE.",
        discussion: "Date corpora use the JSON-lines format of Duckling's time corpus (kind instant|interval|none, value, grain, ref)."
    )

    @Option(help: "The prompts folder.") var prompts = "prompts"
    @Option(help: "Number of folds.") var folds = 5
    @Option(name: .customLong("dates"), help: "Score this date corpus instead.") var datesFile: String?
    @Flag(help: "List every message routed wrongly (or, with --dates, every line the extractor got wrong).") var failures = false
    @Option(help: "Whose routes: customers (reception, booking and the control intents), team, or all (default).") var audience = "all"
    @Option(name: .customLong("conversations"), help: "Run the scripted conversations in this folder (conversations/) instead.") var conversationsFolder: String?

    func run() async throws {
        guard let audience = Agent.Audience(rawValue: audience) else { throw ValidationError("--audience must be customers, team or all") }
        if let conversationsFolder {
            return try await runConversations(conversationsFolder)
        }
        if let datesFile {
            let text: String
            do {
                text = try String(contentsOfFile: datesFile, encoding: .utf8)
            } catch {
                throw ValidationError("cannot read \(datesFile): \(error.localizedDescription)")
            }
            let report = try DateCorpus.score(jsonLines: text)
            print("\(datesFile)\n\(report.summary)")
            if failures {
                for failure in report.failures { print("  ✗ \(failure.text)\n      expected \(failure.expected)\n      found    \(failure.found)") }
            }
            return
        }
        guard folds >= 2 else { throw ValidationError("--folds must be at least 2") }
        let report = IntentEvaluation.crossValidate(routes: try loadRoutes(prompts, audience: audience), folds: folds)
        print(report.description)
        if failures {
            for mistake in report.mistakes {
                print("  ✗ \(mistake.expected) → \(mistake.predicted) (\(String(format: "%.2f", mistake.score))\(mistake.confident ? ", confident" : "")): \(mistake.text)")
            }
        }
    }
}

extension Eval {
    /// Every conversation of the folder through the real pipeline; the success rate and, with
    /// --failures, each failed expectation with its file and line.
    func runConversations(_ folder: String) async throws {
        let conversations: [ScriptedConversation]
        let agents: AgentSet
        do {
            conversations = try ScriptedConversation.load(directory: folder)
            agents = try AgentSet.load(directory: prompts)
        } catch let problems as FileProblems {
            throw ValidationError(problems.description)
        } catch let problem as FileProblem {
            throw ValidationError(problem.description)
        }
        var configuration = GatewayConfiguration()
        configuration.promptsDirectory = prompts
        let report = try await ConversationEvaluation.run(conversations, configuration: configuration, agents: agents)
        print(report.summary)
        if failures {
            for conversation in report.failed {
                for failure in conversation { print("  ✗ \(failure)") }
            }
        }
    }
}

private func loadRoutes(_ directory: String, audience: Agent.Audience = .all) throws -> [IntentRoute] {
    do {
        return try PromptLibrary.load(directory: directory).intentRoutes(for: audience)
    } catch let problems as FileProblems {
        throw ValidationError(problems.description)
    }
}

private func settings(threshold: Double?, margin: Double?) -> IntentSettings {
    var settings = IntentSettings()
    if let threshold { settings.threshold = threshold }
    if let margin { settings.margin = margin }
    return settings
}

private func rounded(_ value: Double) -> Double {
    (value * 10_000).rounded() / 10_000
}

/// A JSON line's `key`, or the whole line when it is not JSON.
private func inputText(_ line: String, key: String) -> String {
    if line.hasPrefix("{"), let text = JSONValue.parse(Array(line.utf8))?.value(at: key)?.scalarText { return text }
    return line
}

private func forEachInputLine(_ body: (String) throws -> Void) throws {
    while let line = readLine(strippingNewline: true) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { continue }
        try body(trimmed)
    }
}

/// A reference instant with its offset: `2013-02-12T04:30:00.000-02:00`.
enum ReferenceTime {
    static func parse(_ text: String) -> (Date, TimeZone)? {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        guard let date = (try? withFraction.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text)) else { return nil }
        if text.hasSuffix("Z") { return (date, TimeZone(secondsFromGMT: 0)!) }
        let suffix = text.suffix(6)
        guard suffix.count == 6, let sign = suffix.first, sign == "+" || sign == "-",
            let hours = Int(suffix.dropFirst().prefix(2)), let minutes = Int(suffix.suffix(2)),
            let zone = TimeZone(secondsFromGMT: (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60))
        else { return nil }
        return (date, zone)
    }
}
