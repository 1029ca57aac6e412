import AtendeAdapters
import AtendeCore
import AtendeTestSupport
import Foundation
import Testing

/// Every shipped adapter against hostile input: random JSON, real payloads truncated, with values
/// swapped for other types, nested deeply, or huge. Mapping must never crash, and whatever it
/// returns must be well formed (events with ids and conversations, or an ignore with a reason).
@Suite struct AdapterFuzzTests {
    /// A small deterministic generator (SplitMix64), so a failure can be reproduced from its seed.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let keys = [
        "message", "text", "id", "chat", "from", "fromMe", "wasSentByApi", "EventType", "event", "data", "key", "remoteJid", "entry",
        "changes", "value", "messages", "statuses", "type", "content", "conversation", "sender", "isGroup", "status", "callback_query",
        "update_id", "token", "apikey", "phone", "messageId", "interactive", "button_reply", "message_type", "private", "edited",
    ]

    static func randomValue(_ random: inout Random, depth: Int) -> JSONValue {
        switch depth > 6 ? random.below(5) : random.below(8) {
        case 0: return .null
        case 1: return .bool(random.below(2) == 0)
        case 2: return .int(Int64(random.below(2_000_000)) - 1_000_000)
        case 3: return .double(Double(random.below(10_000)) / 7)
        case 4: return .string(["", "oi", "5511988887777@s.whatsapp.net", "x@g.us", "messages", "True", "incoming", "\u{0}", "{{name}}"][random.below(9)])
        case 5, 6:
            var object: [String: JSONValue] = [:]
            for _ in 0..<random.below(6) { object[keys[random.below(keys.count)]] = randomValue(&random, depth: depth + 1) }
            return .object(object)
        default:
            return .array((0..<random.below(4)).map { _ in randomValue(&random, depth: depth + 1) })
        }
    }

    /// The same structure with every leaf replaced by a value of another type, now and then.
    static func mutate(_ value: JSONValue, _ random: inout Random) -> JSONValue {
        switch value {
        case .object(let fields):
            return .object(fields.mapValues { random.below(4) == 0 ? randomValue(&random, depth: 5) : mutate($0, &random) })
        case .array(let items):
            return .array(items.map { mutate($0, &random) })
        default:
            return random.below(3) == 0 ? randomValue(&random, depth: 6) : value
        }
    }

    static func channels() throws -> [Channel] {
        try FileManager.default.contentsOfDirectory(atPath: Repository.adapters).filter { $0.hasSuffix(".yaml") }.sorted().flatMap { file in
            let definition = try AdapterDefinition.load(file: "\(Repository.adapters)/\(file)")
            return [false, true].map { Channel(id: "fuzz", definition: definition, settings: [:], answersGroups: $0) }
        }
    }

    static func checkWellFormed(_ mapped: MappedPayload, adapter: String) {
        switch mapped {
        case .ignored(let reason):
            #expect(!reason.isEmpty, "\(adapter): an ignore without a reason")
        case .events(let events):
            for event in events {
                #expect(!event.platformEventID.isEmpty && !event.conversation.isEmpty && !event.sender.id.isEmpty, "\(adapter): \(event)")
                #expect(!event.text.contains("\u{0}"), "\(adapter): NUL kept in text")
            }
        }
    }

    @Test func randomJSONNeverCrashesAnAdapter() throws {
        var random = Random(state: 20_261_122)
        let channels = try Self.channels()
        for _ in 0..<3_000 {
            let payload = Self.randomValue(&random, depth: 0)
            for channel in channels { Self.checkWellFormed(channel.map(payload), adapter: channel.definition.id) }
        }
    }

    @Test func realPayloadsWithWrongTypesNeverCrashAnAdapter() throws {
        var random = Random(state: 7)
        let channels = try Self.channels()
        let root = Repository.adapters + "/fixtures"
        var payloads: [JSONValue] = []
        for folder in try FileManager.default.contentsOfDirectory(atPath: root) {
            for file in try FileManager.default.contentsOfDirectory(atPath: "\(root)/\(folder)") where file.hasSuffix(".json") && !file.hasSuffix(".expected.json") {
                if let payload = JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(folder)/\(file)")))) { payloads.append(payload) }
            }
        }
        #expect(payloads.count > 50)
        for payload in payloads {
            for _ in 0..<20 {
                let mutated = Self.mutate(payload, &random)
                for channel in channels { Self.checkWellFormed(channel.map(mutated), adapter: channel.definition.id) }
            }
        }
    }

    @Test func truncatedDeepAndHugeBodiesAreRefusedByTheParser() throws {
        let real = try Repository.fixture("uazapi", "messages-text-incoming.json")
        let bytes = Array(real.utf8)
        for cut in stride(from: 1, to: bytes.count - 1, by: 7) {
            #expect(JSONValue.parse(Array(bytes[0..<cut])) == nil, "a body cut at \(cut) bytes parsed")
        }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(JSONValue.parse(Array(deep.utf8)) == nil)
        let wide = "[" + Array(repeating: #"{"message":{"text":"oi"}}"#, count: 20_000).joined(separator: ",") + "]"
        let parsed = try #require(JSONValue.parse(Array(wide.utf8)))
        for channel in try Self.channels() { Self.checkWellFormed(channel.map(parsed), adapter: channel.definition.id) }
    }
}
