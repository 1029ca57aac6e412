/// Something wrong in a file an admin edits, located so it can be fixed: `atende.yaml:12: …`.
public struct FileProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based; `nil` when the problem is the file as a whole.
    public var line: Int?
    public var message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
