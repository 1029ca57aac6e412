import AtendeCore
import Testing

/// The outbound resilience kit that delivery and the language model share, driven by times
/// passed in: nothing here sleeps.
@Suite struct ResilienceKitTests {
    @Test func aCircuitOpensAfterItsThresholdLetsOneProbeThroughAndClosesOnSuccess() {
        let breaker = CircuitBreaker()
        #expect(breaker.admit("tg", now: 0) == .allowed)
        #expect(!breaker.record("tg", success: false, now: 0, failureThreshold: 3, openMillis: 1_000))
        #expect(!breaker.record("tg", success: false, now: 10, failureThreshold: 3, openMillis: 1_000))
        #expect(breaker.record("tg", success: false, now: 20, failureThreshold: 3, openMillis: 1_000), "the third failure opens it")
        #expect(breaker.admit("tg", now: 500) == .rejected(retryAt: 1_020))
        #expect(breaker.blocked(now: 500) == ["tg"])
        #expect(breaker.admit("other", now: 500) == .allowed, "one target's circuit is its own")
        // Half-open: one probe; a second caller waits for its outcome.
        #expect(breaker.admit("tg", now: 1_020) == .probe)
        #expect(breaker.admit("tg", now: 1_021) == .rejected(retryAt: 1_121))
        // A failed probe opens it again at once; a successful one closes it.
        #expect(!breaker.record("tg", success: false, now: 1_030, failureThreshold: 3, openMillis: 1_000), "already open")
        #expect(breaker.admit("tg", now: 1_500) == .rejected(retryAt: 2_030))
        #expect(breaker.admit("tg", now: 2_030) == .probe)
        breaker.record("tg", success: true, now: 2_040, failureThreshold: 3, openMillis: 1_000)
        #expect(!breaker.isOpen("tg") && breaker.admit("tg", now: 2_041) == .allowed)
    }

    @Test func aCancelledProbeLetsTheNextCallerProbe() {
        let breaker = CircuitBreaker()
        breaker.record("llm", success: false, now: 0, failureThreshold: 1, openMillis: 100)
        #expect(breaker.admit("llm", now: 100) == .probe)
        breaker.releaseProbe("llm")
        #expect(breaker.admit("llm", now: 101) == .probe)
    }

    @Test func backoffGrowsWithJitterUpToItsCapAndNeverTraps() {
        let backoff = Backoff(baseMillis: 500, capMillis: 300_000)
        for attempt in [1, 2, 5, 10, 30, 64, Int.max] {
            let ceiling = min(500 * (Int64(1) << Int64(min(attempt - 1, 20))), 300_000)
            let wait = backoff.delayMillis(attempt: attempt)
            #expect((ceiling / 2...ceiling).contains(wait), "attempt \(attempt): \(wait)")
        }
        #expect(backoff.delayMillis(attempt: 0) <= 500, "attempt 0 or less waits like the first")
    }

    @Test(arguments: [
        ("120", Int64(120_000)), (" 2 ", 2_000), ("0.5", 500), ("-3", 0), ("99999999999", 3_600_000),
        ("NaN", nil), ("inf", nil), ("Wed, 21 Oct 2015 07:28:00 GMT", nil), ("", nil),
    ] as [(String, Int64?)])
    func retryAfterIsSecondsHeldToAnHour(text: String, millis: Int64?) {
        #expect(RetryAfter.millis(seconds: text) == millis)
    }
}
