import AtendeCore
import AtendeYAML
import Foundation

/// A Markdown file with YAML front matter between two `---` lines; the body is the system prompt.
struct PromptFile {
    var frontMatter: YAMLNode
    var body: String

    static func load(_ path: String) throws -> PromptFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FileProblem(file: path, line: nil, message: "cannot read the prompt file (\(error.localizedDescription))")
        }
        return try parse(text, file: path)
    }

    static func parse(_ text: String, file: String) throws -> PromptFile {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard lines.first == "---" else {
            throw FileProblem(file: file, line: 1, message: "a prompt file starts with a '---' line, then the front matter, then another '---' line")
        }
        guard let end = lines.dropFirst().firstIndex(of: "---") else {
            throw FileProblem(file: file, line: nil, message: "the front matter is not closed by a '---' line")
        }
        let yaml = lines[1..<end].joined(separator: "\n")
        let body = lines[(end + 1)...].joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        return PromptFile(frontMatter: try YAMLNode.parse(yaml, file: file, lineOffset: 1), body: body)
    }
}
