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
/// - the character 4-grams of each word with its boundaries ("<age", "gend", "nto>"), so that
///   a typo ("agendamneto") or a missing letter still shares most of its pieces;
/// - the concept of a word listed in `IntentConcepts` ("suporte" and "support" are one), so
///   synonyms and the two languages share what they learn;
/// - the words of `IntentConcepts.neutral` (services, products, trades: "corte", "bolo",
///   "eletricista") as one neutral word, since every route talks about them.
///
/// A word written twice counts once. Features are hashed straight from the UTF-8 bytes, so no
/// string is built per n-gram. The values are raw kind weights; `IntentModel` applies IDF and
/// scales the vector to unit length.
///
/// Weights and options were chosen on 5-fold cross-validation of the shipped prompts (4,214
/// examples): 3-grams next to the 4-grams (+0.1 point) and 5-grams changed little but the time;
/// counting a repeated word once gave +0.1, neutral words +0.1 and concepts +0.7 (and +1.4, 93.0%
/// → 94.4%, when a model trained on the examples added in 2026-11 routes the 1,854 older ones,
/// written by other people).
struct IntentFeatureExtractor: Sendable {
    /// How much each kind of feature counts before the vector is normalised. Character n-grams
    /// are many per word, so each weighs less than a whole word.
    var stemWeight = 1.0
    var pairWeight = 0.8
    var characterWeight = 0.5
    var minimumGram = 4
    var maximumGram = 4
    /// Weight of a word's concept (`IntentConcepts`); 0 turns concepts off.
    var conceptWeight = 1.0
    /// Whether the words of `IntentConcepts.neutral` are read as one neutral word, and its weight.
    var neutralWords = true
    var neutralWeight = 0.5
    /// Whether a repeated word counts once (off only for experiments).
    var onceEach = true
    var concepts = ConceptTable.shared

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

    /// The word that stands for the 13th salary (décimo terceiro), whatever way it is written.
    static let thirteenth = "decimoterceiro"

    /// Rewrites the 13th salary to `thirteenth`: "13o" and "13a" (13º, 13ª), "13th", "decimo
    /// terceiro", and a bare "13" after "o", "do", "no", "primeira"… ("parcela do 13", "pagar o
    /// 13", "entra no 13"). Otherwise digits become "0" like every number, and "quando vence a
    /// parcela do 13?" reads as a bill due (caixa) instead of a payroll question (rh).
    static func markThirteenth(_ words: [String]) -> [String] {
        guard words.contains(where: { $0.hasPrefix("13") || $0 == "decimo" }) else { return words }
        let before: Set<String> = ["o", "do", "no", "meu", "seu", "pagar", "pago", "paguei", "primeira", "segunda", "calcular", "calculo", "adiantar", "the", "my", "their"]
        var result: [String] = []
        result.reserveCapacity(words.count)
        var i = 0
        while i < words.count {
            let word = words[i]
            if word == "13o" || word == "13a" || word == "13th" {
                result.append(thirteenth)
            } else if word == "decimo", i + 1 < words.count, words[i + 1] == "terceiro" {
                result.append(thirteenth)
                i += 1
            } else if word == "13", let previous = result.last, before.contains(previous),
                i + 1 >= words.count || !["h", "hs", "horas", "hora", "reais", "min"].contains(words[i + 1])
            {
                result.append(thirteenth)
            } else {
                result.append(word)
            }
            i += 1
        }
        return result
    }

    /// The domain rewrites of the words of a message or keyword: the DAS tax and the 13th salary.
    static func domainWords(_ words: [String]) -> [String] {
        markThirteenth(markTaxDAS(words))
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
        var seenWords: [UInt64] = []
        seenWords.reserveCapacity(words.count)
        for (word, stem) in zip(words, stems) {
            let wordHash = FeatureHash.bytes(word.utf8, seed: ConceptTable.wordSeed)
            let concept = concepts.concept(of: wordHash)
            let isNeutral = neutralWords && concept == ConceptTable.neutralConcept
            let stemHash = isNeutral ? ConceptTable.neutralConcept : FeatureHash.bytes(stem.utf8, seed: Self.stemSeed)
            if let previous = previousStemHash {
                features.append(HashedFeature(key: FeatureHash.combine(previous, stemHash, seed: Self.pairSeed), value: pairWeight))
            }
            previousStemHash = stemHash
            // A word written again ("0" for each number of "2,99 e 1,20", "oi oi") adds nothing:
            // counting it twice let three prices outweigh the question around them.
            if onceEach {
                if seenWords.contains(wordHash) { continue }
                seenWords.append(wordHash)
            }
            if isNeutral {
                features.append(HashedFeature(key: stemHash, value: neutralWeight))
                continue
            }
            features.append(HashedFeature(key: stemHash, value: stemWeight))
            if conceptWeight > 0, let concept, concept != ConceptTable.neutralConcept {
                features.append(HashedFeature(key: concept, value: conceptWeight))
            }
            appendCharacterGrams(of: word, to: &features)
        }
    }

    /// The n-grams of "<word>" from `minimumGram` to `maximumGram` long, hashed over bytes ('<' and
    /// '>' mark the word's edges).
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

/// Word → concept feature, for the words of `IntentConcepts`: an open-addressing table keyed by
/// the word's hash, so the lookup costs one probe per word of a message.
struct ConceptTable: Sendable {
    static let conceptSeed: UInt64 = 0x434F_4E43_4550_0004
    static let wordSeed: UInt64 = 0x574F_5244_0000_0006
    static let shared = ConceptTable(groups: IntentConcepts.groups + [(neutralName, IntentConcepts.neutral)])
    static let neutralName = "neutro"
    /// The concept of `IntentConcepts.neutral`; also stands for those words' stems.
    static let neutralConcept = FeatureHash.bytes(neutralName.utf8, seed: conceptSeed)

    private var keys: [UInt64]
    private var values: [UInt64]
    private let mask: Int
    /// Words listed in two groups (the first group keeps them).
    private(set) var conflicts: [String] = []

    init(groups: [(concept: String, words: [String])]) {
        var entries: [(word: UInt64, concept: UInt64)] = []
        var seen: [String: String] = [:]
        var conflicts: [String] = []
        for group in groups {
            let concept = FeatureHash.bytes(group.concept.utf8, seed: Self.conceptSeed)
            for word in group.words {
                if let first = seen[word] {
                    if first != group.concept { conflicts.append("\(word): \(first), \(group.concept)") }
                    continue
                }
                seen[word] = group.concept
                entries.append((FeatureHash.bytes(word.utf8, seed: Self.wordSeed), concept))
            }
        }
        var capacity = 16
        while capacity < entries.count * 4 { capacity <<= 1 }
        keys = Array(repeating: 0, count: capacity)
        values = Array(repeating: 0, count: capacity)
        mask = capacity - 1
        for entry in entries {
            var slot = Int(truncatingIfNeeded: entry.word) & mask
            while keys[slot] != 0 { slot = (slot + 1) & mask }
            keys[slot] = entry.word
            values[slot] = entry.concept
        }
        self.conflicts = conflicts
    }

    /// The concept feature of a word, from its hash with `wordSeed`.
    @inline(__always)
    func concept(of wordHash: UInt64) -> UInt64? {
        var slot = Int(truncatingIfNeeded: wordHash) & mask
        while true {
            let key = keys[slot]
            if key == wordHash { return values[slot] }
            if key == 0 { return nil }
            slot = (slot + 1) & mask
        }
    }
}
