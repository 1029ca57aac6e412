import NIOConcurrencyHelpers

/// A first-come, first-served lock for async code, held across suspension points
/// (an actor alone is re-entrant at every `await`, which would interleave transactions).
final class AsyncMutex: Sendable {
    private let state = NIOLockedValueBox<(locked: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func lock() async {
        // Uncontended, take it without suspending: a suspension costs a trip through the executor.
        let acquired = state.withLockedValue { state -> Bool in
            guard !state.locked else { return false }
            state.locked = true
            return true
        }
        if acquired { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLockedValue { state -> Bool in
                guard state.locked else {
                    state.locked = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if acquired { continuation.resume() }
        }
    }

    /// Whether someone is queued for the lock; asked by its holder.
    var hasWaiters: Bool {
        state.withLockedValue { !$0.waiters.isEmpty }
    }

    /// Hands the lock to the longest waiter, or frees it.
    func unlock() {
        let next = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.locked = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
