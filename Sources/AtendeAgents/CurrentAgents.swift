import Synchronization

/// The agent set in service. A reload swaps it whole; readers keep the set they took.
public final class CurrentAgents: Sendable {
    private let current: Mutex<AgentSet>

    public init(_ set: AgentSet) {
        current = Mutex(set)
    }

    public var set: AgentSet {
        current.withLock { $0 }
    }

    public func replace(with set: AgentSet) {
        current.withLock { $0 = set }
    }
}
