import AtendeCore
import AtendeYAML
import Foundation

/// A platform described as data: the contents of one `adapters/*.yaml` file.
public struct AdapterDefinition: Sendable {
    public var id: String
    public var name: String
    public var settings: [SettingSpec]
    /// Every check must pass; an empty list is not allowed (see `Channel.unverified`).
    public var verification: [VerificationCheck]
    /// Meta's `GET` subscription handshake, for platforms that do one.
    public var handshake: Handshake?
    /// Paths to the items of a batched payload (Meta sends many messages and statuses in one
    /// request); each item is mapped on its own, with `item`, `parent` and `root` in scope.
    public var split: [String]
    public var inbound: [InboundRule]
    public var outbound: [String: OutboundAction]
    public var text: TextRules
    public var delivery: DeliveryPolicy
    /// The file it was read from, for messages.
    public var file: String

    public struct SettingSpec: Sendable, Hashable {
        public var name: String
        public var required: Bool
        /// Secret values never reach the logs.
        public var secret: Bool
        public var defaultValue: String?
        /// The shortest value `atende check` accepts, for secrets the business chooses itself
        /// (a webhook secret in a URL or header): a short one can be guessed.
        public var minLength: Int?
    }

    /// One way a webhook request proves it comes from the platform. Fails closed: an empty or
    /// missing expected value rejects every request.
    public enum VerificationCheck: Sendable, Hashable {
        /// A header equals a value rendered from the channel's settings (Telegram).
        case headerEquals(header: String, expected: StringTemplate)
        /// A field of the JSON body equals a setting (UazAPI and Evolution put their token there).
        case bodyEquals(path: String, expected: StringTemplate)
        /// The last segment of the webhook URL, `/webhooks/{channel}/{secret}`, for platforms that sign nothing.
        case pathSecret(expected: StringTemplate)
        /// An HMAC-SHA256 signature in a header (Meta, Chatwoot).
        case hmacSHA256(HMACCheck)
    }

    public struct HMACCheck: Sendable, Hashable {
        public var header: String
        public var key: StringTemplate
        /// Text before the hex digest in the header, such as `sha256=`.
        public var prefix: String
        /// When set, the signed text is `"{timestamp}.{body}"` with the timestamp from this header.
        public var timestampHeader: String?
        /// Requests whose timestamp is further than this from now are refused.
        public var maxAgeSeconds: Int
        /// A header naming the delivery; a delivery already accepted is answered without storing again.
        public var deliveryHeader: String?
    }

    public struct Handshake: Sendable, Hashable {
        public var modeParameter: String
        public var mode: String
        public var tokenParameter: String
        public var challengeParameter: String
        public var expected: StringTemplate
    }

    public struct InboundRule: Sendable, Hashable {
        public enum Produces: Sendable, Hashable {
            case event(InboundEvent.Kind)
            case ignore
        }

        public var name: String
        public var line: Int
        public var when: Condition
        /// A list in the payload that yields one event per element, readable as `{{item}}`
        /// (UazAPI and Z-API receipts name a batch of message ids).
        public var each: String?
        public var produces: Produces
        public var reason: String?
        public var id: StringTemplate?
        public var conversation: StringTemplate?
        public var senderID: StringTemplate?
        public var senderName: StringTemplate?
        public var senderPhone: StringTemplate?
        public var senderAlternateID: StringTemplate?
        public var text: StringTemplate?
        public var choice: StringTemplate?
        public var language: StringTemplate?
        public var target: StringTemplate?
        public var status: StringTemplate?
        /// Platform status words → the gateway's (`DELIVERY_ACK` → `delivered`).
        public var statusNames: [String: String]
        public var mediaType: StringTemplate?
        public var mediaMimeType: StringTemplate?
        public var mediaHandle: StringTemplate?
        /// True (`true`, `"True"`, `1`) when the message comes from a group chat.
        public var group: StringTemplate?
        public var acknowledge: AcknowledgeSpec?
    }

    /// The delivery statuses the gateway knows, in the order a message goes through them.
    public static let deliveryStatuses = ["sent", "delivered", "read", "played", "failed", "deleted"]

    public struct AcknowledgeSpec: Sendable, Hashable {
        public var action: String
        public var values: [String: StringTemplate]
    }

    public indirect enum Condition: Sendable, Hashable {
        /// Present, not null and not an empty string.
        case exists(String)
        case equals(String, String)
        case endsWith(String, String)
        case all([Condition])
        case any([Condition])
        case not(Condition)

        public func holds(for payload: JSONValue) -> Bool {
            switch self {
            case .exists(let path):
                guard let value = payload.value(at: path) else { return false }
                return !value.isNull && value != .string("")
            case .equals(let path, let expected):
                return payload.value(at: path)?.scalarText == expected
            case .endsWith(let path, let suffix):
                return payload.value(at: path)?.scalarText?.hasSuffix(suffix) ?? false
            case .all(let conditions): return conditions.allSatisfy { $0.holds(for: payload) }
            case .any(let conditions): return conditions.contains { $0.holds(for: payload) }
            case .not(let condition): return !condition.holds(for: payload)
            }
        }
    }

    /// How reply text must be shaped for the platform.
    public struct TextRules: Sendable, Hashable {
        /// Longer replies are split into several messages at paragraph, line or word boundaries.
        public var maxLength: Int?
        /// Applied in order to reply text and choice titles (UazAPI fills in `{{name}}` itself,
        /// so braces from an LLM must not reach it intact).
        public var replacements: [Replacement]

        public struct Replacement: Sendable, Hashable {
            public var from: String
            public var to: String
        }

        static let none = TextRules(maxLength: nil, replacements: [])
    }

    /// The actions that can carry choices, most native first. A reply uses the first one the
    /// adapter has whose limits its choices fit; otherwise numbered text.
    public static let choiceActions = ["send_buttons", "send_list", "send_choices"]

    public struct OutboundAction: Sendable, Hashable {
        /// For choice actions: how many choices, and how long a title, the platform shows.
        public var maxChoices: Int?
        public var maxTitleLength: Int?
        /// A tighter text limit for this action than the adapter's (Meta: 1024 for an interactive body).
        public var maxTextLength: Int?
        /// The longest choice id, in UTF-8 bytes, the platform carries back (Telegram's callback_data: 64).
        public var maxIDBytes: Int?
        public var method: String
        public var url: StringTemplate
        public var headers: [String: StringTemplate]
        public var json: BodyTemplate?
        /// Where the platform's id of the sent message is in the response body.
        public var messageIDPath: String?
    }

    public struct ErrorRule: Sendable, Hashable {
        public var path: String
        public var equals: String
        public var reason: String
        public var retry: Bool
    }

    public struct DeliveryPolicy: Sendable, Hashable {
        public var timeoutMillis: Int64
        public var maxAttempts: Int
        public var retryStatuses: Set<Int>
        /// A JSON path in an error response giving seconds to wait, besides the `Retry-After` header.
        public var retryAfterPath: String?
        /// After this many consecutive retryable failures the channel's circuit opens: nothing is
        /// sent to it for `circuitOpenMillis`, then one probe decides whether it closes.
        public var circuitFailures: Int
        public var circuitOpenMillis: Int64
        /// At most one message per this interval to one conversation (Telegram ~1/s per chat;
        /// human-like pacing on unofficial WhatsApp).
        public var conversationIntervalMillis: Int64
        /// At most this many messages per second through one channel (Telegram ~30/s); 0 = no limit.
        public var channelPerSecond: Int
        /// Platform error codes that need their own reason or retry decision, checked in order
        /// against a failed call's body (Meta's 131047: outside the 24-hour window).
        public var errors: [ErrorRule] = []

        static let standard = DeliveryPolicy(
            timeoutMillis: 10_000, maxAttempts: 8, retryStatuses: [408, 425, 429, 500, 502, 503, 504], retryAfterPath: nil,
            circuitFailures: 5, circuitOpenMillis: 30_000, conversationIntervalMillis: 0, channelPerSecond: 0
        )
    }

    /// The actions the pipeline itself uses; a definition must provide `send_text`.
    public static let requiredActions = ["send_text"]
    /// Optional: shown while a turn runs ("typing…"); sent once, never retried, never queued.
    public static let typingAction = "typing"
    /// Optional actions for handing a conversation to people: open it for the team, leave them a
    /// private note (`text`), assign it to the team in the channel's `handoff_team_id` setting.
    public static let handoffAction = "handoff"
    public static let privateNoteAction = "private_note"
    public static let assignTeamAction = "assign_team"
    public static let teamSetting = "handoff_team_id"
}

// MARK: Loading

extension AdapterDefinition {
    /// Loads and validates a definition; every problem names the file and line.
    public static func load(file: String) throws -> AdapterDefinition {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw FileProblem(file: file, line: nil, message: "cannot read the adapter file (\(error.localizedDescription))")
        }
        return try parse(text, file: file)
    }

    public static func parse(_ text: String, file: String) throws -> AdapterDefinition {
        let root = try YAMLNode.parse(text, file: file)
        let top = try root.mapping(allowed: ["id", "name", "settings", "verify", "handshake", "split", "inbound", "outbound", "text", "delivery"])
        let id = try top.requiredString("id")
        let settings = try parseSettings(top["settings"])
        let settingNames = Set(settings.map(\.name))
        let settingsScope = PlaceholderScope(settings: settingNames, names: ["settings"])

        let verification = try parseVerification(try top.required("verify"), scope: settingsScope)
        let handshake = try top["handshake"].map { try parseHandshake($0, scope: settingsScope) }
        let split = try top["split"]?.strings() ?? []
        var inbound: [InboundRule] = []
        for (index, node) in try top.required("inbound").sequence().enumerated() {
            inbound.append(try parseRule(node, index: index))
        }
        var outbound: [String: OutboundAction] = [:]
        let outboundNode = try top.required("outbound")
        for (name, node) in try outboundNode.mappingEntries() {
            // What an action can read: the reply, the settings, and what its acknowledging rules pass.
            var scope = PlaceholderScope(settings: settingNames, names: ["settings", "conversation", "text", "choices"])
            if name == typingAction { scope.names = ["settings", "conversation", "message_id"] }
            for rule in inbound where rule.acknowledge?.action == name {
                if let values = rule.acknowledge?.values { scope.names.formUnion(values.keys) }
            }
            outbound[name] = try parseAction(node, scope: scope)
        }
        for action in requiredActions where outbound[action] == nil {
            throw outboundNode.problem("missing the '\(action)' action")
        }
        for rule in inbound {
            if let action = rule.acknowledge?.action, outbound[action] == nil {
                throw FileProblem(file: file, line: rule.line, message: "inbound rule '\(rule.name)' acknowledges with '\(action)', which is not under outbound")
            }
        }
        return AdapterDefinition(
            id: id,
            name: try top.string("name") ?? id,
            settings: settings,
            verification: verification,
            handshake: handshake,
            split: split,
            inbound: inbound,
            outbound: outbound,
            text: try parseTextRules(top["text"]),
            delivery: try parseDelivery(top["delivery"]),
            file: file
        )
    }

    private static func parseSettings(_ node: YAMLNode?) throws -> [SettingSpec] {
        guard let node else { return [] }
        return try node.mappingEntries().map { name, value in
            let spec = try value.mapping(allowed: ["required", "secret", "default", "min_length"])
            return SettingSpec(
                name: name,
                required: try spec["required"]?.bool() ?? false,
                secret: try spec["secret"]?.bool() ?? false,
                defaultValue: try spec.string("default"),
                minLength: try spec["min_length"]?.int(in: 1...1024)
            )
        }
    }

    /// `verify` is one check or a list of checks that must all pass.
    private static func parseVerification(_ node: YAMLNode, scope: PlaceholderScope) throws -> [VerificationCheck] {
        let checks = try (node.isSequence ? node.sequence() : [node]).map { try parseCheck($0, scope: scope) }
        guard !checks.isEmpty else {
            throw node.problem("verify needs at least one check; a channel that must run unverified says so in atende.yaml (unverified: true)")
        }
        return checks
    }

    private static func parseCheck(_ node: YAMLNode, scope: PlaceholderScope) throws -> VerificationCheck {
        let mapping = try node.mapping(allowed: [
            "header", "equals", "body", "path_secret", "hmac_sha256", "prefix", "timestamp_header", "max_age_seconds", "delivery_header",
        ])
        func setting(_ key: String) throws -> StringTemplate {
            let valueNode = try mapping.required(key)
            let value = try template(valueNode)
            try scope.check(value, node: valueNode)
            return value
        }
        if mapping["hmac_sha256"] != nil {
            return .hmacSHA256(HMACCheck(
                header: try mapping.requiredString("header"),
                key: try setting("hmac_sha256"),
                prefix: try mapping.string("prefix") ?? "",
                timestampHeader: try mapping.string("timestamp_header"),
                maxAgeSeconds: try mapping["max_age_seconds"]?.int(in: 1...86_400) ?? 300,
                deliveryHeader: try mapping.string("delivery_header")
            ))
        }
        if mapping["path_secret"] != nil { return .pathSecret(expected: try setting("path_secret")) }
        if let header = try mapping.string("header") { return .headerEquals(header: header, expected: try setting("equals")) }
        if let path = try mapping.string("body") { return .bodyEquals(path: path, expected: try setting("equals")) }
        throw node.problem("a check is one of: {header, equals}, {body, equals}, {path_secret}, {header, hmac_sha256, prefix?, timestamp_header?, max_age_seconds?, delivery_header?}")
    }

    private static func parseHandshake(_ node: YAMLNode, scope: PlaceholderScope) throws -> Handshake {
        let mapping = try node.mapping(allowed: ["mode_parameter", "mode", "token_parameter", "challenge_parameter", "equals"])
        let equalsNode = try mapping.required("equals")
        let expected = try template(equalsNode)
        try scope.check(expected, node: equalsNode)
        return Handshake(
            modeParameter: try mapping.string("mode_parameter") ?? "hub.mode",
            mode: try mapping.string("mode") ?? "subscribe",
            tokenParameter: try mapping.string("token_parameter") ?? "hub.verify_token",
            challengeParameter: try mapping.string("challenge_parameter") ?? "hub.challenge",
            expected: expected
        )
    }

    private static func parseRule(_ node: YAMLNode, index: Int) throws -> InboundRule {
        let mapping = try node.mapping(allowed: [
            "name", "when", "event", "reason", "id", "conversation", "sender", "text", "choice", "language", "target", "status",
            "statuses", "media", "group", "acknowledge", "each",
        ])
        let producesNode = try mapping.required("event")
        let eventName = try producesNode.string()
        let produces: InboundRule.Produces
        if eventName == "ignore" {
            produces = .ignore
        } else if let kind = InboundEvent.Kind(rawValue: eventName), kind != .reminder {
            // Reminders come from the gateway's own schedule, never from a platform.
            produces = .event(kind)
        } else {
            let known = ["ignore", "message", "choice", "media", "edit", "reaction", "status", "human_reply", "conversation_status"]
            throw producesNode.problem("event must be one of: \(known.joined(separator: ", "))")
        }
        var rule = InboundRule(
            name: try mapping.string("name") ?? "rule \(index + 1)",
            line: node.line,
            when: try parseCondition(try mapping.required("when")),
            produces: produces,
            statusNames: [:]
        )
        rule.reason = try mapping.string("reason")
        rule.each = try mapping.string("each")
        guard case .event(let kind) = produces else {
            guard rule.reason != nil else { throw node.problem("an ignore rule needs a 'reason'") }
            return rule
        }
        rule.id = try template(try mapping.required("id"))
        rule.conversation = try template(try mapping.required("conversation"))
        if let senderNode = mapping["sender"] {
            let sender = try senderNode.mapping(allowed: ["id", "name", "phone", "alternate_id"])
            rule.senderID = try sender["id"].map(template)
            rule.senderName = try sender["name"].map(template)
            rule.senderPhone = try sender["phone"].map(template)
            rule.senderAlternateID = try sender["alternate_id"].map(template)
            if rule.senderID == nil, rule.senderPhone == nil { throw senderNode.problem("a sender needs an 'id' or a 'phone'") }
        }
        rule.text = try mapping["text"].map(template)
        rule.choice = try mapping["choice"].map(template)
        rule.language = try mapping["language"].map(template)
        rule.target = try mapping["target"].map(template)
        rule.status = try mapping["status"].map(template)
        rule.group = try mapping["group"].map(template)
        for (platformName, value) in try mapping["statuses"]?.mappingEntries() ?? [] {
            let name = try value.string()
            guard deliveryStatuses.contains(name) else {
                throw value.problem("'\(name)' is not a delivery status; use one of: \(deliveryStatuses.joined(separator: ", "))")
            }
            rule.statusNames[platformName] = name
        }
        if let mediaNode = mapping["media"] {
            let media = try mediaNode.mapping(allowed: ["type", "mime_type", "handle"])
            rule.mediaType = try template(try media.required("type"))
            rule.mediaMimeType = try media["mime_type"].map(template)
            rule.mediaHandle = try media["handle"].map(template)
        }
        let needs: [(String, Bool)]
        switch kind {
        case .message, .humanReply: needs = [("text", rule.text != nil)]
        case .choice: needs = [("choice", rule.choice != nil)]
        case .media: needs = [("media", rule.mediaType != nil)]
        case .edit: needs = [("target", rule.target != nil), ("text", rule.text != nil)]
        case .reaction: needs = [("target", rule.target != nil)]
        case .status: needs = [("target", rule.target != nil), ("status", rule.status != nil)]
        case .conversationStatus: needs = [("status", rule.status != nil)]
        case .reminder: needs = []
        }
        for (key, present) in needs where !present {
            throw node.problem("a \(kind.rawValue) rule needs '\(key)'")
        }
        if kind.isAnswered, mapping["sender"] == nil { throw node.problem("a \(kind.rawValue) rule needs a 'sender'") }
        if let acknowledge = mapping["acknowledge"] {
            let spec = try acknowledge.mapping(allowed: ["action", "values"])
            var values: [String: StringTemplate] = [:]
            for (key, value) in try spec["values"]?.mappingEntries() ?? [] {
                values[key] = try template(value)
            }
            rule.acknowledge = AcknowledgeSpec(action: try spec.requiredString("action"), values: values)
        }
        return rule
    }

    private static func parseCondition(_ node: YAMLNode) throws -> Condition {
        let entries = try node.mappingEntries()
        guard entries.count == 1, let (key, value) = entries.first else {
            throw node.problem("a condition has exactly one of: exists, equals, ends_with, all, any, not")
        }
        switch key {
        case "exists": return .exists(try value.string())
        case "equals":
            let pair = try value.mapping(allowed: ["path", "value"])
            return .equals(try pair.requiredString("path"), try pair.required("value").string())
        case "ends_with":
            let pair = try value.mapping(allowed: ["path", "value"])
            return .endsWith(try pair.requiredString("path"), try pair.required("value").string())
        case "all": return .all(try value.sequence().map(parseCondition))
        case "any": return .any(try value.sequence().map(parseCondition))
        case "not": return .not(try parseCondition(value))
        default: throw value.problem("unknown condition '\(key)'; expected one of: exists, equals, ends_with, all, any, not")
        }
    }

    private static func parseAction(_ node: YAMLNode, scope: PlaceholderScope) throws -> OutboundAction {
        let mapping = try node.mapping(allowed: ["method", "url", "headers", "json", "message_id", "max_choices", "max_title_length", "max_text_length", "max_id_bytes"])
        let method = (try mapping.string("method") ?? "POST").uppercased()
        guard ["POST", "PUT", "PATCH", "GET", "DELETE"].contains(method) else {
            throw try mapping.required("method").problem("method must be POST, PUT, PATCH, GET or DELETE")
        }
        let urlNode = try mapping.required("url")
        let url = try template(urlNode)
        try scope.check(url, node: urlNode)
        var headers: [String: StringTemplate] = [:]
        for (name, value) in try mapping["headers"]?.mappingEntries() ?? [] {
            let header = try template(value)
            try scope.check(header, node: value)
            headers[name] = header
        }
        return OutboundAction(
            maxChoices: try mapping["max_choices"]?.int(in: 1...100),
            maxTitleLength: try mapping["max_title_length"]?.int(in: 1...1000),
            maxTextLength: try mapping["max_text_length"]?.int(in: 20...1_000_000),
            maxIDBytes: try mapping["max_id_bytes"]?.int(in: 1...10_000),
            method: method,
            url: url,
            headers: headers,
            json: try mapping["json"].map { try BodyTemplate.parse($0, scope: scope) },
            messageIDPath: try mapping.string("message_id")
        )
    }

    private static func parseTextRules(_ node: YAMLNode?) throws -> TextRules {
        guard let node else { return .none }
        let mapping = try node.mapping(allowed: ["max_length", "replace"])
        var replacements: [TextRules.Replacement] = []
        for item in try mapping["replace"]?.sequence() ?? [] {
            let pair = try item.mapping(allowed: ["from", "to"])
            let from = try pair.requiredString("from")
            guard !from.isEmpty else { throw item.problem("'from' cannot be empty") }
            replacements.append(TextRules.Replacement(from: from, to: try pair.requiredString("to")))
        }
        return TextRules(maxLength: try mapping["max_length"]?.int(in: 20...1_000_000), replacements: replacements)
    }

    private static func parseDelivery(_ node: YAMLNode?) throws -> DeliveryPolicy {
        var policy = DeliveryPolicy.standard
        guard let node else { return policy }
        let mapping = try node.mapping(allowed: [
            "timeout_ms", "max_attempts", "retry_statuses", "retry_after_path", "circuit_failures", "circuit_open_ms",
            "conversation_interval_ms", "channel_per_second", "errors",
        ])
        if let timeout = mapping["timeout_ms"] { policy.timeoutMillis = Int64(try timeout.int(in: 100...120_000)) }
        if let attempts = mapping["max_attempts"] { policy.maxAttempts = try attempts.int(in: 1...100) }
        if let statuses = mapping["retry_statuses"] {
            policy.retryStatuses = Set(try statuses.sequence().map { try $0.int(in: 100...599) })
        }
        policy.retryAfterPath = try mapping.string("retry_after_path")
        if let failures = mapping["circuit_failures"] { policy.circuitFailures = try failures.int(in: 1...1000) }
        if let open = mapping["circuit_open_ms"] { policy.circuitOpenMillis = Int64(try open.int(in: 100...3_600_000)) }
        if let interval = mapping["conversation_interval_ms"] { policy.conversationIntervalMillis = Int64(try interval.int(in: 0...600_000)) }
        if let rate = mapping["channel_per_second"] { policy.channelPerSecond = try rate.int(in: 0...10_000) }
        for item in try mapping["errors"]?.sequence() ?? [] {
            let rule = try item.mapping(allowed: ["path", "equals", "reason", "retry"])
            policy.errors.append(ErrorRule(
                path: try rule.requiredString("path"),
                equals: try rule.required("equals").string(),
                reason: try rule.requiredString("reason"),
                retry: try rule["retry"]?.bool() ?? false
            ))
        }
        return policy
    }

    private static func template(_ node: YAMLNode) throws -> StringTemplate {
        do {
            return try StringTemplate(parsing: try node.string())
        } catch let error as TemplateSyntaxError {
            throw node.problem(error.message)
        }
    }
}

/// What the placeholders of one part of a definition may name. A typo would otherwise leave a
/// field out of every request and send each reply to the dead letters, so it is a load error.
struct PlaceholderScope {
    var settings: Set<String>
    var names: Set<String>

    func check(_ template: StringTemplate, node: YAMLNode) throws {
        for path in template.paths {
            let root = String(path.split(separator: ".", maxSplits: 1).first ?? "")
            guard names.contains(root) else {
                throw node.problem("'{{\(path)}}' names nothing available here; use one of: \(names.sorted().joined(separator: ", "))")
            }
            if root == "settings", !settings.contains(String(path.dropFirst("settings.".count))) {
                throw node.problem("'\(path)' is not a declared setting")
            }
        }
    }

    /// Inside `each`, a choice's fields are in scope too.
    var insideEach: PlaceholderScope {
        PlaceholderScope(settings: settings, names: names.union(["id", "title"]))
    }
}
