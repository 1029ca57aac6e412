/// A message with the route it should go to: an example held out of training, or a line of a
/// held-out test file.
public struct LabeledMessage: Sendable, Equatable {
    public var text: String
    public var route: String

    public init(text: String, route: String) {
        self.text = text
        self.route = route
    }
}

/// How well the classifier routes messages it was not trained on (backs `atende eval`).
public enum IntentEvaluation {
    /// k-fold cross-validation over the examples of `routes`. Within each topic the i-th example
    /// goes to fold (i + topic number) mod k: deterministic, and every topic is spread over all
    /// folds, so each training split still knows every topic. Keywords stay in every split
    /// (they are configuration, not examples).
    public static func crossValidate(routes: [IntentRoute], folds: Int = 5, settings: IntentSettings = .init()) -> IntentEvaluationReport {
        precondition(folds >= 2, "cross-validation needs at least two folds")
        var report = IntentEvaluationReport(routes: routes.map(\.id), label: "\(folds)-fold cross-validation")
        for fold in 0..<folds {
            let split = split(routes, fold: fold, of: folds)
            guard !split.heldOut.isEmpty else { continue }
            let classifier = IntentClassifier(routes: split.training, settings: settings)
            for example in split.heldOut {
                report.record(expected: routes[example.routeIndex].id, text: example.text, result: classifier.classify(example.text))
            }
        }
        return report
    }

    /// Accuracy of a trained classifier on messages it has not seen.
    public static func evaluate(_ classifier: IntentClassifier, on messages: [LabeledMessage], label: String = "held-out") -> IntentEvaluationReport {
        var routes = classifier.routes
        for message in messages where !routes.contains(message.route) { routes.append(message.route) }
        var report = IntentEvaluationReport(routes: routes, label: label)
        for message in messages {
            report.record(expected: message.route, text: message.text, result: classifier.classify(message.text))
        }
        return report
    }

    struct HeldOutExample {
        var text: String
        var routeIndex: Int
    }

    /// The routes without fold `fold`'s examples, and those examples.
    static func split(_ routes: [IntentRoute], fold: Int, of folds: Int) -> (training: [IntentRoute], heldOut: [HeldOutExample]) {
        var training: [IntentRoute] = []
        var heldOut: [HeldOutExample] = []
        var topicNumber = 0
        for (routeIndex, route) in routes.enumerated() {
            var kept = route
            for (topicIndex, topic) in route.topics.enumerated() {
                var examples: [String] = []
                for (i, example) in topic.examples.enumerated() {
                    if (i + topicNumber) % folds == fold {
                        heldOut.append(HeldOutExample(text: example, routeIndex: routeIndex))
                    } else {
                        examples.append(example)
                    }
                }
                kept.topics[topicIndex].examples = examples
                topicNumber += 1
            }
            training.append(kept)
        }
        return (training, heldOut)
    }
}

/// Accuracy overall and per route, the confusion table, and how trustworthy `confident` was.
public struct IntentEvaluationReport: Sendable, Equatable, CustomStringConvertible {
    public struct RouteAccuracy: Sendable, Equatable {
        public var route: String
        public var total: Int
        public var correct: Int
        public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }
    }

    public struct Mistake: Sendable, Equatable {
        public var text: String
        public var expected: String
        public var predicted: String
        public var score: Double
        public var confident: Bool
    }

    public var label: String
    /// Row and column order of `confusion`.
    public var routes: [String]
    /// `confusion[expected][predicted]`: how many messages of route `expected` went to `predicted`.
    public var confusion: [[Int]]
    public var mistakes: [Mistake] = []
    /// Messages the classifier was confident about, and how many of those it got right.
    public var confidentCount = 0
    public var confidentCorrect = 0

    init(routes: [String], label: String) {
        self.label = label
        self.routes = routes
        self.confusion = Array(repeating: Array(repeating: 0, count: routes.count), count: routes.count)
    }

    public var total: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }
    public var correct: Int { routes.indices.reduce(0) { $0 + confusion[$1][$1] } }
    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }
    /// Share of messages answered without a clarifying question.
    public var confidentShare: Double { total == 0 ? 0 : Double(confidentCount) / Double(total) }
    /// Accuracy among the confident answers.
    public var confidentAccuracy: Double { confidentCount == 0 ? 0 : Double(confidentCorrect) / Double(confidentCount) }

    public var perRoute: [RouteAccuracy] {
        routes.indices.map { RouteAccuracy(route: routes[$0], total: confusion[$0].reduce(0, +), correct: confusion[$0][$0]) }
    }

    mutating func record(expected: String, text: String, result: IntentResult) {
        if !routes.contains(result.route) {
            // A prediction outside the route list (the fallback "geral" when there is no such agent).
            routes.append(result.route)
            for i in confusion.indices { confusion[i].append(0) }
            confusion.append(Array(repeating: 0, count: routes.count))
        }
        guard let row = routes.firstIndex(of: expected), let column = routes.firstIndex(of: result.route) else { return }
        confusion[row][column] += 1
        let right = row == column
        if result.confident {
            confidentCount += 1
            if right { confidentCorrect += 1 }
        }
        if !right {
            mistakes.append(Mistake(text: text, expected: expected, predicted: result.route, score: result.score, confident: result.confident))
        }
    }

    /// A plain-text report: accuracy per route, then the confusion table (rows: expected route,
    /// columns: predicted route).
    public var description: String {
        var lines: [String] = []
        lines.append("\(label): \(correct)/\(total) correct, accuracy \(percent(accuracy))")
        lines.append("confident: \(percent(confidentShare)) of messages, \(percent(confidentAccuracy)) of those right")
        lines.append("")
        let nameWidth = max(5, routes.map(\.count).max() ?? 0)
        lines.append(pad("route", nameWidth) + "  " + pad("right", 7, left: true) + "  " + pad("total", 5, left: true) + "  " + pad("accuracy", 8, left: true))
        for route in perRoute where route.total > 0 {
            lines.append(
                pad(route.route, nameWidth) + "  " + pad("\(route.correct)", 7, left: true) + "  " + pad("\(route.total)", 5, left: true)
                    + "  " + pad(percent(route.accuracy), 8, left: true)
            )
        }
        lines.append("")
        lines.append("confusion (rows: expected, columns: predicted)")
        let columnWidth = max(4, routes.map(\.count).max() ?? 0)
        lines.append(pad("", nameWidth) + routes.map { " " + pad($0, columnWidth, left: true) }.joined())
        for (i, route) in routes.enumerated() {
            lines.append(pad(route, nameWidth) + confusion[i].map { " " + pad($0 == 0 ? "." : "\($0)", columnWidth, left: true) }.joined())
        }
        return lines.joined(separator: "\n")
    }

    private func percent(_ value: Double) -> String {
        let tenths = Int((value * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    private func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return left ? padding + text : text + padding
    }
}
