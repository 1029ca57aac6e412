import Foundation

/// Multinomial logistic regression over hashed message features: one weight per (feature,
/// topic) pair plus a bias per topic.
///
/// Trained with plain stochastic gradient descent for a fixed number of epochs, visiting the
/// examples in a fixed order (a stride permutation), so the same examples always give the same
/// weights. Small data (hundreds of examples) makes this take milliseconds.
struct IntentModel: Sendable {
    struct Example {
        var features: [HashedFeature]
        var label: Int
        /// Topics with few examples weigh more, so a big topic does not swallow a small one.
        var weight: Double
    }

    struct Training: Sendable {
        var epochs = 10
        var learningRate = 3.0
        /// Learning rate at epoch e is learningRate / (1 + decay · e).
        var decay = 0.3
        /// L2 penalty on the weights a step touches; keeps any one n-gram from dominating.
        var l2 = 1e-4
    }

    let index: FeatureIndex
    /// IDF per feature row, and for features never seen in training (they still count in a
    /// message's length, so an unfamiliar message gets weaker scores).
    let inverseFrequency: [Double]
    let unseenInverseFrequency: Double
    /// Row-major: the weights of feature row r are `weights[r * rowStride ..< r * rowStride + classCount]`.
    /// Trained in Double, kept in Float: half the memory to pull through the cache per message,
    /// and scores only need a few digits.
    let weights: [Float]
    let bias: [Double]
    let classCount: Int
    /// Floats per row of `weights`: `classCount` rounded up to a multiple of 8, so a row is read
    /// as whole SIMD8 vectors (the padding is zero).
    let rowStride: Int

    init(examples: [Example], classCount: Int, training: Training = .init()) {
        var index = FeatureIndex(expectedCount: examples.reduce(0) { $0 + $1.features.count })
        // The rows of all examples back to back (example e owns rows[starts[e]..<starts[e + 1]]),
        // resolved once, and in how many examples each row occurs. One flat array instead of an
        // array per example: the training loop reads it through a pointer, which keeps debug
        // builds (no inlining, checked subscripts) from spending seconds on array bookkeeping.
        var rows: [Int32] = []
        rows.reserveCapacity(examples.reduce(0) { $0 + $1.features.count })
        var starts: [Int] = [0]
        var documentFrequency: [Int] = []
        var lastSeenIn: [Int] = []
        for (e, example) in examples.enumerated() {
            for feature in example.features {
                let row = index.insert(feature.key)
                if row == documentFrequency.count {
                    documentFrequency.append(0)
                    lastSeenIn.append(-1)
                }
                if lastSeenIn[row] != e {
                    lastSeenIn[row] = e
                    documentFrequency[row] += 1
                }
                rows.append(Int32(row))
            }
            starts.append(rows.count)
        }
        // Smoothed IDF: a word in every example ("de", "the") counts little, a rare one a lot.
        let documents = Double(examples.count)
        let inverseFrequency = documentFrequency.map { log((documents + 1) / (Double($0) + 1)) + 1 }
        let unseenInverseFrequency = log(documents + 1) + 1
        var values: [Double] = []
        values.reserveCapacity(rows.count)
        for (e, example) in examples.enumerated() {
            var exampleValues = zip(example.features, rows[starts[e]..<starts[e + 1]]).map { $0.value * inverseFrequency[Int($1)] }
            Self.normalize(&exampleValues)
            values.append(contentsOf: exampleValues)
        }
        let labels = examples.map(\.label)
        let exampleWeights = examples.map(\.weight)
        let featureCount = index.count
        var weights = [Double](repeating: 0, count: featureCount * classCount)
        var bias = [Double](repeating: 0, count: classCount)
        var probabilities = [Double](repeating: 0, count: classCount)
        var active = [Int](repeating: 0, count: classCount)
        let n = examples.count
        let stride = Self.coprimeStride(for: n)
        // The model kept is the mean of the weights after each epoch of the second half: SGD
        // leans towards the examples it saw last, and the epochs end on different examples.
        let averagedFrom = training.epochs / 2
        var averageWeights = [Double](repeating: 0, count: featureCount * classCount)
        var averageBias = [Double](repeating: 0, count: classCount)

        rows.withUnsafeBufferPointer { rows in
        values.withUnsafeBufferPointer { values in
        starts.withUnsafeBufferPointer { starts in
        weights.withUnsafeMutableBufferPointer { w in
        averageWeights.withUnsafeMutableBufferPointer { average in
        probabilities.withUnsafeMutableBufferPointer { p in
        bias.withUnsafeMutableBufferPointer { b in
        active.withUnsafeMutableBufferPointer { active in
            for epoch in 0..<training.epochs {
                let rate = training.learningRate / (1 + training.decay * Double(epoch))
                let shrink = 1 - rate * training.l2
                for k in 0..<n {
                    let i = (k * stride + epoch * 31) % n
                    let first = starts[i]
                    let end = starts[i + 1]
                    for t in 0..<classCount { p[t] = b[t] }
                    var j = first
                    while j < end {
                        let base = Int(rows[j]) * classCount
                        let value = values[j]
                        for t in 0..<classCount { p[t] += value * w[base + t] }
                        j += 1
                    }
                    Self.softmaxInPlace(p)
                    let label = labels[i]
                    let step = exampleWeights[i] * rate
                    // p becomes the gradient of the loss times the step size. Topics the model
                    // already rules out (gradient under 0.001) are skipped: after the first
                    // epochs that is most of them, and training gets several times faster.
                    var activeCount = 0
                    for t in 0..<classCount {
                        let gradient = p[t] - (t == label ? 1 : 0)
                        guard abs(gradient) >= 1e-3 else { continue }
                        p[t] = gradient * step
                        b[t] -= p[t]
                        active[activeCount] = t
                        activeCount += 1
                    }
                    j = first
                    while j < end {
                        let base = Int(rows[j]) * classCount
                        let value = values[j]
                        for a in 0..<activeCount {
                            let t = active[a]
                            w[base + t] = w[base + t] * shrink - p[t] * value
                        }
                        j += 1
                    }
                }
                if epoch >= averagedFrom {
                    for j in 0..<w.count { average[j] += w[j] }
                    for t in 0..<classCount { averageBias[t] += b[t] }
                }
            }
        }
        }
        }
        }
        }
        }
        }
        }
        self.index = index
        self.inverseFrequency = inverseFrequency
        self.unseenInverseFrequency = unseenInverseFrequency
        let averagedEpochs = Double(training.epochs - averagedFrom)
        let rowStride = (classCount + 7) / 8 * 8
        var padded = [Float](repeating: 0, count: featureCount * rowStride)
        for row in 0..<featureCount {
            for t in 0..<classCount { padded[row * rowStride + t] = Float(averageWeights[row * classCount + t] / averagedEpochs) }
        }
        self.weights = padded
        self.rowStride = rowStride
        self.bias = averageBias.map { $0 / averagedEpochs }
        self.classCount = classCount
    }

    /// Raw scores per topic for a message's features; returns how many features the model knew.
    @discardableResult
    func logits(_ features: [HashedFeature], into logits: inout [Double]) -> Int {
        logits.removeAll(keepingCapacity: true)
        var known = 0
        var squaredLength = 0.0
        let vectors = rowStride / 8
        // Sums in Float, eight topics at a time: the weights are Floats already, and a score
        // needs a few digits, not sixteen.
        withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: vectors) { sums in
            for v in 0..<vectors { sums[v] = .zero }
            weights.withUnsafeBytes { w in
                inverseFrequency.withUnsafeBufferPointer { idf in
                    for feature in features {
                        guard let row = index.row(of: feature.key) else {
                            let value = feature.value * unseenInverseFrequency
                            squaredLength += value * value
                            continue
                        }
                        known += 1
                        let value = feature.value * idf[row]
                        squaredLength += value * value
                        let scale = SIMD8<Float>(repeating: Float(value))
                        let base = row * rowStride * MemoryLayout<Float>.stride
                        for v in 0..<vectors {
                            sums[v] += scale * w.loadUnaligned(fromByteOffset: base + v * 32, as: SIMD8<Float>.self)
                        }
                    }
                }
            }
            // Scaling after the sums is the same as scaling the vector first (the bias is not scaled).
            let scale = squaredLength > 0 ? 1 / squaredLength.squareRoot() : 0
            for t in 0..<classCount { logits.append(bias[t] + Double(sums[t / 8][t % 8]) * scale) }
        }
        return known
    }

    static func normalize(_ values: inout [Double]) {
        var squaredLength = 0.0
        for value in values { squaredLength += value * value }
        guard squaredLength > 0 else { return }
        let scale = 1 / squaredLength.squareRoot()
        for i in values.indices { values[i] *= scale }
    }

    static func softmaxInPlace(_ values: inout [Double]) {
        values.withUnsafeMutableBufferPointer { softmaxInPlace($0) }
    }

    static func softmaxInPlace(_ values: UnsafeMutableBufferPointer<Double>) {
        guard var maximum = values.first else { return }
        for value in values where value > maximum { maximum = value }
        var sum = 0.0
        for i in values.indices {
            values[i] = exp(values[i] - maximum)
            sum += values[i]
        }
        for i in values.indices { values[i] /= sum }
    }

    /// A step size that visits every index of 0..<n exactly once per epoch and in a scrambled
    /// order, so that examples of one topic (which come in a block) do not arrive together.
    static func coprimeStride(for n: Int) -> Int {
        guard n > 2 else { return 1 }
        var stride = max(1, Int(Double(n) * 0.618))
        while gcd(stride, n) != 1 { stride += 1 }
        return stride
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        b == 0 ? a : gcd(b, a % b)
    }
}
