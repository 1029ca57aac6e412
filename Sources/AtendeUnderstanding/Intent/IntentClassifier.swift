import Foundation

/// Routes a message to an agent or a control intent, trained when it is created from the example
/// messages of every route's topics.
///
/// The model scores topics; a route's probability is the sum over its topics, so a message that
/// could be either of two agenda topics is still a confident "agenda". Scores are calibrated: the
/// raw scores are divided by a temperature, so that a 0.8 is right about 80% of the time. The
/// temperature is a constant measured on cross-validation of the shipped prompts (refitting it
/// at every start cost five extra trainings, which made debug builds and tests slow for a value
/// that barely moves). A topic keyword found in the message adds a fixed boost.
public struct IntentClassifier: Sendable {
    /// The route used when a message has nothing to classify (empty, only emoji, unknown words).
    public static let fallbackRoute = "geral"

    /// Log-odds added to a topic when one of its keywords is in the message: e^1 ≈ 2.7 times
    /// likelier, enough to tip a close call between topics. At 2.5 a keyword inside a message
    /// about something else ("carteira assinada" in a MEI question) made confident wrong answers,
    /// and cross-validation was no better (1,970 examples: 88.2% at 1.0, 87.8% at 2.5; 4,214
    /// examples: 93.9% at 0.5, 1.0, 1.5 and 2.0 alike).
    static let keywordBoost = 1.0
    /// Folds used by `fittedTemperature` (tuning only).
    static let calibrationFolds = 5
    /// The temperature that minimises the route-level log loss of 5-fold out-of-fold predictions
    /// on the shipped prompts (4,214 examples, keyword boost 1.0: 0.50; it was 0.58 on the 1,970
    /// examples before); `fittedTemperature` measures it again.
    static let defaultTemperature = 0.50
    /// Below this many examples the measured temperature does not apply (a tiny model's scores
    /// mean something else), so the scores stay as they are: temperature 1, the cautious choice.
    static let calibratedMinimumExamples = 200

    public let routes: [String]
    public let settings: IntentSettings
    let topics: [TrainedTopic]
    let model: IntentModel
    let extractor: IntentFeatureExtractor
    /// Raw scores are divided by this before the softmax.
    public let temperature: Double
    /// Log-odds added for a keyword match (`keywordBoost` unless an experiment sets another).
    let boost: Double

    struct TrainedTopic: Sendable {
        var route: Int
        var id: String
    }

    /// A keyword of a topic as hashed stems. Each keyword is kept stemmed both ways, since a
    /// message's words are stemmed in the message's language.
    struct KeywordPattern: Sendable {
        var topic: Int
        var stems: [UInt64]
    }

    let portugueseKeywords: KeywordPatterns
    let englishKeywords: KeywordPatterns

    /// Keyword patterns by their first stem, so a message only tries the ones that can match.
    struct KeywordPatterns: Sendable {
        var byFirstStem: [UInt64: [KeywordPattern]] = [:]
        var isEmpty: Bool { byFirstStem.isEmpty }

        mutating func add(_ pattern: KeywordPattern) {
            byFirstStem[pattern.stems[0], default: []].append(pattern)
        }
    }

    public init(routes: [IntentRoute], settings: IntentSettings = .init()) {
        self.init(routes: routes, settings: settings, calibrate: false)
    }

    init(
        routes: [IntentRoute], settings: IntentSettings, calibrate: Bool, extractor: IntentFeatureExtractor = .init(),
        training: IntentModel.Training = .init(), keywordBoost: Double = IntentClassifier.keywordBoost, multiwordKeywordsOnly: Bool = false,
        balancePower: Double = 0.5
    ) {
        // keywordBoost, multiwordKeywordsOnly and balancePower (the exponent of the topic-size
        // weight below) are knobs for tuning experiments; the public init uses the defaults.
        self.routes = routes.map(\.id)
        self.boost = keywordBoost
        self.settings = settings
        self.extractor = extractor
        var topics: [TrainedTopic] = []
        var portugueseKeywords = KeywordPatterns()
        var englishKeywords = KeywordPatterns()
        var examples: [IntentModel.Example] = []
        // fold: the cross-validation fold of an example, as in IntentEvaluation.split; nil for keywords.
        var texts: [(text: String, topic: Int, fold: Int?)] = []
        for (routeIndex, route) in routes.enumerated() {
            for topic in route.topics {
                let topicIndex = topics.count
                topics.append(TrainedTopic(route: routeIndex, id: topic.id))
                for keyword in topic.keywords where !multiwordKeywordsOnly || keyword.contains(" ") {
                    if let stems = Self.keywordStems(keyword, language: .pt) { portugueseKeywords.add(KeywordPattern(topic: topicIndex, stems: stems)) }
                    if let stems = Self.keywordStems(keyword, language: .en) { englishKeywords.add(KeywordPattern(topic: topicIndex, stems: stems)) }
                }
                for (i, text) in topic.examples.enumerated() { texts.append((text, topicIndex, (i + topicIndex) % Self.calibrationFolds)) }
                for keyword in topic.keywords { texts.append((keyword, topicIndex, nil)) }
            }
        }
        // Weight 1/sqrt(size) relative to the mean: a topic with 4 examples is not drowned by one with 60.
        var sizes = [Int](repeating: 0, count: topics.count)
        for item in texts { sizes[item.topic] += 1 }
        let meanSize = Double(texts.count) / Double(max(1, topics.count))
        var buffer: [HashedFeature] = []
        var messages: [PreparedMessage] = []
        for item in texts {
            let message = PreparedMessage(item.text)
            messages.append(message)
            extractor.extract(words: message.shapedWords, stems: message.stems, into: &buffer)
            let weight = pow(meanSize / Double(sizes[item.topic]), balancePower)
            examples.append(IntentModel.Example(features: buffer, label: item.topic, weight: weight))
        }
        self.topics = topics
        self.portugueseKeywords = portugueseKeywords
        self.englishKeywords = englishKeywords
        self.model = IntentModel(examples: examples, classCount: max(1, topics.count), training: training)
        guard calibrate else {
            temperature = texts.count >= Self.calibratedMinimumExamples ? Self.defaultTemperature : 1
            return
        }
        // Out-of-fold scores of every example, from models trained on the other folds (the
        // features are computed once above and reused).
        var heldOut: [OutOfFoldScore] = []
        for fold in 0..<Self.calibrationFolds {
            let trainingExamples = examples.indices.filter { texts[$0].fold != fold }.map { examples[$0] }
            let foldModel = IntentModel(examples: trainingExamples, classCount: max(1, topics.count), training: training)
            for e in examples.indices where texts[e].fold == fold {
                var scores: [Double] = []
                foldModel.logits(examples[e].features, into: &scores)
                heldOut.append(OutOfFoldScore(routeIndex: topics[texts[e].topic].route, scores: scores, keywordMatches: Self.keywordMatches(messages[e], portuguese: portugueseKeywords, english: englishKeywords, topicCount: topics.count)))
            }
        }
        temperature = Self.fitTemperature(heldOut, topicRoutes: topics.map(\.route), boost: keywordBoost)
    }

    /// Words and stems of one message, computed once.
    struct PreparedMessage {
        var language: Language
        var shapedWords: [String]
        var stems: [String]

        init(_ text: String) {
            let words = IntentFeatureExtractor.domainWords(ChatAbbreviations.expand(TextNormalizer.words(text)))
            language = LanguageGuess.guess(text: text, expandedWords: words, fallback: .pt)
            shapedWords = words.map(IntentFeatureExtractor.shape(of:))
            let language = language
            stems = shapedWords.map { Stemmer.stem($0, language: language) }
        }
    }

    public func classify(_ text: String) -> IntentResult {
        let message = PreparedMessage(text)
        guard !message.stems.isEmpty, !topics.isEmpty else { return nothingToGoOn(message.language) }
        var features: [HashedFeature] = []
        features.reserveCapacity(message.shapedWords.count * 16)
        extractor.extract(words: message.shapedWords, stems: message.stems, into: &features)
        var scores: [Double] = []
        scores.reserveCapacity(topics.count)
        let known = model.logits(features, into: &scores)
        let matched = keywordMatches(message)
        guard known > 0 || matched.contains(true) else { return nothingToGoOn(message.language) }
        Self.calibrate(&scores, keywordMatches: matched, temperature: temperature, boost: boost)
        return result(topicProbabilities: scores, language: message.language)
    }

    /// Scores → probabilities: temperature, keyword boosts, softmax.
    static func calibrate(_ scores: inout [Double], keywordMatches: [Bool], temperature: Double, boost: Double) {
        for t in scores.indices {
            scores[t] /= temperature
            if keywordMatches[t] { scores[t] += boost }
        }
        IntentModel.softmaxInPlace(&scores)
    }

    func result(topicProbabilities: [Double], language: Language) -> IntentResult {
        var routeScores = [Double](repeating: 0, count: routes.count)
        var bestTopic = [Int](repeating: -1, count: routes.count)
        for (t, probability) in topicProbabilities.enumerated() {
            let route = topics[t].route
            routeScores[route] += probability
            if bestTopic[route] < 0 || probability > topicProbabilities[bestTopic[route]] { bestTopic[route] = t }
        }
        // Ties keep the routes' given order, so the answer never depends on sort stability.
        let order = routeScores.indices.sorted { routeScores[$0] != routeScores[$1] ? routeScores[$0] > routeScores[$1] : $0 < $1 }
        let candidates = order.map { IntentCandidate(route: routes[$0], score: routeScores[$0]) }
        let top = candidates[0]
        let runnerUp = candidates.count > 1 ? candidates[1] : nil
        let confident = top.score >= settings.threshold && top.score - (runnerUp?.score ?? 0) >= settings.margin
        return IntentResult(
            route: top.route, topic: topics[bestTopic[order[0]]].id, score: top.score, runnerUp: runnerUp,
            confident: confident, language: language, candidates: candidates
        )
    }

    func nothingToGoOn(_ language: Language) -> IntentResult {
        let candidates = routes.map { IntentCandidate(route: $0, score: 0) }
        return IntentResult(
            route: Self.fallbackRoute, topic: nil, score: 0, runnerUp: nil, confident: false, language: language,
            candidates: candidates
        )
    }

    // MARK: - Keywords

    static func keywordStems(_ keyword: String, language: Language) -> [UInt64]? {
        let words = IntentFeatureExtractor.domainWords(ChatAbbreviations.expand(TextNormalizer.words(keyword))).map(IntentFeatureExtractor.shape(of:))
        guard !words.isEmpty else { return nil }
        return words.map { FeatureHash.bytes(Stemmer.stem($0, language: language).utf8, seed: 0) }
    }

    /// For each topic, whether one of its keywords appears in the message as consecutive stems.
    func keywordMatches(_ message: PreparedMessage) -> [Bool] {
        Self.keywordMatches(message, portuguese: portugueseKeywords, english: englishKeywords, topicCount: topics.count)
    }

    static func keywordMatches(_ message: PreparedMessage, portuguese: KeywordPatterns, english: KeywordPatterns, topicCount: Int) -> [Bool] {
        var matches = [Bool](repeating: false, count: topicCount)
        let patterns = message.language == .pt ? portuguese : english
        guard !patterns.isEmpty else { return matches }
        let stems = message.stems.map { FeatureHash.bytes($0.utf8, seed: 0) }
        for (start, stem) in stems.enumerated() {
            guard let candidates = patterns.byFirstStem[stem] else { continue }
            for pattern in candidates where !matches[pattern.topic] && start + pattern.stems.count <= stems.count {
                if stems[start..<(start + pattern.stems.count)].elementsEqual(pattern.stems) { matches[pattern.topic] = true }
            }
        }
        return matches
    }

    // MARK: - Calibration

    /// The temperature that minimises the route-level log loss of out-of-fold predictions.
    static func fitTemperature(_ predictions: [OutOfFoldScore], topicRoutes: [Int], boost: Double) -> Double {
        guard predictions.count >= 10 else { return 1 }
        var best = (temperature: 1.0, loss: Double.infinity)
        // Geometric grid from 0.1 to 10.
        for step in 0...60 {
            let temperature = pow(10, -1 + Double(step) / 30)
            var loss = 0.0
            for prediction in predictions {
                var scores = prediction.scores
                calibrate(&scores, keywordMatches: prediction.keywordMatches, temperature: temperature, boost: boost)
                var probability = 0.0
                for (t, p) in scores.enumerated() where topicRoutes[t] == prediction.routeIndex { probability += p }
                loss -= log(max(probability, 1e-12))
            }
            if loss < best.loss { best = (temperature, loss) }
        }
        return best.temperature
    }

    struct OutOfFoldScore {
        var routeIndex: Int
        var scores: [Double]
        var keywordMatches: [Bool]
    }
}
