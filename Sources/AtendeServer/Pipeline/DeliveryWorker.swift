import AtendeAdapters
import AtendeCore
import Logging
import ServiceLifecycle

/// Sends outbox entries through their channel's adapter, in order per conversation,
/// retrying what may succeed later and marking the rest dead.
public struct DeliveryWorker: Service {
    let name: String
    let runtime: GatewayRuntime
    static let handedBeforeClaim = 8

    public func run() async throws {
        // Replies handed over by turn workers come first, but every so often the store is asked
        // too, so retries and later entries of a conversation are not starved by a busy stream.
        var handedInARow = 0
        await runClaimLoop(runtime: runtime, signal: runtime.deliverySignal, kind: "delivery") {
            if handedInARow < Self.handedBeforeClaim, let handed = runtime.deliveryHandoff.take() {
                handedInARow += 1
                return handed
            }
            handedInARow = 0
            let now = runtime.time.nowMillis()
            let claimed = try await runtime.store.claimDelivery(
                worker: name, now: now, leaseMillis: runtime.configuration.leaseMillis, excludingChannels: runtime.circuits.blocked(now: now)
            )
            return claimed ?? runtime.deliveryHandoff.take()
        } handle: { delivery in
            await deliver(delivery)
        }
    }

    func deliver(_ delivery: ClaimedDelivery) async {
        var logger = runtime.logger
        logger[metadataKey: "trace_id"] = "\(delivery.traceID)"
        logger[metadataKey: "channel"] = "\(delivery.channelID)"
        logger[metadataKey: "conversation"] = "\(delivery.conversationID)"
        logger[metadataKey: "action"] = "\(delivery.action)"
        logger[metadataKey: "attempt"] = "\(delivery.attempts)"
        let channel = runtime.channels[delivery.channelID]
        let policy = channel?.definition.delivery
        if let policy, delivery.attempts > policy.maxAttempts {
            // Claimed more often than it may be tried: the process stopped while sending it, each time.
            let reason = "claimed \(delivery.attempts) times without a result: the gateway stopped while sending it"
            do {
                try await runtime.store.markDeliveryFailed(delivery, error: reason, retryAt: nil, now: runtime.time.nowMillis())
                runtime.metrics.deliveryParked(channel: delivery.channelID)
                logger.error("delivery parked as dead; atende deliveries replay \(delivery.id) sends it again", metadata: ["reason": "\(reason)"])
            } catch {
                logger.error("cannot park the delivery; its lease will expire", metadata: ["error": "\(String(reflecting: error))"])
            }
            return
        }
        do {
            if case .rejected(let retryAt) = runtime.circuits.admit(delivery.channelID, now: runtime.time.nowMillis()) {
                // Claimed just as the circuit opened: put it back untried.
                return try await runtime.store.deferDelivery(delivery, until: retryAt)
            }
            // Pacing is for messages the contact sees; acknowledgements (a callback's spinner) go at once.
            if let policy, delivery.action == "send_text" || AdapterDefinition.choiceActions.contains(delivery.action) {
                let wait = runtime.pacing.reserve(
                    channel: delivery.channelID, conversation: String(delivery.conversationID),
                    intervalMillis: policy.conversationIntervalMillis, perSecond: policy.channelPerSecond, now: runtime.time.nowMillis()
                )
                if wait > 0 { try await Task.sleep(for: .milliseconds(wait)) }
            }
        } catch {
            logger.warning("delivery not attempted (stopping, or the store failed); its lease will expire", metadata: ["error": "\(String(reflecting: error))"])
            return
        }
        let result = await send(delivery, through: channel)
        let maxAttempts = policy?.maxAttempts ?? 1
        let now = runtime.time.nowMillis()
        if let policy {
            let success: Bool
            switch result {
            case .delivered, .permanent: success = true  // the platform answered; a 4xx is about this entry, not the channel
            case .retryable: success = false
            }
            if runtime.circuits.record(delivery.channelID, success: success, now: now, failureThreshold: policy.circuitFailures, openMillis: policy.circuitOpenMillis) {
                runtime.metrics.circuitOpened(channel: delivery.channelID)
                logger.error("channel circuit open: deliveries to it pause", metadata: ["pause_ms": "\(policy.circuitOpenMillis)"])
            }
        }
        do {
            switch result {
            case .delivered(let platformMessageID):
                try await runtime.store.markDelivered(delivery, platformMessageID: platformMessageID, now: now)
                logger.info("delivered")
            case .retryable(let reason, let retryAfter) where delivery.attempts < maxAttempts:
                runtime.metrics.deliveryFailure(channel: delivery.channelID, kind: "retryable")
                let retryAt = now + max(retryAfter ?? 0, Backoff.pipeline.delayMillis(attempt: delivery.attempts))
                try await runtime.store.markDeliveryFailed(delivery, error: reason, retryAt: retryAt, now: now)
                logger.warning("delivery failed; will retry", metadata: ["reason": "\(reason)", "retry_in_ms": "\(retryAt - now)"])
            case .retryable(let reason, _), .permanent(let reason):
                runtime.metrics.deliveryFailure(channel: delivery.channelID, kind: "permanent")
                try await runtime.store.markDeliveryFailed(delivery, error: reason, retryAt: nil, now: now)
                logger.error("delivery failed for good; kept as a dead entry to replay", metadata: ["reason": "\(reason)"])
            }
        } catch {
            logger.error("cannot record the delivery result; the entry's lease will expire", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// One platform call, its failure reason stripped of the channel's secrets.
    func send(_ delivery: ClaimedDelivery, through channel: Channel?) async -> DeliveryResult {
        guard let channel else { return .permanent(reason: "channel \(delivery.channelID) is no longer configured") }
        let request: OutboundRequest
        do {
            request = try channel.request(action: delivery.action, values: delivery.values)
        } catch {
            return .permanent(reason: error.description)
        }
        let started = ContinuousClock.now
        let result = await runtime.deliveryClient.send(request, policy: channel.definition.delivery)
        runtime.metrics.deliveryDuration(channel: delivery.channelID, ContinuousClock.now - started)
        return result.redacted(by: channel)
    }
}

extension DeliveryResult {
    /// The same result with secret settings removed from its reason, before it is logged or stored.
    func redacted(by channel: Channel) -> DeliveryResult {
        switch self {
        case .delivered: return self
        case .retryable(let reason, let retryAfter): return .retryable(reason: channel.redact(reason), retryAfterMillis: retryAfter)
        case .permanent(let reason): return .permanent(reason: channel.redact(reason))
        }
    }
}
