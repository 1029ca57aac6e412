import AtendeCore
import Foundation

/// `{{name}}` placeholders in the texts admins write (system prompts, offline answers, system texts).
///
/// The business profile's values are filled in when the files load; the rest (the contact's name,
/// a summary) when a reply is made. A placeholder nobody fills is a load error, so a typo such as
/// `{{busines.name}}` is reported with its line instead of reaching a customer.
enum PromptTemplate {
    /// The placeholder names in `text`, in order.
    static func placeholders(in text: String) -> [String] {
        var names: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            names.append(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
        }
        return names
    }

    /// Replaces each known placeholder; unknown ones stay as written.
    static func render(_ text: String, _ values: [String: String]) -> String {
        guard text.contains("{{") else { return text }
        var output = ""
        var rest = text[...]
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            output += rest[..<open.lowerBound]
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            output += values[name] ?? String(rest[open.lowerBound..<close.upperBound])
            rest = rest[close.upperBound...]
        }
        return output + rest
    }

    /// Every placeholder of `text` that is not in `allowed`, with its 1-based line in `text`.
    static func unknownPlaceholders(in text: String, allowed: Set<String>) -> [(name: String, line: Int)] {
        var found: [(String, Int)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where line.contains("{{") {
            for name in placeholders(in: String(line)) where !allowed.contains(name) {
                found.append((name, index + 1))
            }
        }
        return found
    }

    /// A problem naming the unknown placeholders of a file, or `nil` when all are known.
    static func check(fileText: String, file: String, allowed: Set<String>) -> [FileProblem] {
        unknownPlaceholders(in: fileText, allowed: allowed).map { name, line in
            FileProblem(
                file: file, line: line,
                message: "unknown template variable '{{\(name)}}'; known here: \(allowed.sorted().map { "{{\($0)}}" }.joined(separator: ", "))"
            )
        }
    }
}
