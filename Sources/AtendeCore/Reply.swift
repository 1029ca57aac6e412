/// One option offered to the contact; `id` comes back in a choice event when it is picked.
public struct Choice: Sendable, Hashable, Codable {
    public var id: String
    public var title: String

    public init(id: String, title: String) {
        self.id = id
        self.title = title
    }
}

/// What the bot answers in one turn: text plus optional choices.
public struct Reply: Sendable, Hashable, Codable {
    public var text: String
    public var choices: [Choice]

    public init(text: String, choices: [Choice] = []) {
        self.text = text
        self.choices = choices
    }
}
