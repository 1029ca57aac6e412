import AtendeCore
import AtendeUnderstanding
import AtendeYAML
import Foundation

/// `prompts/textos.yaml`: what the gateway itself says, per language, kept out of Swift so an
/// admin can word it for the business.
public struct SystemTexts: Sendable {
    /// Every text the gateway uses; the file must give each in Portuguese, English optional.
    public enum Key: String, Sendable, CaseIterable {
        case mediaReceived = "media_received"
    }

    private var texts: [Key: [Language: String]]
    public var file: String

    /// The text in `language`, or in Portuguese when it has no translation.
    public func text(_ key: Key, _ language: Language) -> String {
        texts[key]?[language] ?? texts[key]?[.pt] ?? ""
    }

    public static func load(file path: String) throws -> SystemTexts {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FileProblem(file: path, line: nil, message: "cannot read the system texts file (\(error.localizedDescription))")
        }
        let root = try YAMLNode.parse(text, file: path)
        let top = try root.mapping(allowed: Set(Key.allCases.map(\.rawValue)))
        var texts: [Key: [Language: String]] = [:]
        for key in Key.allCases {
            let node = try top.required(key.rawValue)
            var byLanguage: [Language: String] = [:]
            for (name, value) in try node.mappingEntries() {
                guard let language = Language(rawValue: name) else { throw value.problem("'\(name)' is not a language; use pt or en") }
                byLanguage[language] = try value.string().trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard byLanguage[.pt]?.isEmpty == false else { throw node.problem("'\(key.rawValue)' needs a Portuguese text (pt)") }
            texts[key] = byLanguage
        }
        return SystemTexts(texts: texts, file: path)
    }
}
