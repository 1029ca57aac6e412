import AtendeCore
import Prometheus

/// The gateway's Prometheus metrics. Labels stay low-cardinality: configured channel ids and
/// fixed outcome names, never platform ids.
public struct GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// `outcome`: stored, duplicate, ignored, unauthorized, malformed, too_large, store_error,
    /// busy (over the in-flight cap), client_blocked (too many failed verifications), disconnected.
    public func webhook(channel: String, outcome: String, count: Int = 1) {
        registry.makeCounter(
            descriptor: Self.name("webhooks", "total", "Webhook events received, by channel and outcome"),
            labels: [("channel", channel), ("outcome", outcome)]
        ).increment(by: Int64(count))
    }

    public func turnDuration(_ duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: Self.name("turn_duration", "seconds", "Time to answer one turn, store included"), labels: [],
            buckets: Self.latencyBuckets
        ).record(duration)
    }

    public func deliveryDuration(channel: String, _ duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: Self.name("delivery_duration", "seconds", "Time of one platform API call"), labels: [("channel", channel)],
            buckets: Self.latencyBuckets
        ).record(duration)
    }

    /// `kind`: retryable or permanent.
    public func deliveryFailure(channel: String, kind: String) {
        registry.makeCounter(
            descriptor: Self.name("delivery_failures", "total", "Failed platform API calls, by channel and whether they will be retried"),
            labels: [("channel", channel), ("kind", kind)]
        ).increment()
    }

    public func circuitOpened(channel: String) {
        registry.makeCounter(
            descriptor: Self.name("circuit_opened", "total", "Times a channel's circuit opened after consecutive delivery failures"),
            labels: [("channel", channel)]
        ).increment()
    }

    /// Replies by agent and how the agent was chosen; LLM tokens, cost and failures by agent.
    public func turnTraced(_ trace: ReplyTrace) {
        let agent = trace.agent ?? "none"
        // `silent:human`, `routed+handoff`: only the part before the colon is a fixed name.
        let decision = String(trace.decision.prefix { $0 != ":" })
        registry.makeCounter(
            descriptor: Self.name("turns", "total", "Answered turns, by agent and how it was chosen"),
            labels: [("agent", agent), ("decision", decision)]
        ).increment()
        guard trace.model != nil || trace.llmError != nil else { return }
        let tokens = Self.name("llm_tokens", "total", "Tokens the LLM used, by agent and kind")
        registry.makeCounter(descriptor: tokens, labels: [("agent", agent), ("kind", "prompt")]).increment(by: Int64(trace.promptTokens))
        registry.makeCounter(descriptor: tokens, labels: [("agent", agent), ("kind", "completion")]).increment(by: Int64(trace.completionTokens))
        registry.makeCounter(
            descriptor: Self.name("llm_cost_usd", "total", "Estimated LLM cost in US dollars, by agent"), labels: [("agent", agent)]
        ).increment(by: trace.costUSD.isFinite ? max(0, trace.costUSD) : 0)
        registry.makeCounter(
            descriptor: Self.name("llm_calls", "total", "Answers asked of the LLM, by agent and outcome (ok, or fallback to the offline answer)"),
            labels: [("agent", agent), ("outcome", trace.llmError == nil ? "ok" : "fallback")]
        ).increment()
    }

    public func promptReload(outcome: String) {
        registry.makeCounter(
            descriptor: Self.name("prompt_reloads", "total", "Prompt folder reloads, by outcome (loaded, rejected)"), labels: [("outcome", outcome)]
        ).increment()
    }

    /// Reads of busy times from the CalDAV calendar, by outcome (ok, failed).
    public func calendarRead(outcome: String) {
        registry.makeCounter(
            descriptor: Self.name("calendar_reads", "total", "Busy-time reads from the CalDAV calendar, by outcome (ok, failed)"), labels: [("outcome", outcome)]
        ).increment()
    }

    /// Writes of bookings to the CalDAV calendar, by outcome (written, removed, retry, failed).
    public func calendarWrite(outcome: String) {
        registry.makeCounter(
            descriptor: Self.name("calendar_writes", "total", "Booking writes to the CalDAV calendar, by outcome (written, removed, retry, failed)"),
            labels: [("outcome", outcome)]
        ).increment()
    }

    /// Reminders that came due and went to their conversations.
    public func remindersDue(_ count: Int) {
        registry.makeCounter(descriptor: Self.name("reminders", "total", "Booking reminders that came due and were queued as turns"), labels: [])
            .increment(by: Int64(count))
    }

    public func queueDepth(_ counts: StoreCounts) {
        let depth = Self.name("queue_depth", "", "Work waiting in the durable queues")
        registry.makeGauge(descriptor: depth, labels: [("queue", "turns")]).set(Double(counts.queuedTurns))
        registry.makeGauge(descriptor: depth, labels: [("queue", "deliveries")]).set(Double(counts.pendingDeliveries))
        registry.makeGauge(descriptor: depth, labels: [("queue", "dead_deliveries")]).set(Double(counts.deadDeliveries))
        registry.makeGauge(descriptor: depth, labels: [("queue", "dead_turns")]).set(Double(counts.deadTurns))
    }

    /// A turn that kept failing (or kept stopping the process) moved to the dead state.
    public func turnParked() {
        registry.makeCounter(descriptor: Self.name("turns_parked", "total", "Turns parked as dead after failing pipeline.max_turn_attempts times"), labels: [])
            .increment()
    }

    /// A delivery claimed too often without a result (the process stopped while sending it) marked dead.
    public func deliveryParked(channel: String) {
        registry.makeCounter(
            descriptor: Self.name("deliveries_parked", "total", "Deliveries marked dead after being claimed more often than their adapter's max_attempts"),
            labels: [("channel", channel)]
        ).increment()
    }

    /// A turn put off because its contact wrote faster than limits.contact_turns_per_minute.
    public func turnDeferred() {
        registry.makeCounter(descriptor: Self.name("turns_deferred", "total", "Turns put off because the contact was over the answers-per-minute limit"), labels: [])
            .increment()
    }

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "atende", metricName: metric, unitName: unit, helpText: help)
    }
}
