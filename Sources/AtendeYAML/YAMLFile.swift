import AtendeCore
import Yams

/// A YAML node that knows its file and line, so every problem names where to fix it.
///
/// Files admins edit are read through this instead of `Decodable`: unknown keys are errors,
/// and YAML 1.1 never turns `no` or `09:30` into something else, because scalars are read as
/// the text the admin wrote and converted by the field that expects them.
public struct YAMLNode {
    public let node: Node
    public let file: String
    /// The key path from the document root, such as `channels[0].settings.token`.
    public let path: String

    public var line: Int { node.mark.map { $0.line } ?? 1 }

    public static func parse(_ text: String, file: String, lineOffset: Int = 0) throws -> YAMLNode {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                return YAMLNode(node: Node.mapping(Node.Mapping([])), file: file, path: "", lineOffset: lineOffset)
            }
            return YAMLNode(node: node, file: file, path: "", lineOffset: lineOffset)
        } catch let error as YamlError {
            throw FileProblem(file: file, line: Self.line(of: error).map { $0 + lineOffset }, message: "not valid YAML: \(Self.summary(of: error))")
        }
    }

    private let lineOffset: Int

    init(node: Node, file: String, path: String, lineOffset: Int = 0) {
        self.node = node
        self.file = file
        self.path = path
        self.lineOffset = lineOffset
    }

    public func problem(_ message: String) -> FileProblem {
        FileProblem(file: file, line: line + lineOffset, message: path.isEmpty ? message : "\(path): \(message)")
    }

    private func child(_ node: Node, path: String) -> YAMLNode {
        YAMLNode(node: node, file: file, path: path, lineOffset: lineOffset)
    }

    // MARK: Shapes

    /// The node as a mapping whose keys must all be in `allowed`.
    public func mapping(allowed: Set<String>) throws -> YAMLMapping {
        let entries = try mappingEntries()
        for (key, value) in entries where !allowed.contains(key) {
            let known = allowed.sorted().joined(separator: ", ")
            throw child(value.node, path: joined(key)).problem("unknown key '\(key)'; expected one of: \(known)")
        }
        return YAMLMapping(owner: self, entries: entries)
    }

    /// The node as a mapping with free keys (settings, headers).
    public func mappingEntries() throws -> [(String, YAMLNode)] {
        guard case .mapping(let mapping) = node else { throw problem("expected a mapping (key: value lines)") }
        var seen = Set<String>()
        var entries: [(String, YAMLNode)] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { throw problem("keys must be plain text") }
            guard seen.insert(name).inserted else {
                throw child(key, path: joined(name)).problem("key '\(name)' appears twice")
            }
            entries.append((name, child(value, path: joined(name))))
        }
        return entries
    }

    public func sequence() throws -> [YAMLNode] {
        guard case .sequence(let sequence) = node else { throw problem("expected a list") }
        return sequence.enumerated().map { index, item in child(item, path: "\(path)[\(index)]") }
    }

    public var isMapping: Bool {
        if case .mapping = node { return true }
        return false
    }

    /// The scalar's text as written, and whether it was unquoted (so may mean a number or boolean).
    public var scalar: (text: String, isPlain: Bool)? {
        guard let scalar = node.scalar else { return nil }
        return (scalar.string, scalar.style == .plain)
    }

    public var isSequence: Bool {
        if case .sequence = node { return true }
        return false
    }

    // MARK: Scalars

    public func string() throws -> String {
        guard let scalar = node.scalar else { throw problem("expected a text value") }
        return scalar.string
    }

    public func int(in range: ClosedRange<Int>? = nil) throws -> Int {
        guard let text = node.scalar?.string, let number = Int(text) else { throw problem("expected a whole number") }
        if let range, !range.contains(number) {
            throw problem("\(number) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    public func bool() throws -> Bool {
        switch node.scalar?.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw problem("expected true or false")
        }
    }

    public func strings() throws -> [String] {
        if node.scalar != nil { return [try string()] }
        return try sequence().map { try $0.string() }
    }

    private func joined(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    private static func summary(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
        default: return String(describing: error)
        }
    }
}

/// A mapping read through ``YAMLNode/mapping(allowed:)``.
public struct YAMLMapping {
    public let owner: YAMLNode
    public let entries: [(String, YAMLNode)]

    public subscript(key: String) -> YAMLNode? {
        entries.first { $0.0 == key }?.1
    }

    public func required(_ key: String) throws -> YAMLNode {
        guard let value = self[key] else { throw owner.problem("missing required key '\(key)'") }
        return value
    }

    public func string(_ key: String) throws -> String? {
        try self[key]?.string()
    }

    public func requiredString(_ key: String) throws -> String {
        let value = try required(key).string()
        guard !value.isEmpty else { throw try required(key).problem("'\(key)' must not be empty") }
        return value
    }
}
