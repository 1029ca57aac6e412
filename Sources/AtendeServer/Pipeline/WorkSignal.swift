import NIOConcurrencyHelpers

/// Wakes idle workers when there is new work, so a reply does not wait for the next poll.
/// Polling remains for work queued by other processes.
public final class WorkSignal: Sendable {
    private struct State {
        var pending = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextID = 0
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Wakes up to `count` waiting workers (one per new piece of work), or the next one to wait.
    ///
    /// Waking every idle worker for each message would have them all race for the same row.
    public func notify(count: Int = 1) {
        let woken = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            guard !state.waiters.isEmpty else {
                state.pending = true
                return []
            }
            let ids = Array(state.waiters.keys.sorted().prefix(max(count, 1)))
            return ids.compactMap { state.waiters.removeValue(forKey: $0) }
        }
        woken.forEach { $0.resume() }
    }

    /// Wakes every waiting worker, for shutdown.
    public func notifyAll() {
        let woken = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        woken.forEach { $0.resume() }
    }

    /// Returns on `notify()` or after `timeoutMillis`, whichever comes first.
    public func wait(timeoutMillis: Int64) async {
        let id = state.withLockedValue { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLockedValue { state -> Bool in
                if state.pending {
                    state.pending = false
                    return true
                }
                state.waiters[id] = continuation
                return false
            }
            if resumeNow {
                continuation.resume()
                return
            }
            Task {
                try? await Task.sleep(for: .milliseconds(timeoutMillis))
                self.state.withLockedValue { $0.waiters.removeValue(forKey: id) }?.resume()
            }
        }
    }
}

/// Opens once; everything waiting on it proceeds. Workers wait on it until migrations ran.
public final class StartGate: Sendable {
    private let state = NIOLockedValueBox<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    public init() {}

    public func open() {
        let waiters = state.withLockedValue { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }

    /// Returns when the gate opens, or at once when the task is cancelled (a failed start).
    public func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let isOpen = state.withLockedValue { state in
                    if !state.open && !Task.isCancelled { state.waiters.append(continuation) }
                    return state.open || Task.isCancelled
                }
                if isOpen { continuation.resume() }
            }
        } onCancel: {
            let waiters = state.withLockedValue { state in
                defer { state.waiters = [] }
                return state.waiters
            }
            waiters.forEach { $0.resume() }
        }
    }
}
