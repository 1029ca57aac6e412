import Synchronization

/// `llm.daily_budget_usd`: what the model may cost per day (UTC), counted by this process from
/// the cost of each answer. Over it the agents answer offline until the day ends, and the
/// business is told once. With several replicas each one has the whole budget.
public final class LLMBudget: Sendable {
    public let dailyUSD: Double
    private let state = Mutex(Spending())

    private struct Spending {
        var day: Int64 = -1
        var spentUSD = 0.0
        var told = false
    }

    public init(dailyUSD: Double) {
        self.dailyUSD = dailyUSD
    }

    /// Whether the model may be asked at `now`.
    public func allows(now: Int64) -> Bool {
        state.withLock { spending in
            Self.roll(&spending, now: now)
            return spending.spentUSD < dailyUSD
        }
    }

    public func record(_ costUSD: Double, now: Int64) {
        guard costUSD.isFinite, costUSD > 0 else { return }
        state.withLock { spending in
            Self.roll(&spending, now: now)
            spending.spentUSD += costUSD
        }
    }

    /// `true` the first time in a day the budget turns a call away, so the business is told once.
    public func takeFirstRefusal(now: Int64) -> Bool {
        state.withLock { spending in
            Self.roll(&spending, now: now)
            guard spending.spentUSD >= dailyUSD, !spending.told else { return false }
            spending.told = true
            return true
        }
    }

    private static func roll(_ spending: inout Spending, now: Int64) {
        let day = now / 86_400_000
        if day != spending.day { spending = Spending(day: day) }
    }
}
