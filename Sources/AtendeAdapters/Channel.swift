import Foundation
import AtendeCore

/// A configured channel: an adapter definition plus the settings of one account on that platform.
public struct Channel: Sendable {
    public var id: String
    public var definition: AdapterDefinition
    /// Every declared setting, defaults applied.
    public var settings: [String: String]
    private let settingsScope: JSONValue

    public init(id: String, definition: AdapterDefinition, settings: [String: String]) {
        self.id = id
        self.definition = definition
        self.settings = settings
        self.settingsScope = .object(["settings": .object(settings.mapValues(JSONValue.string))])
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

    // MARK: Verification

    public enum VerificationResult: Sendable, Equatable {
        case verified
        case rejected(reason: String)
    }

    /// Checks a webhook request. `header` looks a request header up by name, case-insensitively.
    public func verify(header: (String) -> String?, body: [UInt8]) -> VerificationResult {
        switch definition.verification {
        case .headerEquals(let name, let expectedTemplate):
            guard let expected = expectedTemplate.text(in: settingsScope), !expected.isEmpty else {
                return .rejected(reason: "the channel has no secret configured to check \(name) against")
            }
            guard let presented = header(name) else { return .rejected(reason: "missing \(name) header") }
            return ConstantTime.equals(presented, expected) ? .verified : .rejected(reason: "wrong \(name) header")
        }
    }

    // MARK: Inbound

    /// Turns an authenticated payload into events. The first rule whose condition holds decides.
    public func map(_ payload: JSONValue) -> MappedPayload {
        guard let rule = definition.inbound.first(where: { $0.when.holds(for: payload) }) else {
            return .ignored(reason: "no inbound rule of \(definition.id) matches this payload")
        }
        let produces: InboundEvent.Kind
        switch rule.produces {
        case .ignore: return .ignored(reason: rule.reason ?? rule.name)
        case .message: produces = .message
        case .choice: produces = .choice
        }
        // NUL characters are dropped from everything kept: PostgreSQL refuses them in text.
        func read(_ template: StringTemplate?) -> String? {
            template?.text(in: payload).map { $0.contains("\u{0}") ? $0.replacingOccurrences(of: "\u{0}", with: "") : $0 }
        }
        guard let id = read(rule.id), !id.isEmpty,
            let conversation = read(rule.conversation), !conversation.isEmpty,
            let senderID = read(rule.senderID), !senderID.isEmpty
        else {
            return .ignored(reason: "rule '\(rule.name)' matched but the payload lacks its id, conversation or sender")
        }
        let choice = read(rule.choice)
        if produces == .choice, choice == nil {
            return .ignored(reason: "rule '\(rule.name)' matched but the payload has no choice value")
        }
        let text = read(rule.text) ?? choice ?? ""
        var acknowledgement: Acknowledgement?
        if let spec = rule.acknowledge {
            acknowledgement = Acknowledgement(action: spec.action, values: spec.values.compactMapValues { $0.value(in: payload) })
        }
        let event = InboundEvent(
            kind: produces,
            platformEventID: id,
            conversation: conversation,
            sender: Sender(id: senderID, name: read(rule.senderName)),
            text: text,
            choiceID: choice,
            language: read(rule.language),
            acknowledgement: acknowledgement
        )
        return .events([event])
    }

    // MARK: Outbound

    /// The outbox entries for a reply: choices go through `send_choices` when the adapter has it,
    /// otherwise as numbered text the contact can answer with a number.
    public func drafts(for reply: Reply, conversation: String, traceID: String) -> [OutboxDraft] {
        var values: [String: JSONValue] = ["conversation": .string(conversation)]
        if !reply.choices.isEmpty, definition.outbound["send_choices"] != nil {
            values["text"] = .string(reply.text)
            values["choices"] = .array(reply.choices.map { .object(["id": .string($0.id), "title": .string($0.title)]) })
            return [OutboxDraft(action: "send_choices", values: values, replyText: reply.text, traceID: traceID)]
        }
        var text = reply.text
        for (index, choice) in reply.choices.enumerated() {
            text += "\n\(index + 1). \(choice.title)"
        }
        values["text"] = .string(text)
        return [OutboxDraft(action: "send_text", values: values, replyText: text, traceID: traceID)]
    }

    /// The HTTP request for one outbox entry.
    public func request(action name: String, values: [String: JSONValue]) throws(OutboundRenderError) -> OutboundRequest {
        guard let action = definition.outbound[name] else {
            throw OutboundRenderError(message: "adapter \(definition.id) has no outbound action '\(name)'")
        }
        guard case .object(var scope) = settingsScope else { preconditionFailure("settings scope is an object") }
        for (key, value) in values { scope[key] = value }
        let scopeValue = JSONValue.object(scope)
        guard let url = action.url.text(in: scopeValue) else {
            throw OutboundRenderError(message: "the url of '\(name)' has a placeholder with no value")
        }
        var headers: [(String, String)] = []
        for (header, template) in action.headers.sorted(by: { $0.key < $1.key }) {
            guard let value = template.text(in: scopeValue) else {
                throw OutboundRenderError(message: "header \(header) of '\(name)' has a placeholder with no value")
            }
            headers.append((header, value))
        }
        let body = action.json?.render(in: scopeValue)
        return OutboundRequest(method: action.method, url: url, headers: headers, body: body, messageIDPath: action.messageIDPath)
    }
}

public struct OutboundRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: JSONValue?
    public var messageIDPath: String?
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
