import AtendeAdapters
import AtendeCore
import Logging
import ServiceLifecycle

/// Claims turns, asks the responder, and stores the reply in the outbox with the turn.
public struct TurnWorker: Service {
    let name: String
    let runtime: GatewayRuntime
    /// After this many failed tries a turn is logged as an error.
    static let attemptsBeforeAlarm = 5
    /// A turn still thinking after this long shows "typing…" where the platform can.
    static let typingAfterMillis = 300

    public func run() async throws {
        await runClaimLoop(runtime: runtime, signal: runtime.turnSignal, kind: "turn") {
            try await runtime.store.claimTurn(worker: name, now: runtime.time.nowMillis(), leaseMillis: runtime.configuration.leaseMillis)
        } handle: { claim in
            await process(claim)
        }
    }

    func process(_ claim: ClaimedTurn) async {
        let started = ContinuousClock.now
        var turn = claim.turn
        var logger = runtime.logger
        logger[metadataKey: "conversation"] = "\(turn.conversation.id)"
        logger[metadataKey: "channel"] = "\(turn.conversation.channelID)"
        logger[metadataKey: "trace_id"] = "\(turn.messages.map(\.traceID).joined(separator: ","))"
        let maxAttempts = runtime.configuration.maxTurnAttempts
        if claim.attempts > maxAttempts {
            // Claimed this often without a result: the process died while answering it, each time.
            await park(claim, reason: "claimed \(claim.attempts) times without completing: the gateway stopped while answering it", logger: logger)
            return
        }
        if turn.messages.contains(where: \.kind.isAnswered) {
            let now = runtime.time.nowMillis()
            if let retryAt = runtime.inboundLimits.contactTurns.admit(String(turn.conversation.id), now: now) {
                // A contact writing faster than the limit is answered once they slow down, all at once.
                var deferred = claim
                deferred.attempts -= 1
                runtime.metrics.turnDeferred()
                logger.info("turn deferred: the contact is over the answers-per-minute limit", metadata: ["retry_in_ms": "\(retryAt - now)"])
                do {
                    try await runtime.store.releaseTurn(deferred, retryAt: retryAt, error: "deferred: over limits.contact_turns_per_minute")
                } catch {
                    logger.error("cannot defer the turn; its lease will expire", metadata: ["error": "\(String(reflecting: error))"])
                }
                return
            }
        }
        var result = TurnResult(outbox: [])
        if !turn.messages.isEmpty {
            guard let channel = runtime.channels[turn.conversation.channelID] else {
                // Maybe removed from the configuration by mistake: keep the messages for when it is back.
                await retry(claim, error: "channel \(turn.conversation.channelID) is not configured", logger: logger)
                return
            }
            do {
                turn.messages = try await resolveChoiceTokens(turn)
            } catch {
                await retry(claim, error: "cannot read the choices offered earlier: \(error)", logger: logger)
                return
            }
            result.outbox += runtime.renderer.acknowledgements(of: turn.messages)
            // "typing…" only when the answer takes a noticeable time (an LLM); an offline answer is instant.
            let typing = Task { [self, turn] in
                try await Task.sleep(for: .milliseconds(Self.typingAfterMillis))
                showTyping(in: channel, turn: turn, logger: logger)
            }
            defer { typing.cancel() }
            // A slow answer (a model retrying, tool rounds) keeps its lease, so no other worker
            // takes the turn over while this one is still on it.
            let leaseMillis = runtime.configuration.leaseMillis
            let renewal = Task { [runtime] in
                while !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(leaseMillis / 3))
                    guard try await runtime.store.renewTurnLease(claim, until: runtime.time.nowMillis() + leaseMillis) else { return }
                }
            }
            defer { renewal.cancel() }
            let answer: TurnAnswer
            do {
                answer = try await runtime.responder.respond(to: turn)
            } catch {
                await retry(claim, error: "responder failed: \(error)", logger: logger)
                return
            }
            let traceID = turn.messages.last!.traceID
            if let notice = answer.teamNotice {
                // Logged too: a business with neither Chatwoot nor a notification chat reads it here.
                logger.warning("notice for the team", metadata: ["notice": "\(notice)"])
            }
            result.outbox += runtime.renderer.drafts(for: answer, in: channel, conversation: turn.conversation.platformChatID, traceID: traceID)
            result.memory = answer.memory
            result.ownership = answer.ownership
            result.trace = answer.trace
        }
        let drafts = result.outbox
        let now = runtime.time.nowMillis()
        // The reply is leased with the turn and handed to a delivery worker here, saving it a claim.
        let leasing = DeliveryLease(
            worker: name + "-handoff", leaseMillis: runtime.configuration.leaseMillis, excludingChannels: runtime.circuits.blocked(now: now)
        )
        do {
            if let completed = try await runtime.store.completeTurn(claim, result: result, now: now, leasing: leasing) {
                runtime.metrics.turnDuration(ContinuousClock.now - started)
                if let trace = result.trace { runtime.metrics.turnTraced(trace) }
                if let leased = completed.leasedDelivery { runtime.deliveryHandoff.put(leased) }
                if !drafts.isEmpty { runtime.deliverySignal.notify(count: drafts.count) }
                logger.debug("turn answered", metadata: ["messages": "\(turn.messages.count)", "outbox": "\(drafts.count)"])
            } else {
                logger.warning("turn lease was lost to another worker; its result was discarded")
            }
        } catch {
            logger.error("cannot store the turn; it will run again when its lease expires", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}

extension TurnWorker {
    /// Picks of choices whose ids were too long for the platform come back as tokens; the
    /// responder sees the original ids.
    func resolveChoiceTokens(_ turn: Turn) async throws -> [StoredMessage] {
        var messages = turn.messages
        for index in messages.indices {
            guard let choice = messages[index].choiceID, ChoiceToken.isToken(choice) else { continue }
            if let id = try await runtime.store.choiceID(forToken: choice, mapKey: ChoiceToken.mapKey, conversationID: turn.conversation.id) {
                messages[index].choiceID = id
            }
        }
        return messages
    }

    /// "typing…" while the responder works, where the adapter has a `typing` action. Best effort:
    /// not queued, not retried, and never in the way of the reply.
    func showTyping(in channel: Channel, turn: Turn, logger: Logger) {
        guard let request = runtime.renderer.typingRequest(in: channel, conversation: turn.conversation.platformChatID, messageID: turn.messages.last?.platformEventID)
        else { return }
        var policy = channel.definition.delivery
        policy.timeoutMillis = min(policy.timeoutMillis, 3000)
        let client = runtime.deliveryClient
        Task {
            if case .delivered = await client.send(request, policy: policy) { return }
            logger.debug("typing indicator not shown")
        }
    }

    /// Gives the turn back to run again later; its messages stay stored and unanswered meanwhile.
    /// A turn that failed `pipeline.max_turn_attempts` times is parked instead.
    func retry(_ claim: ClaimedTurn, error: String, logger: Logger) async {
        if claim.attempts >= runtime.configuration.maxTurnAttempts {
            await park(claim, reason: "failed \(claim.attempts) times; last: \(error)", logger: logger)
            return
        }
        let retryAt = runtime.time.nowMillis() + Backoff.pipeline.delayMillis(attempt: claim.attempts)
        let metadata: Logger.Metadata = ["error": "\(error)", "attempt": "\(claim.attempts)", "retry_in_ms": "\(retryAt - runtime.time.nowMillis())"]
        if claim.attempts >= Self.attemptsBeforeAlarm {
            logger.error("turn keeps failing; it will run again", metadata: metadata)
        } else {
            logger.warning("turn failed; it will run again", metadata: metadata)
        }
        do {
            try await runtime.store.releaseTurn(claim, retryAt: retryAt, error: error)
        } catch {
            logger.error("cannot release the turn; its lease will expire", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Moves a turn that keeps failing out of the queue, so it cannot hold up (or crash) the
    /// gateway; `atende turns replay ID` puts it back.
    func park(_ claim: ClaimedTurn, reason: String, logger: Logger) async {
        do {
            guard try await runtime.store.parkTurn(claim, reason: reason, now: runtime.time.nowMillis()) else {
                return logger.warning("turn lease was lost to another worker before it could be parked")
            }
            runtime.metrics.turnParked()
            logger.error("turn parked as dead; its messages stay stored (atende turns list --dead, atende turns replay \(claim.jobID))", metadata: [
                "job": "\(claim.jobID)", "reason": "\(reason)",
            ])
        } catch {
            logger.error("cannot park the turn; its lease will expire", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}

extension Backoff {
    /// Turns and deliveries: attempt 1 waits about 0.5 s, doubling up to 5 minutes.
    static let pipeline = Backoff(baseMillis: 500, capMillis: 300_000)
}
