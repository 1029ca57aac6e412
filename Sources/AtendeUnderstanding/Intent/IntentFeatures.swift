/// One feature of a message: the 64-bit hash of what it is (a stem, a pair of stems, a piece of a
/// word) and its weight in the message's vector.
struct HashedFeature: Sendable {
    var key: UInt64
    var value: Double
}

/// Turns a message into the features the intent model reads:
///
/// - each word's stem ("agendamento" → "agend"), so inflections share evidence;
/// - each pair of neighbouring stems ("falar pessoa", "segunda via"), for phrases;
/// - the character 3- and 4-grams of each word with its boundaries ("<ag", "gend", "nto>"),
///   so that a typo ("agendamneto") or a missing letter still shares most of its pieces.
///
/// Features are hashed straight from the UTF-8 bytes, so no string is built per n-gram. The
/// values are raw kind weights; `IntentModel` applies IDF and scales the vector to unit length.
struct IntentFeatureExtractor: Sendable {
    /// How much each kind of feature counts before the vector is normalised. Character n-grams
    /// are many per word, so each weighs less than a whole word.
    var stemWeight = 1.0
    var pairWeight = 0.8
    var characterWeight = 0.7
    var minimumGram = 3
    var maximumGram = 4

    static let stemSeed: UInt64 = 0x5157_4F52_4453_0001
    static let pairSeed: UInt64 = 0x5041_4952_5300_0002
    static let characterSeed: UInt64 = 0x4348_4152_5300_0003

    /// The stems of `words` (already folded and expanded), with digits reduced to their shape:
    /// "15h" and "9h" both become "0h", so times and amounts look alike.
    static func stems(of words: [String], language: Language) -> [String] {
        words.map { Stemmer.stem(shape(of: $0), language: language) }
    }

    /// The word that stands for the MEI's monthly tax (DAS) instead of the preposition "das".
    static let taxDAS = "dasimposto"

    /// Rewrites "das" to `taxDAS` where it is the tax: "o das do mei", "paguei o das", "my DAS",
    /// "das atrasado". Without this the tax shares its only word with the most common preposition
    /// ("a das 9", "boletos das contas"), and "pagar o das" looks like paying a bill (caixa).
    /// The preposition reading wins when a time follows ("o das 18h", "o das 9"), unless the
    /// number counts months ("o das 3 meses").
    static func markTaxDAS(_ words: [String]) -> [String] {
        guard words.contains("das") else { return words }
        let before: Set<String> = ["o", "do", "no", "meu", "pagar", "pago", "paguei", "pagou", "pague", "emitir", "guia", "the", "my", "pay", "overdue", "late"]
        let after: Set<String> = ["mei", "atrasado", "atrasada", "atrasados", "vencido", "vencida", "aumentou", "mensal", "monthly", "tax", "payment"]
        let months: Set<String> = ["mes", "meses", "month", "months"]
        var words = words
        for i in words.indices where words[i] == "das" {
            let next = i + 1 < words.count ? words[i + 1] : nil
            let afterNext = i + 2 < words.count ? words[i + 2] : nil
            let nextIsTime = next.map { $0.first?.isNumber == true } ?? false
            let isTax: Bool
            if let next, after.contains(next) || (next == "do" && afterNext == "mei") {
                isTax = true
            } else if i > 0, before.contains(words[i - 1]) {
                isTax = !nextIsTime || months.contains(afterNext ?? "")
            } else {
                isTax = false
            }
            if isTax { words[i] = taxDAS }
        }
        return words
    }

    static func shape(of word: String) -> String {
        guard word.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) else { return word }
        var bytes: [UInt8] = []
        var previousWasDigit = false
        for byte in word.utf8 {
            let isDigit = byte >= 0x30 && byte <= 0x39
            if isDigit {
                if !previousWasDigit { bytes.append(0x30) }
            } else {
                bytes.append(byte)
            }
            previousWasDigit = isDigit
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the features of a message to `features` (cleared first).
    func extract(words: [String], stems: [String], into features: inout [HashedFeature]) {
        features.removeAll(keepingCapacity: true)
        var previousStemHash: UInt64?
        for (word, stem) in zip(words, stems) {
            let stemHash = FeatureHash.bytes(stem.utf8, seed: Self.stemSeed)
            features.append(HashedFeature(key: stemHash, value: stemWeight))
            if let previous = previousStemHash {
                features.append(HashedFeature(key: FeatureHash.combine(previous, stemHash, seed: Self.pairSeed), value: pairWeight))
            }
            previousStemHash = stemHash
            appendCharacterGrams(of: word, to: &features)
        }
    }

    /// 3- and 4-grams of "<word>" (5-grams cost a third more lookups for no measurable accuracy), hashed over bytes ('<' and '>' mark the word's edges).
    private func appendCharacterGrams(of word: String, to features: inout [HashedFeature]) {
        var word = word
        word.withUTF8 { utf8 in
            let length = utf8.count + 2
            func byte(_ i: Int) -> UInt8 {
                if i == 0 { return UInt8(ascii: "<") }
                if i == length - 1 { return UInt8(ascii: ">") }
                return utf8[i - 1]
            }
            for n in minimumGram...maximumGram where n <= length {
                for start in 0...(length - n) {
                    var hash = FeatureHash.offset ^ Self.characterSeed
                    for i in start..<(start + n) { hash = FeatureHash.step(hash, byte(i)) }
                    features.append(HashedFeature(key: FeatureHash.finish(hash), value: characterWeight))
                }
            }
        }
    }
}

/// FNV-1a over bytes with a final mix, so that keys spread evenly in `FeatureIndex`. Fixed
/// constants, unlike Swift's `Hasher`: the same text gives the same key in every process.
enum FeatureHash {
    static let offset: UInt64 = 0xCBF2_9CE4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01B3

    @inline(__always)
    static func step(_ hash: UInt64, _ byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* prime
    }

    /// splitmix64's finaliser; never 0, which `FeatureIndex` uses for an empty slot.
    @inline(__always)
    static func finish(_ hash: UInt64) -> UInt64 {
        var z = hash
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return z == 0 ? 1 : z
    }

    static func bytes(_ bytes: some Sequence<UInt8>, seed: UInt64) -> UInt64 {
        var hash = offset ^ seed
        for byte in bytes { hash = step(hash, byte) }
        return finish(hash)
    }

    static func combine(_ first: UInt64, _ second: UInt64, seed: UInt64) -> UInt64 {
        finish(first &* 0x9E37_79B9_7F4A_7C15 ^ second ^ seed)
    }
}

/// Feature key → row of the weight matrix, for the features seen in training. Open addressing
/// over a power-of-two table: one multiply-free probe in the common case, no `Hasher` per lookup.
struct FeatureIndex: Sendable {
    /// Key and row side by side, so a probe touches one cache line. Key 0 marks an empty slot.
    struct Slot: Sendable {
        var key: UInt64
        var row: Int
    }

    private var slots: [Slot]
    private var mask: Int
    private(set) var count = 0

    init(expectedCount: Int) {
        var capacity = 16
        while capacity < expectedCount * 2 { capacity <<= 1 }
        slots = Array(repeating: Slot(key: 0, row: -1), count: capacity)
        mask = capacity - 1
    }

    /// The row of `key`, adding it as the next row if it is new.
    mutating func insert(_ key: UInt64) -> Int {
        if count * 2 >= slots.count { grow() }
        var slot = Int(truncatingIfNeeded: key) & mask
        while slots[slot].key != 0 {
            if slots[slot].key == key { return slots[slot].row }
            slot = (slot + 1) & mask
        }
        slots[slot] = Slot(key: key, row: count)
        count += 1
        return count - 1
    }

    @inline(__always)
    func row(of key: UInt64) -> Int? {
        slots.withUnsafeBufferPointer { slots in
            var slot = Int(truncatingIfNeeded: key) & mask
            while true {
                let stored = slots[slot]
                if stored.key == key { return stored.row }
                if stored.key == 0 { return nil }
                slot = (slot + 1) & mask
            }
        }
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(key: 0, row: -1), count: old.count * 2)
        mask = slots.count - 1
        for entry in old where entry.key != 0 {
            var slot = Int(truncatingIfNeeded: entry.key) & mask
            while slots[slot].key != 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
    }
}
