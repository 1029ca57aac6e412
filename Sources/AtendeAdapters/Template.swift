import Foundation
import AtendeCore
import AtendeYAML

/// Text with `{{path}}` placeholders read from a JSON scope.
///
/// `{{a.b | c.d}}` takes the first path that exists; `{{a | 'literal'}}` falls back to a literal.
/// A template that is one placeholder and nothing else keeps the value's JSON type, so a numeric
/// `chat_id` stays a number in a request body.
public struct StringTemplate: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        case literal(String)
        case placeholder([Source])
    }

    enum Source: Sendable, Hashable {
        case path(String)
        case literal(String)
        /// `digits(path)` or `phone(path)`: the path's value, transformed.
        case function(TemplateFunction, String)
    }

    let parts: [Part]

    public init(parsing text: String) throws(TemplateSyntaxError) {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.literal(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw TemplateSyntaxError(message: "'{{' without a closing '}}' in \"\(text)\"")
            }
            let inner = rest[open.upperBound..<close.lowerBound]
            var sources: [Source] = []
            for alternative in inner.split(separator: "|", omittingEmptySubsequences: false) {
                let trimmed = alternative.trimmingCharacters(in: .whitespaces)
                if trimmed.count >= 2, trimmed.hasPrefix("'"), trimmed.hasSuffix("'") {
                    sources.append(.literal(String(trimmed.dropFirst().dropLast())))
                } else if let open = trimmed.firstIndex(of: "("), trimmed.hasSuffix(")") {
                    let name = String(trimmed[..<open])
                    let argument = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
                    guard let function = TemplateFunction(rawValue: name) else {
                        let known = TemplateFunction.allCases.map { "\($0.rawValue)(…)" }.joined(separator: ", ")
                        throw TemplateSyntaxError(message: "'\(name)' is not a template function; use one of: \(known)")
                    }
                    guard Self.isPath(argument) else {
                        throw TemplateSyntaxError(message: "'\(trimmed)' takes a path, such as \(name)(message.chatid)")
                    }
                    sources.append(.function(function, argument))
                } else if Self.isPath(trimmed) {
                    sources.append(.path(trimmed))
                } else {
                    throw TemplateSyntaxError(message: "'{{\(inner)}}' is not a path such as {{message.chat.id}}")
                }
            }
            parts.append(.placeholder(sources))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        self.parts = parts
    }

    private static func isPath(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }
    }

    /// Every path the template reads, for validation.
    var paths: [String] {
        parts.flatMap { part -> [String] in
            guard case .placeholder(let sources) = part else { return [] }
            return sources.compactMap { source -> String? in
                switch source {
                case .path(let path), .function(_, let path): path
                case .literal: nil
                }
            }
        }
    }

    /// The value, typed when the template is a single placeholder; `nil` when a placeholder has no value.
    public func value(in scope: JSONValue) -> JSONValue? {
        if parts.count == 1, case .placeholder(let sources) = parts[0] {
            return resolve(sources, in: scope)
        }
        return text(in: scope).map(JSONValue.string)
    }

    /// The rendered text; `nil` when a placeholder has no value.
    public func text(in scope: JSONValue) -> String? {
        var output = ""
        for part in parts {
            switch part {
            case .literal(let text):
                output += text
            case .placeholder(let sources):
                guard let value = resolve(sources, in: scope), let text = value.scalarText else { return nil }
                output += text
            }
        }
        return output
    }

    /// The rendered text as a URL: every placeholder's value is percent-encoded (only letters,
    /// digits, `-._~:@` pass), so a value from a payload cannot add a path segment, a query or a
    /// fragment. The one exception is a placeholder the template starts with: the base URL
    /// (`{{settings.api_base}}`), which the admin writes. A value that is `.` or `..` (a segment
    /// that moves up the path once the server normalizes it) renders nothing.
    public func urlText(in scope: JSONValue) -> String? {
        var output = ""
        for (index, part) in parts.enumerated() {
            switch part {
            case .literal(let text):
                output += text
            case .placeholder(let sources):
                guard let value = resolve(sources, in: scope), let text = value.scalarText else { return nil }
                if index == 0 {
                    output += text
                } else {
                    guard text != ".", text != "..", let encoded = text.addingPercentEncoding(withAllowedCharacters: Self.urlValueCharacters) else { return nil }
                    output += encoded
                }
            }
        }
        return output
    }

    /// RFC 3986's unreserved characters, with `:` and `@` (a Telegram bot token, a WhatsApp jid).
    private static let urlValueCharacters = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:@")

    private func resolve(_ sources: [Source], in scope: JSONValue) -> JSONValue? {
        for source in sources {
            switch source {
            case .literal(let text): return .string(text)
            case .path(let path):
                // Platforms write "" for absent fields (UazAPI): that is no value, try the next one.
                if let value = scope.value(at: path), !value.isNull, value != .string("") { return value }
            case .function(let function, let path):
                if let text = scope.value(at: path)?.scalarText, let result = function.apply(text) { return .string(result) }
            }
        }
        return nil
    }
}

/// The few transformations a platform's ids need; each yields nothing when it does not apply,
/// so the next alternative of the placeholder is tried.
public enum TemplateFunction: String, Sendable, Hashable, CaseIterable {
    /// Only the digits: `5511988887777@s.whatsapp.net` → `5511988887777`.
    case digits
    /// The E.164 form of a phone number (`+5511988887777`); nothing for a `@lid` or a group id.
    case phone
    /// An E.164 number without its plus (`+5511988887777` → `5511988887777`), as APIs that want
    /// digits first take it (Evolution); nothing for anything else, such as a `…@lid` chat id.
    case phoneDigits = "phone_digits"

    func apply(_ text: String) -> String? {
        switch self {
        case .digits:
            let digits = String(text.split(separator: "@").first ?? "").filter { $0.isASCII && $0.isNumber }
            return digits.isEmpty ? nil : digits
        case .phone:
            return PlatformPhone.e164(text)
        case .phoneDigits:
            let digits = text.dropFirst()
            guard text.first == "+", !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return String(digits)
        }
    }
}

public struct TemplateSyntaxError: Error, Sendable {
    public var message: String
}

/// A JSON request body with placeholders in its strings, and `{each: list, as: item}` to repeat a
/// part for each element of a list in scope (each element's fields become the scope of `as`).
public indirect enum BodyTemplate: Sendable, Hashable {
    case value(JSONValue)
    case text(StringTemplate)
    case array([BodyTemplate])
    case object([(String, BodyTemplate)])
    case each(list: String, item: BodyTemplate)

    public static func == (lhs: BodyTemplate, rhs: BodyTemplate) -> Bool {
        switch (lhs, rhs) {
        case (.value(let a), .value(let b)): return a == b
        case (.text(let a), .text(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        case (.each(let a, let x), .each(let b, let y)): return a == b && x == y
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(String(describing: self))
    }

    /// Reads a body template from YAML, keeping the admin's key order and checking every placeholder.
    static func parse(_ node: YAMLNode, scope: PlaceholderScope) throws -> BodyTemplate {
        if node.isMapping {
            let entries = try node.mappingEntries()
            if entries.contains(where: { $0.0 == "each" }) {
                let mapping = try node.mapping(allowed: ["each", "as"])
                let list = try mapping.requiredString("each")
                try scope.check(try StringTemplate(parsing: "{{\(list)}}"), node: try mapping.required("each"))
                return .each(list: list, item: try parse(try mapping.required("as"), scope: scope.insideEach))
            }
            return .object(try entries.map { ($0.0, try parse($0.1, scope: scope)) })
        }
        if node.isSequence {
            return .array(try node.sequence().map { try parse($0, scope: scope) })
        }
        guard let scalar = node.scalar else { throw node.problem("unsupported YAML value") }
        // Quoted scalars are text; plain ones may be numbers, booleans or null.
        if scalar.isPlain {
            switch scalar.text {
            case "true": return .value(.bool(true))
            case "false": return .value(.bool(false))
            case "null", "~": return .value(.null)
            default:
                if let number = Int64(scalar.text) { return .value(.int(number)) }
            }
        }
        let template: StringTemplate
        do {
            template = try StringTemplate(parsing: scalar.text)
        } catch {
            throw node.problem(error.message)
        }
        try scope.check(template, node: node)
        return .text(template)
    }

    /// Renders the body. Object fields whose placeholders have no value are left out.
    public func render(in scope: JSONValue) -> JSONValue? {
        switch self {
        case .value(let value):
            return value
        case .text(let template):
            return template.value(in: scope)
        case .array(let items):
            return .array(items.compactMap { $0.render(in: scope) })
        case .object(let fields):
            var object: [String: JSONValue] = [:]
            for (key, template) in fields {
                if let value = template.render(in: scope) { object[key] = value }
            }
            return .object(object)
        case .each(let list, let item):
            guard case .array(let elements) = scope.value(at: list) else { return .array([]) }
            return .array(elements.compactMap { element in
                // The element's fields come first; the outer scope stays reachable.
                guard case .object(var fields) = element, case .object(let outer) = scope else { return item.render(in: element) }
                for (key, value) in outer where fields[key] == nil { fields[key] = value }
                return item.render(in: .object(fields))
            })
        }
    }
}
