import Foundation

/// A JSON document kept as values, so adapters can read platform payloads by path
/// without a Swift type per platform, and render request bodies that keep their types.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The value at a dotted path such as `message.chat.id` or `entry.0.changes.0.value`.
    public func value(at path: String) -> JSONValue? {
        var current = self
        // Scanned in place: adapters look up several paths per webhook, and splitting each path
        // into an array first cost more than the lookups.
        var rest = Substring(path)
        while true {
            let dot = rest.utf8.firstIndex(of: UInt8(ascii: "."))
            let component = dot.map { rest[..<$0] } ?? rest
            switch current {
            case .object(let fields):
                guard let next = fields[String(component)] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(component), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
            guard let dot else { return current }
            rest = rest[rest.utf8.index(after: dot)...]
        }
    }

    /// Every value at `path`, stepping into each element of the arrays met on the way, with the
    /// object that holds it: `entry.changes.value.messages` on a Meta payload yields each message
    /// with its `value` object (where the contact's name and the phone number id are).
    public func elements(along path: String) -> [(item: JSONValue, parent: JSONValue)] {
        var frontier: [(value: JSONValue, parent: JSONValue)] = [(self, self)]
        for component in path.split(separator: ".") {
            var next: [(value: JSONValue, parent: JSONValue)] = []
            for (value, _) in frontier {
                let candidates: [JSONValue]
                if case .array(let items) = value { candidates = items } else { candidates = [value] }
                for candidate in candidates {
                    if case .object(let fields) = candidate, let child = fields[String(component)] { next.append((child, candidate)) }
                }
            }
            frontier = next
        }
        return frontier.flatMap { value, parent -> [(item: JSONValue, parent: JSONValue)] in
            if case .array(let items) = value { return items.map { ($0, parent) } }
            return [(value, parent)]
        }
    }

    /// The value as text when it is a scalar: how it reads inside a larger string.
    public var scalarText: String? {
        switch self {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number):
            if number.rounded() == number, abs(number) < 1e15 { return String(Int64(number)) }
            return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .null, .array, .object: return nil
        }
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Int64.self) {
            self = .int(number)
        } else if let number = try? container.decode(Double.self) {
            self = .double(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let items = try? container.decode([JSONValue].self) {
            self = .array(items)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .int(let number): try container.encode(number)
        case .double(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        case .array(let items): try container.encode(items)
        case .object(let fields): try container.encode(fields)
        }
    }
}

extension JSONValue {
    /// Parses JSON bytes; `nil` when they are not a JSON document (or nest deeper than 128 levels).
    public static func parse(_ bytes: some Collection<UInt8>) -> JSONValue? {
        if let parsed = bytes.withContiguousStorageIfAvailable({ JSONParser.parse($0) }) { return parsed }
        return Array(bytes).withUnsafeBufferPointer { JSONParser.parse($0) }
    }

    /// JSON text with sorted keys, for storage and request bodies (compact), or for people to read.
    public func encodedString(prettyPrinted: Bool = false) -> String {
        if prettyPrinted {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            guard let data = try? encoder.encode(self) else { return "null" }
            return String(decoding: data, as: UTF8.self)
        }
        // Written directly: every webhook and reply goes through here, and JSONEncoder cost
        // several times more.
        var text = ""
        write(to: &text)
        return text
    }

    private func write(to text: inout String) {
        switch self {
        case .null: text += "null"
        case .bool(let flag): text += flag ? "true" : "false"
        case .int(let number): text += String(number)
        // JSON has no NaN or infinity.
        case .double(let number): text += number.isFinite ? String(number) : "null"
        case .string(let string): Self.writeString(string, to: &text)
        case .array(let items):
            text += "["
            for (index, item) in items.enumerated() {
                if index > 0 { text += "," }
                item.write(to: &text)
            }
            text += "]"
        case .object(let fields):
            text += "{"
            for (index, field) in fields.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { text += "," }
                Self.writeString(field.key, to: &text)
                text += ":"
                field.value.write(to: &text)
            }
            text += "}"
        }
    }

    private static func writeString(_ string: String, to text: inout String) {
        text += "\""
        // Only ASCII needs escaping, and bytes of other characters are never ASCII, so a run of
        // plain bytes always ends between two Unicode scalars.
        let utf8 = string.utf8
        var plainStart = utf8.startIndex
        for index in utf8.indices {
            let byte = utf8[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            text += string[plainStart..<index]
            switch byte {
            case UInt8(ascii: "\""): text += "\\\""
            case UInt8(ascii: "\\"): text += "\\\\"
            case UInt8(ascii: "\n"): text += "\\n"
            case UInt8(ascii: "\r"): text += "\\r"
            case UInt8(ascii: "\t"): text += "\\t"
            default:
                let hex = String(byte, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
            plainStart = utf8.index(after: index)
        }
        text += string[plainStart...]
        text += "\""
    }

    public static func decode(_ text: String) -> JSONValue? {
        parse(Array(text.utf8))
    }
}
