import AtendeCore
import Foundation

/// Where the repository's files are, found from this source file so tests run from any directory.
public enum Repository {
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static var adapters: String { root + "/adapters" }
    public static var prompts: String { root + "/prompts" }

    /// A real platform payload from `adapters/fixtures/<platform>/<name>`.
    public static func fixture(_ platform: String, _ name: String) throws -> String {
        try String(contentsOfFile: "\(adapters)/fixtures/\(platform)/\(name)", encoding: .utf8)
    }

    /// The fixture with top-level and nested values replaced, as a new distinct update would be.
    public static func telegramUpdate(_ name: String, updateID: Int, chatID: Int64? = nil, text: String? = nil) throws -> String {
        guard case .object(var update) = JSONValue.decode(try fixture("telegram", name)) else { throw FixtureError() }
        update["update_id"] = .int(Int64(updateID))
        for key in ["message", "edited_message"] {
            guard case .object(var message)? = update[key] else { continue }
            if let text { message["text"] = .string(text) }
            if let chatID, case .object(var chat)? = message["chat"] {
                chat["id"] = .int(chatID)
                message["chat"] = .object(chat)
                if case .object(var from)? = message["from"] {
                    from["id"] = .int(chatID)
                    message["from"] = .object(from)
                }
            }
            update[key] = .object(message)
        }
        return JSONValue.object(update).encodedString()
    }

    public static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "atende-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

public struct FixtureError: Error {
    public init() {}
}
