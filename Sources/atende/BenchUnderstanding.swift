import AtendeAgents
import AtendeCore
import AtendeUnderstanding
import ArgumentParser
import Foundation

/// `atende bench-understanding`: how long routing plus date extraction takes per message on one
/// core. Build with `-c release`; a debug build measures the debugger's overhead, not the code.
struct BenchUnderstanding: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-understanding",
        abstract: "Measure route + date extraction per message (median µs, messages/s) on one core."
    )

    @Option(help: "The prompts folder the classifier learns from.") var prompts = "prompts"
    @Option(help: "JSON lines {\"text\": …} (or plain lines) to run; default: the held-out routing set, independent chat messages.")
    var messages = "Tests/AtendeUnderstandingTests/Fixtures/routing-holdout.jsonl"
    @Option(help: "Times to run the whole set (1 or more).") var rounds = 50

    func validate() throws {
        guard rounds >= 1 else { throw ValidationError("--rounds must be 1 or more") }
    }

    func run() throws {
        let texts = try String(contentsOfFile: messages, encoding: .utf8).split(separator: "\n").map { line -> String in
            let line = String(line)
            if line.hasPrefix("{"), let text = JSONValue.parse(Array(line.utf8))?.value(at: "text")?.scalarText { return text }
            return line
        }.filter { !$0.isEmpty }
        guard !texts.isEmpty else { throw ValidationError("\(messages) has no messages") }
        let library: PromptLibrary
        do {
            library = try PromptLibrary.load(directory: prompts)
        } catch {
            throw ValidationError(error.description)
        }
        let trainingStart = ContinuousClock.now
        let classifier = IntentClassifier(routes: library.intentRoutes)
        let training = ContinuousClock.now - trainingStart
        let extractor = DateExtractor()
        let zone = TimeZone(identifier: "America/Sao_Paulo")!
        let reference = Date(timeIntervalSince1970: 1_795_000_000)

        var route: [Double] = []
        var extract: [Double] = []
        var both: [Double] = []
        var sink = 0
        for _ in 0..<rounds {
            for text in texts {
                let start = ContinuousClock.now
                let result = classifier.classify(text)
                let routed = ContinuousClock.now
                let entities = extractor.extract(from: text, reference: reference, timeZone: zone)
                let end = ContinuousClock.now
                sink &+= result.route.count &+ entities.count
                route.append(Self.micros(routed - start))
                extract.append(Self.micros(end - routed))
                both.append(Self.micros(end - start))
            }
        }
        let total = both.reduce(0, +)
        print("messages: \(texts.count) × \(rounds) rounds from \(messages); classifier trained in \(Self.millis(training)) ms")
        print(String(format: "route + extract  median %.1f µs  p90 %.1f µs  p99 %.1f µs  %.0f messages/s (one core)",
                     Self.percentile(both, 0.5), Self.percentile(both, 0.9), Self.percentile(both, 0.99), Double(both.count) / (total / 1_000_000)))
        print(String(format: "route only       median %.1f µs", Self.percentile(route, 0.5)))
        print(String(format: "extract only     median %.1f µs", Self.percentile(extract, 0.5)))
        if sink == Int.min { print(sink) }
    }

    static func micros(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1_000_000 + Double(duration.components.attoseconds) / 1e12
    }

    static func millis(_ duration: Duration) -> Int {
        Int(micros(duration) / 1000)
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
}
