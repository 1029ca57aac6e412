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

/// Several problems found in one pass, so an admin fixes them all at once.
public struct FileProblems: Error, Sendable, CustomStringConvertible {
    public var problems: [FileProblem]

    public init(_ problems: [FileProblem]) {
        self.problems = problems
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
