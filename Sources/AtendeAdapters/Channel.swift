import AtendeCore
import Crypto
import Foundation
import Synchronization

/// A configured channel: an adapter definition plus the settings of one account on that platform.
public struct Channel: Sendable {
    public var id: String
    public var definition: AdapterDefinition
    /// Every declared setting, defaults applied.
    public var settings: [String: String]
    /// Accept requests without checking them. Only ever set from an explicit `unverified: true`.
    public var unverified: Bool
    /// Answer messages written in group chats; off by default (a bot in a real group is an incident).
    public var answersGroups: Bool
    private let settingsScope: JSONValue
    private let replays: ReplayGuard

    public init(id: String, definition: AdapterDefinition, settings: [String: String], unverified: Bool = false, answersGroups: Bool = false) {
        self.id = id
        self.definition = definition
        self.settings = settings
        self.unverified = unverified
        self.answersGroups = answersGroups
        self.settingsScope = .object(["settings": .object(settings.mapValues(JSONValue.string))])
        self.replays = ReplayGuard()
    }

    /// `text` with the values of secret settings replaced, for logs and stored errors.
    public func redact(_ text: String) -> String {
        var redacted = text
        for spec in definition.settings where spec.secret {
            if let value = settings[spec.name], value.count >= 4 {
                redacted = redacted.replacingOccurrences(of: value, with: "<\(spec.name)>")
            }
        }
        return redacted
    }

    /// Settings shorter than their adapter's `min_length`: secrets the business chose and
    /// someone could guess. `atende check` refuses them; `atende serve` warns.
    public var weakSettings: [String] {
        definition.settings.compactMap { spec in
            guard let minimum = spec.minLength, let value = settings[spec.name], !value.isEmpty, value.count < minimum else { return nil }
            return "channel '\(id)': \(spec.name) has \(value.count) characters; use at least \(minimum) (a random one, e.g. openssl rand -hex 16)"
        }
    }

    /// The webhook path to register with the platform; a URL secret is shown by its setting's name.
    public var webhookPath: String {
        for check in definition.verification {
            if case .pathSecret(let template) = check {
                let name = template.paths.first.map { String($0.dropFirst("settings.".count)) } ?? "secret"
                return "/webhooks/\(id)/<\(name)>"
            }
        }
        return "/webhooks/\(id)"
    }

    // MARK: Verification

    public enum VerificationResult: Sendable, Equatable {
        /// - Parameters:
        ///   - payload: the body as JSON when a check had to read a field of it, so it is parsed once.
        ///   - delivery: the platform's delivery id; pass it to `remember` once the event is stored.
        case verified(payload: JSONValue? = nil, delivery: AcceptedDelivery? = nil)
        /// Authentic, but a delivery already stored: answer success and store nothing.
        case replayed(delivery: String)
        case rejected(reason: String)

        public var isVerified: Bool {
            if case .verified = self { return true }
            return false
        }
    }

    /// A signed delivery's id, and until when a redelivery of it can still pass the timestamp check.
    public struct AcceptedDelivery: Sendable, Equatable {
        public var id: String
        public var expires: Date
    }

    /// What verification looks at in a webhook request: the raw bytes, never a parsed body.
    public struct WebhookRequest {
        /// Looks a request header up by name, case-insensitively.
        public var header: (String) -> String?
        public var body: [UInt8]
        /// The URL segment after the channel id, `/webhooks/{channel}/{secret}`.
        public var pathSecret: String?

        public init(header: @escaping (String) -> String?, body: [UInt8], pathSecret: String?) {
            self.header = header
            self.body = body
            self.pathSecret = pathSecret
        }
    }

    /// The checks a request's head alone can fail: header and URL secrets, and a signature
    /// header's presence, prefix and timestamp window. Run before the body is read, so a request
    /// that fails them costs neither the memory of its body nor a parse. `nil`: read the body.
    public func rejectionBeforeBody(header: (String) -> String?, pathSecret: String?, now: Date = Date()) -> String? {
        if unverified { return nil }
        for check in definition.verification {
            switch check {
            case .headerEquals, .pathSecret:
                if let reason = headOnlyRejection(check, header: header, pathSecret: pathSecret) { return reason }
            case .hmacSHA256(let hmac):
                if case .failure(let rejection) = signatureHead(hmac, header: header, now: now) { return rejection.reason }
            case .bodyEquals:
                continue
            }
        }
        return nil
    }

    /// Runs every check of the adapter; the first failure rejects the request. Checks on headers,
    /// the URL and signatures run first, on the raw bytes; the body is parsed only for a check that
    /// reads a field of it, and only once those passed, so an unauthenticated request costs no parse.
    public func verify(_ request: WebhookRequest, now: Date = Date()) -> VerificationResult {
        if unverified { return .verified() }
        var delivery: AcceptedDelivery?
        for check in definition.verification {
            switch check {
            case .headerEquals, .pathSecret:
                if let reason = headOnlyRejection(check, header: request.header, pathSecret: request.pathSecret) { return .rejected(reason: reason) }
            case .hmacSHA256(let hmac):
                switch verifySignature(hmac, request, now: now) {
                case .success(let accepted): if let accepted { delivery = accepted }
                case .failure(let rejection): return .rejected(reason: rejection.reason)
                }
            case .bodyEquals:
                continue
            }
        }
        var payload: JSONValue?
        for case .bodyEquals(let path, let expectedTemplate) in definition.verification {
            guard let expected = expected(expectedTemplate) else { return .rejected(reason: "the channel has no secret configured to check the body's \(path) against") }
            if payload == nil {
                guard let parsed = JSONValue.parse(request.body) else { return .rejected(reason: "the body is not JSON, so it has no \(path)") }
                payload = parsed
            }
            guard let presented = payload?.value(at: path)?.scalarText else { return .rejected(reason: "the body has no \(path)") }
            guard ConstantTime.equals(presented, expected) else { return .rejected(reason: "wrong \(path) in the body") }
        }
        if let delivery, replays.contains(delivery.id, now: now) {
            return .replayed(delivery: delivery.id)
        }
        return .verified(payload: payload, delivery: delivery)
    }

    /// Remembers a delivery once its event is stored, so the platform's redelivery is answered
    /// without storing it again. Called only after the commit: a delivery whose store failed (503)
    /// must pass again when the platform retries it.
    public func remember(_ delivery: AcceptedDelivery, now: Date = Date()) {
        replays.remember(delivery.id, until: delivery.expires, now: now)
    }

    private struct Rejection: Error { var reason: String }

    /// A header or URL-secret check; `nil` when it passes.
    private func headOnlyRejection(_ check: AdapterDefinition.VerificationCheck, header: (String) -> String?, pathSecret: String?) -> String? {
        switch check {
        case .headerEquals(let name, let expectedTemplate):
            guard let expected = expected(expectedTemplate) else { return "the channel has no secret configured to check \(name) against" }
            guard let presented = header(name) else { return "missing \(name) header" }
            guard ConstantTime.equals(presented, expected) else { return "wrong \(name) header" }
        case .pathSecret(let expectedTemplate):
            guard let expected = expected(expectedTemplate) else { return "the channel has no secret configured for its webhook URL" }
            guard let presented = pathSecret else { return "the webhook URL lacks the channel's secret segment" }
            guard ConstantTime.equals(presented, expected) else { return "wrong secret in the webhook URL" }
        case .hmacSHA256, .bodyEquals:
            break
        }
        return nil
    }

    /// What a signature check can tell from the headers: the key, the signature's presence and
    /// prefix, and the timestamp inside its window. The signed text's prefix (`"{timestamp}."`) and
    /// until when a delivery can be replayed come with it.
    private func signatureHead(_ hmac: AdapterDefinition.HMACCheck, header: (String) -> String?, now: Date) -> Result<(key: String, presented: String, signedPrefix: [UInt8], expires: Date), Rejection> {
        guard let key = expected(hmac.key) else { return .failure(Rejection(reason: "the channel has no secret configured to check \(hmac.header)")) }
        guard let signature = header(hmac.header) else { return .failure(Rejection(reason: "missing \(hmac.header) header")) }
        guard signature.hasPrefix(hmac.prefix) else { return .failure(Rejection(reason: "\(hmac.header) does not start with '\(hmac.prefix)'")) }
        let presented = String(signature.dropFirst(hmac.prefix.count).lowercased())
        guard let timestampHeader = hmac.timestampHeader else {
            return .success((key, presented, [], now.addingTimeInterval(Double(hmac.maxAgeSeconds))))
        }
        guard let timestampText = header(timestampHeader), let timestamp = Int64(timestampText) else {
            return .failure(Rejection(reason: "missing or malformed \(timestampHeader) header"))
        }
        // Integer arithmetic that reports overflow: the header is anyone's, Int64.min included.
        let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let (age, overflow) = nowSeconds.subtractingReportingOverflow(timestamp)
        guard !overflow, age.magnitude <= UInt64(hmac.maxAgeSeconds) else {
            return .failure(Rejection(reason: "\(timestampHeader) is outside the \(hmac.maxAgeSeconds) s window"))
        }
        return .success((key, presented, Array("\(timestampText).".utf8), Date(timeIntervalSince1970: Double(timestamp) + Double(hmac.maxAgeSeconds))))
    }

    private func verifySignature(_ hmac: AdapterDefinition.HMACCheck, _ request: WebhookRequest, now: Date) -> Result<AcceptedDelivery?, Rejection> {
        let head: (key: String, presented: String, signedPrefix: [UInt8], expires: Date)
        switch signatureHead(hmac, header: request.header, now: now) {
        case .success(let checked): head = checked
        case .failure(let rejection): return .failure(rejection)
        }
        let digest = HMAC<SHA256>.authenticationCode(for: head.signedPrefix + request.body, using: SymmetricKey(data: Array(head.key.utf8)))
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        guard ConstantTime.equals(head.presented, hex) else { return .failure(Rejection(reason: "\(hmac.header) does not match the body")) }
        guard let deliveryHeader = hmac.deliveryHeader, let deliveryID = request.header(deliveryHeader), !deliveryID.isEmpty else { return .success(nil) }
        return .success(AcceptedDelivery(id: deliveryID, expires: head.expires))
    }

    private func expected(_ template: StringTemplate) -> String? {
        guard let value = template.text(in: settingsScope), !value.isEmpty else { return nil }
        return value
    }

    /// Meta's subscription handshake: the challenge to echo, or why not.
    public func handshake(query: [String: String]) -> Result<String, HandshakeRefusal> {
        guard let handshake = definition.handshake else { return .failure(HandshakeRefusal(reason: "adapter \(definition.id) has no GET handshake")) }
        guard query[handshake.modeParameter] == handshake.mode else { return .failure(HandshakeRefusal(reason: "\(handshake.modeParameter) is not '\(handshake.mode)'")) }
        guard let expected = expected(handshake.expected) else { return .failure(HandshakeRefusal(reason: "the channel has no verify token configured")) }
        guard let token = query[handshake.tokenParameter], ConstantTime.equals(token, expected) else {
            return .failure(HandshakeRefusal(reason: "wrong \(handshake.tokenParameter)"))
        }
        guard let challenge = query[handshake.challengeParameter], !challenge.isEmpty else {
            return .failure(HandshakeRefusal(reason: "missing \(handshake.challengeParameter)"))
        }
        return .success(challenge)
    }

    public struct HandshakeRefusal: Error, Sendable, Equatable {
        public var reason: String
    }

    // MARK: Inbound

    /// Turns an authenticated payload into events. Without `split`, the payload is one item;
    /// with it, every element along the split paths is. For each item the first rule whose
    /// condition holds decides.
    public func map(_ payload: JSONValue) -> MappedPayload {
        guard !definition.split.isEmpty else { return mapItem(payload) }
        var events: [InboundEvent] = []
        var reasons: [String] = []
        for path in definition.split {
            for (item, parent) in payload.elements(along: path) {
                switch mapItem(.object(["item": item, "parent": parent, "root": payload])) {
                case .events(let mapped): events += mapped
                case .ignored(let reason): reasons.append(reason)
                }
            }
        }
        if !events.isEmpty { return .events(events) }
        if reasons.isEmpty { return .ignored(reason: "no items at \(definition.split.joined(separator: " or ")) in this payload") }
        return .ignored(reason: Array(Set(reasons)).sorted().joined(separator: "; "))
    }

    private func mapItem(_ payload: JSONValue) -> MappedPayload {
        guard let rule = definition.inbound.first(where: { $0.when.holds(for: payload) }) else {
            return .ignored(reason: "no inbound rule of \(definition.id) matches this payload")
        }
        guard case .event(let kind) = rule.produces else { return .ignored(reason: rule.reason ?? rule.name) }
        guard let each = rule.each else { return mapEvent(kind, rule: rule, payload: payload) }
        guard case .array(let elements) = payload.value(at: each), case .object(let fields) = payload, !elements.isEmpty else {
            return .ignored(reason: "rule '\(rule.name)' matched but \(each) is not a list with elements")
        }
        var events: [InboundEvent] = []
        var reasons: [String] = []
        for element in elements {
            var scope = fields
            scope["item"] = element
            switch mapEvent(kind, rule: rule, payload: .object(scope)) {
            case .events(let mapped): events += mapped
            case .ignored(let reason): reasons.append(reason)
            }
        }
        return events.isEmpty ? .ignored(reason: reasons.first ?? rule.name) : .events(events)
    }

    private func mapEvent(_ kind: InboundEvent.Kind, rule: AdapterDefinition.InboundRule, payload: JSONValue) -> MappedPayload {
        // NUL characters are dropped from everything kept: PostgreSQL refuses them in text.
        func read(_ template: StringTemplate?) -> String? {
            guard let text = template?.text(in: payload) else { return nil }
            let clean = text.contains("\u{0}") ? text.replacingOccurrences(of: "\u{0}", with: "") : text
            return clean.isEmpty ? nil : clean
        }
        if let group = read(rule.group), ["true", "1", "yes"].contains(group.lowercased()), !answersGroups {
            return .ignored(reason: "message in a group chat: channel \(id) does not answer groups (set groups: answer)")
        }
        guard let eventID = read(rule.id), let conversation = read(rule.conversation) else {
            return .ignored(reason: "rule '\(rule.name)' matched but the payload lacks its id or conversation")
        }
        let phone = read(rule.senderPhone).flatMap { PlatformPhone.e164($0) }
        // The contact is keyed by phone when the platform gives one, so @lid and phone ids meet.
        guard let senderID = phone ?? read(rule.senderID) ?? (kind.isAnswered ? nil : conversation) else {
            return .ignored(reason: "rule '\(rule.name)' matched but the payload lacks a sender id")
        }
        var status = read(rule.status)
        if kind == .status, let raw = status {
            guard let name = rule.statusNames[raw] ?? AdapterDefinition.deliveryStatuses.first(where: { $0 == raw.lowercased() }) else {
                return .ignored(reason: "rule '\(rule.name)': delivery status '\(raw)' is not one the gateway tracks")
            }
            status = name
        }
        let choice = read(rule.choice)
        if kind == .choice, choice == nil {
            return .ignored(reason: "rule '\(rule.name)' matched but the payload has no choice value")
        }
        var media: MediaAttachment?
        if let type = read(rule.mediaType) {
            media = MediaAttachment(type: type, mimeType: read(rule.mediaMimeType), handle: read(rule.mediaHandle))
        }
        if kind == .media, media == nil { return .ignored(reason: "rule '\(rule.name)' matched but the payload has no media type") }
        let target = read(rule.target)
        if [.edit, .reaction, .status].contains(kind), target == nil {
            return .ignored(reason: "rule '\(rule.name)' matched but the payload lacks the id of the message it is about")
        }
        var acknowledgement: Acknowledgement?
        if let spec = rule.acknowledge {
            acknowledgement = Acknowledgement(action: spec.action, values: spec.values.compactMapValues { $0.value(in: payload) })
        }
        let event = InboundEvent(
            kind: kind,
            platformEventID: eventID,
            conversation: conversation,
            sender: Sender(
                id: senderID,
                name: read(rule.senderName),
                phone: phone,
                alternateID: read(rule.senderAlternateID).flatMap { $0 == senderID ? nil : $0 }
            ),
            text: read(rule.text) ?? choice ?? "",
            choiceID: choice,
            language: read(rule.language),
            acknowledgement: acknowledgement,
            target: target,
            status: status,
            media: media
        )
        return .events([event])
    }

    // MARK: Outbound

    /// The outbox entries for a reply. Choices go through the most native choice action whose
    /// limits they fit (reply buttons, then a list), else as numbered text the contact can answer
    /// with a number. Text over the platform's limit becomes several messages; choices ride on the last.
    public func drafts(for reply: Reply, conversation: String, traceID: String) -> [OutboxDraft] {
        let rules = definition.text
        func shaped(_ text: String) -> String {
            rules.replacements.reduce(text) { $0.replacingOccurrences(of: $1.from, with: $1.to) }
        }
        var choices = reply.choices.map { Choice(id: $0.id, title: shaped($0.title)) }
        let choiceAction = choices.isEmpty ? nil : AdapterDefinition.choiceActions.first { name in
            guard let action = definition.outbound[name] else { return false }
            if let max = action.maxChoices, choices.count > max { return false }
            if let max = action.maxTitleLength, choices.contains(where: { $0.title.count > max }) { return false }
            return true
        }
        // An id longer than the platform carries back travels as a short token; the outbox entry
        // keeps the token → id map, and `ChoiceToken.resolve` reads it when the pick comes back.
        var tokens: [String: JSONValue] = [:]
        if let choiceAction, let max = definition.outbound[choiceAction]?.maxIDBytes {
            for index in choices.indices where choices[index].id.utf8.count > max {
                let token = ChoiceToken.make(for: choices[index].id)
                tokens[token] = .string(choices[index].id)
                choices[index].id = token
            }
        }
        var text = shaped(reply.text)
        if choiceAction == nil {
            for (index, choice) in choices.enumerated() { text += "\n\(index + 1). \(choice.title)" }
        }
        var parts = rules.maxLength.map { TextSplitter.split(text, maxLength: $0) } ?? [text]
        // The part that carries the choices may have a tighter limit (Meta: 1024 for interactive bodies).
        if let choiceAction, let limit = definition.outbound[choiceAction]?.maxTextLength, let last = parts.last, last.count > limit {
            parts = parts.dropLast() + TextSplitter.split(last, maxLength: limit)
        }
        return parts.enumerated().map { index, part in
            var values: [String: JSONValue] = ["conversation": .string(conversation), "text": .string(part)]
            if index == parts.count - 1, let choiceAction {
                values["choices"] = .array(choices.map { .object(["id": .string($0.id), "title": .string($0.title)]) })
                if !tokens.isEmpty { values[ChoiceToken.mapKey] = .object(tokens) }
                return OutboxDraft(action: choiceAction, values: values, replyText: part, traceID: traceID)
            }
            return OutboxDraft(action: "send_text", values: values, replyText: part, traceID: traceID)
        }
    }

    /// The HTTP request for one outbox entry.
    public func request(action name: String, values: [String: JSONValue]) throws(OutboundRenderError) -> OutboundRequest {
        guard let action = definition.outbound[name] else {
            throw OutboundRenderError(message: "adapter \(definition.id) has no outbound action '\(name)'")
        }
        guard case .object(var scope) = settingsScope else { preconditionFailure("settings scope is an object") }
        for (key, value) in values { scope[key] = value }
        let scopeValue = JSONValue.object(scope)
        guard let url = action.url.urlText(in: scopeValue) else {
            throw OutboundRenderError(message: "the url of '\(name)' has a placeholder with no value, or a value that is only '.' or '..'")
        }
        var headers: [(String, String)] = []
        for (header, template) in action.headers.sorted(by: { $0.key < $1.key }) {
            guard let value = template.text(in: scopeValue) else {
                throw OutboundRenderError(message: "header \(header) of '\(name)' has a placeholder with no value")
            }
            headers.append((header, value))
        }
        let body = action.json?.render(in: scopeValue)
        var personal = [values["text"]?.scalarText, values["conversation"]?.scalarText].compactMap { $0 }
        if case .array(let choices)? = values["choices"] { personal += choices.compactMap { $0.value(at: "title")?.scalarText } }
        return OutboundRequest(method: action.method, url: url, headers: headers, body: body, messageIDPath: action.messageIDPath, personalTexts: personal)
    }
}

public struct OutboundRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: JSONValue?
    public var messageIDPath: String?
    /// What the request carries about a person (the text, the choices, the chat id), kept out of
    /// the error the platform answers with before it is logged or stored.
    public var personalTexts: [String] = []
}

public struct OutboundRenderError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

enum ConstantTime {
    /// Compares without returning early, so response timing does not reveal how much of a secret matched.
    static func equals(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0 && a.count == b.count
    }
}

/// Delivery ids stored recently, so a replayed signed request is not stored twice.
/// Entries are kept until their signature's timestamp leaves the window; after that the
/// timestamp check refuses the request anyway.
final class ReplayGuard: Sendable {
    private let seen = Mutex<[String: Date]>([:])

    /// Whether `delivery` was stored before and has not expired.
    func contains(_ delivery: String, now: Date) -> Bool {
        seen.withLock { seen in seen[delivery].map { $0 > now } ?? false }
    }

    func remember(_ delivery: String, until expiry: Date, now: Date) {
        seen.withLock { seen in
            if seen.count > 10_000 { seen = seen.filter { $0.value > now } }
            seen[delivery] = expiry
        }
    }
}

/// Splits long text for platforms with a length limit, preferring paragraph, then line, then
/// word boundaries, so a message never ends mid-word when it can be avoided.
enum TextSplitter {
    static func split(_ text: String, maxLength: Int) -> [String] {
        var parts: [String] = []
        var rest = Substring(text)
        while rest.count > maxLength {
            let window = rest.prefix(maxLength)
            let cut = [window.range(of: "\n\n", options: .backwards), window.range(of: "\n", options: .backwards), window.range(of: " ", options: .backwards)]
                .compactMap { $0 }
                .first { window.distance(from: window.startIndex, to: $0.lowerBound) > maxLength / 2 }
            let end = cut?.lowerBound ?? window.endIndex
            parts.append(String(rest[..<end]).trimmingCharacters(in: .whitespacesAndNewlines))
            rest = rest[(cut?.upperBound ?? end)...].drop { $0 == " " || $0 == "\n" }
        }
        if !rest.isEmpty || parts.isEmpty { parts.append(String(rest)) }
        return parts
    }
}

/// A short stand-in for a choice id too long for the platform (Telegram's callback_data holds 64
/// bytes): `~` and 22 characters of the id's SHA-256, the same for the same id.
public enum ChoiceToken {
    /// Where an outbox entry keeps its token → id map.
    public static let mapKey = "choice_tokens"

    public static func make(for id: String) -> String {
        let digest = SHA256.hash(data: Array(id.utf8))
        let base64 = Data(digest).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        return "~" + base64.prefix(22)
    }

    public static func isToken(_ choice: String) -> Bool {
        choice.hasPrefix("~") && choice.count == 23
    }
}
