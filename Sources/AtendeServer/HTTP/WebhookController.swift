import AtendeAdapters
import AtendeCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `POST /webhooks/{channel}`: verify, map, store durably, then answer. Nothing slow runs here.
struct WebhookController {
    let runtime: GatewayRuntime

    func addRoutes(to router: Router<AtendeRequestContext>) {
        router.post("/webhooks/:channel", use: receive)
        // Platforms that sign nothing carry a secret in the URL instead.
        router.post("/webhooks/:channel/:secret", use: receive)
        router.get("/webhooks/:channel", use: handshake)
    }

    /// Meta's `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`: echo the challenge.
    @Sendable func handshake(_ request: Request, context: AtendeRequestContext) async throws -> Response {
        let channelID = try context.parameters.require("channel")
        guard let channel = runtime.channels[channelID] else {
            return .json(.notFound, ["error": "no channel '\(channelID)' is configured"])
        }
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        switch channel.handshake(query: query) {
        case .success(let challenge):
            runtime.logger.info("webhook handshake accepted", metadata: ["channel": "\(channelID)"])
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: challenge)))
        case .failure(let refusal):
            runtime.logger.warning("webhook handshake refused", metadata: ["channel": "\(channelID)", "reason": "\(refusal.reason)"])
            return .json(.forbidden, ["error": "handshake refused: \(refusal.reason)"])
        }
    }

    @Sendable func receive(_ request: Request, context: AtendeRequestContext) async throws -> Response {
        let channelID = try context.parameters.require("channel")
        guard let channel = runtime.channels[channelID] else {
            runtime.metrics.webhook(channel: "unknown", outcome: "unknown_channel")
            return .json(.notFound, ["error": "no channel '\(channelID)' is configured"])
        }
        let limits = runtime.inboundLimits
        let client = context.clientAddress(request, trustedProxies: runtime.configuration.limits.trustedProxies)
        let now = runtime.time.nowMillis()
        let header: (String) -> String? = { name in HTTPField.Name(name).flatMap { request.headers[$0] } }
        if let reason = channel.rejectionBeforeBody(header: header, pathSecret: context.parameters.get("secret")) {
            return refuse(channelID: channelID, client: client, reason: reason, now: now)
        }
        guard limits.inFlight.enter(channelID) else {
            runtime.metrics.webhook(channel: channelID, outcome: "busy")
            runtime.logger.warning("webhook refused: too many in flight for the channel", metadata: ["channel": "\(channelID)", "limit": "\(limits.inFlight.limit)"])
            return .json(.serviceUnavailable, ["error": "busy; try again shortly"], retryAfterMillis: 1000)
        }
        defer { limits.inFlight.leave(channelID) }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: runtime.configuration.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            runtime.metrics.webhook(channel: channelID, outcome: "too_large")
            runtime.logger.warning("webhook refused: body over the limit", metadata: ["channel": "\(channelID)", "limit": "\(runtime.configuration.maxBodyBytes)"])
            return .json(.contentTooLarge, ["error": "request body is larger than \(runtime.configuration.maxBodyBytes) bytes"])
        } catch {
            // A body that never ends holds a place in flight: it counts against the client like a forgery.
            limits.failedVerifications.record(client, now: now)
            runtime.metrics.webhook(channel: channelID, outcome: "disconnected")
            runtime.logger.info("webhook abandoned: the client disconnected or was too slow before the body ended", metadata: ["channel": "\(channelID)"])
            return .json(.badRequest, ["error": "the request body did not arrive whole"])
        }
        let bytes = Array(body.readableBytesView)
        let verification = channel.verify(Channel.WebhookRequest(header: header, body: bytes, pathSecret: context.parameters.get("secret")))
        let verifiedPayload: JSONValue?
        let delivery: AtendeAdapters.Channel.AcceptedDelivery?
        switch verification {
        case .verified(let payload, let accepted):
            verifiedPayload = payload
            delivery = accepted
        case .replayed(let delivery):
            runtime.metrics.webhook(channel: channelID, outcome: "duplicate")
            runtime.logger.info("webhook delivery already stored", metadata: ["channel": "\(channelID)", "delivery": "\(Redaction.identifier(delivery))"])
            return .json(.ok, ["ok": "duplicate"])
        case .rejected(let reason):
            return refuse(channelID: channelID, client: client, reason: reason, now: now)
        }
        guard let payload = verifiedPayload ?? JSONValue.parse(bytes) else {
            runtime.metrics.webhook(channel: channelID, outcome: "malformed")
            runtime.logger.warning("webhook refused: body is not JSON", metadata: ["channel": "\(channelID)", "bytes": "\(bytes.count)"])
            return .json(.badRequest, ["error": "request body is not valid JSON"])
        }
        switch channel.map(payload) {
        case .ignored(let reason):
            if let delivery { channel.remember(delivery) }
            runtime.metrics.webhook(channel: channelID, outcome: "ignored")
            runtime.logger.info("webhook ignored", metadata: ["channel": "\(channelID)", "reason": "\(reason)"])
            return .json(.ok, ["ok": "ignored", "reason": reason])
        case .events(let events):
            let now = runtime.time.nowMillis()
            let items = events.map { IngestItem(channelID: channelID, event: $0, traceID: TraceID.make(), receivedAt: now) }
            let outcomes: [IngestOutcome]
            do {
                outcomes = try await runtime.batcher.ingest(items)
            } catch {
                runtime.metrics.webhook(channel: channelID, outcome: "store_error", count: items.count)
                runtime.logger.error("webhook not stored; the platform will retry", metadata: ["channel": "\(channelID)", "error": "\(String(reflecting: error))"])
                return .json(.serviceUnavailable, ["error": "could not store the event; try again"])
            }
            // Remembered only now that the event is stored: after a 503 the platform's retry must pass.
            if let delivery { channel.remember(delivery) }
            var stored = 0
            var answered = 0
            for (item, outcome) in zip(items, outcomes) {
                switch outcome {
                case .stored(let messageID, let conversationID):
                    stored += 1
                    if item.event.kind.startsTurn { answered += 1 }
                    runtime.logger.info("webhook stored", metadata: [
                        "channel": "\(channelID)", "trace_id": "\(item.traceID)", "message": "\(messageID)", "conversation": "\(conversationID)",
                    ])
                case .duplicate:
                    runtime.logger.info("webhook duplicate ignored", metadata: ["channel": "\(channelID)", "event": "\(Redaction.identifier(item.event.platformEventID))"])
                }
            }
            runtime.metrics.webhook(channel: channelID, outcome: "stored", count: stored)
            runtime.metrics.webhook(channel: channelID, outcome: "duplicate", count: items.count - stored)
            // Statuses, edits and reactions queue no turn: nothing to wake for them.
            if answered > 0 { wakeTurnWorkers(count: answered) }
            return .json(.ok, ["ok": stored > 0 ? "stored" : "duplicate"])
        }
    }

    /// 401 for a request that failed verification, counted against its client address; once the
    /// address is over `limits.failed_verifications_per_minute`, 429 with `Retry-After` (and no
    /// log line each). A request that passes is never refused for its address: platforms send
    /// from shared addresses, and someone else's forgeries must not hold up the business's
    /// webhooks. The reason stays in the log: telling the caller which check failed helps only an attacker.
    private func refuse(channelID: String, client: String, reason: String, now: Int64) -> Response {
        let failures = runtime.inboundLimits.failedVerifications
        if let retryAt = failures.retryAt(client, now: now) {
            runtime.metrics.webhook(channel: channelID, outcome: "client_blocked")
            return .json(.tooManyRequests, ["error": "too many unverified requests; try again later"], retryAfterMillis: retryAt - now)
        }
        failures.record(client, now: now)
        runtime.metrics.webhook(channel: channelID, outcome: "unauthorized")
        runtime.logger.warning("webhook refused: not verified", metadata: ["channel": "\(channelID)", "reason": "\(reason)"])
        return .json(.unauthorized, ["error": "not verified"])
    }

    private func wakeTurnWorkers(count: Int) {
        let debounce = runtime.configuration.debounceMillis
        guard debounce > 0 else { return runtime.turnSignal.notify(count: count) }
        let signal = runtime.turnSignal
        Task {
            try? await Task.sleep(for: .milliseconds(debounce))
            signal.notify(count: count)
        }
    }
}

enum TraceID {
    /// 16 hex digits: short enough to read in a log line, random enough not to collide in practice.
    static func make() -> String {
        let value = UInt64.random(in: .min ... .max)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension Response {
    /// - Parameter retryAfterMillis: sent as `Retry-After` in whole seconds, at least 1.
    static func json(_ status: HTTPResponse.Status, _ fields: [String: String], retryAfterMillis: Int64? = nil) -> Response {
        let body = JSONValue.object(fields.mapValues(JSONValue.string)).encodedString()
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let retryAfterMillis { headers[.retryAfter] = "\(max(1, (retryAfterMillis + 999) / 1000))" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
