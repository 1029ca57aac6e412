import AtendeCore
import AtendeYAML
import Foundation

/// A platform described as data: the contents of one `adapters/*.yaml` file.
public struct AdapterDefinition: Sendable {
    public var id: String
    public var name: String
    public var settings: [SettingSpec]
    public var verification: Verification
    public var inbound: [InboundRule]
    public var outbound: [String: OutboundAction]
    public var delivery: DeliveryPolicy
    /// The file it was read from, for messages.
    public var file: String

    public struct SettingSpec: Sendable, Hashable {
        public var name: String
        public var required: Bool
        /// Secret values never reach the logs.
        public var secret: Bool
        public var defaultValue: String?
    }

    /// How a webhook request proves it comes from the platform. Fails closed: an empty or
    /// missing expected value rejects every request.
    public enum Verification: Sendable, Hashable {
        /// A header must equal a value rendered from the channel's settings.
        case headerEquals(header: String, expected: StringTemplate)
    }

    public struct InboundRule: Sendable, Hashable {
        public enum Produces: String, Sendable {
            case message, choice, ignore
        }

        public var name: String
        public var line: Int
        public var when: Condition
        public var produces: Produces
        public var reason: String?
        public var id: StringTemplate?
        public var conversation: StringTemplate?
        public var senderID: StringTemplate?
        public var senderName: StringTemplate?
        public var text: StringTemplate?
        public var choice: StringTemplate?
        public var language: StringTemplate?
        public var acknowledge: AcknowledgeSpec?
    }

    public struct AcknowledgeSpec: Sendable, Hashable {
        public var action: String
        public var values: [String: StringTemplate]
    }

    public indirect enum Condition: Sendable, Hashable {
        case exists(String)
        case equals(String, String)
        case all([Condition])
        case any([Condition])
        case not(Condition)

        public func holds(for payload: JSONValue) -> Bool {
            switch self {
            case .exists(let path):
                guard let value = payload.value(at: path) else { return false }
                return !value.isNull
            case .equals(let path, let expected):
                return payload.value(at: path)?.scalarText == expected
            case .all(let conditions): return conditions.allSatisfy { $0.holds(for: payload) }
            case .any(let conditions): return conditions.contains { $0.holds(for: payload) }
            case .not(let condition): return !condition.holds(for: payload)
            }
        }
    }

    public struct OutboundAction: Sendable, Hashable {
        public var method: String
        public var url: StringTemplate
        public var headers: [String: StringTemplate]
        public var json: BodyTemplate?
        /// Where the platform's id of the sent message is in the response body.
        public var messageIDPath: String?
    }

    public struct DeliveryPolicy: Sendable, Hashable {
        public var timeoutMillis: Int64
        public var maxAttempts: Int
        public var retryStatuses: Set<Int>
        /// A JSON path in an error response giving seconds to wait, besides the `Retry-After` header.
        public var retryAfterPath: String?

        static let standard = DeliveryPolicy(
            timeoutMillis: 10_000, maxAttempts: 8, retryStatuses: [408, 425, 429, 500, 502, 503, 504], retryAfterPath: nil
        )
    }

    /// The actions the pipeline itself uses; a definition must provide `send_text`.
    public static let requiredActions = ["send_text"]
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
        let top = try root.mapping(allowed: ["id", "name", "settings", "verify", "inbound", "outbound", "delivery"])
        let id = try top.requiredString("id")
        let settings = try parseSettings(top["settings"])
        let settingNames = Set(settings.map(\.name))

        let verification = try parseVerification(try top.required("verify"), settings: settingNames)
        var inbound: [InboundRule] = []
        for (index, node) in try top.required("inbound").sequence().enumerated() {
            inbound.append(try parseRule(node, index: index))
        }
        var outbound: [String: OutboundAction] = [:]
        let outboundNode = try top.required("outbound")
        for (name, node) in try outboundNode.mappingEntries() {
            // What an action can read: the reply, the settings, and what its acknowledging rules pass.
            var scope = PlaceholderScope(settings: settingNames, names: ["settings", "conversation", "text", "choices"])
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
            inbound: inbound,
            outbound: outbound,
            delivery: try parseDelivery(top["delivery"]),
            file: file
        )
    }

    private static func parseSettings(_ node: YAMLNode?) throws -> [SettingSpec] {
        guard let node else { return [] }
        return try node.mappingEntries().map { name, value in
            let spec = try value.mapping(allowed: ["required", "secret", "default"])
            return SettingSpec(
                name: name,
                required: try spec["required"]?.bool() ?? false,
                secret: try spec["secret"]?.bool() ?? false,
                defaultValue: try spec.string("default")
            )
        }
    }

    private static func parseVerification(_ node: YAMLNode, settings: Set<String>) throws -> Verification {
        let mapping = try node.mapping(allowed: ["header", "equals"])
        let expected = try template(try mapping.required("equals"))
        try PlaceholderScope(settings: settings, names: ["settings"]).check(expected, node: try mapping.required("equals"))
        return .headerEquals(header: try mapping.requiredString("header"), expected: expected)
    }

    private static func parseRule(_ node: YAMLNode, index: Int) throws -> InboundRule {
        let mapping = try node.mapping(allowed: [
            "name", "when", "event", "reason", "id", "conversation", "sender", "text", "choice", "language", "acknowledge",
        ])
        let producesNode = try mapping.required("event")
        guard let produces = InboundRule.Produces(rawValue: try producesNode.string()) else {
            throw producesNode.problem("event must be one of: message, choice, ignore")
        }
        var rule = InboundRule(
            name: try mapping.string("name") ?? "rule \(index + 1)",
            line: node.line,
            when: try parseCondition(try mapping.required("when")),
            produces: produces
        )
        rule.reason = try mapping.string("reason")
        if produces == .ignore {
            guard rule.reason != nil else { throw node.problem("an ignore rule needs a 'reason'") }
            return rule
        }
        rule.id = try template(try mapping.required("id"))
        rule.conversation = try template(try mapping.required("conversation"))
        let sender = try mapping.required("sender").mapping(allowed: ["id", "name"])
        rule.senderID = try template(try sender.required("id"))
        rule.senderName = try sender["name"].map(template)
        rule.text = try mapping["text"].map(template)
        rule.choice = try mapping["choice"].map(template)
        rule.language = try mapping["language"].map(template)
        if produces == .message, rule.text == nil { throw node.problem("a message rule needs 'text'") }
        if produces == .choice, rule.choice == nil { throw node.problem("a choice rule needs 'choice'") }
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
            throw node.problem("a condition has exactly one of: exists, equals, all, any, not")
        }
        switch key {
        case "exists": return .exists(try value.string())
        case "equals":
            let pair = try value.mapping(allowed: ["path", "value"])
            return .equals(try pair.requiredString("path"), try pair.required("value").string())
        case "all": return .all(try value.sequence().map(parseCondition))
        case "any": return .any(try value.sequence().map(parseCondition))
        case "not": return .not(try parseCondition(value))
        default: throw value.problem("unknown condition '\(key)'; expected one of: exists, equals, all, any, not")
        }
    }

    private static func parseAction(_ node: YAMLNode, scope: PlaceholderScope) throws -> OutboundAction {
        let mapping = try node.mapping(allowed: ["method", "url", "headers", "json", "message_id"])
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
            method: method,
            url: url,
            headers: headers,
            json: try mapping["json"].map { try BodyTemplate.parse($0, scope: scope) },
            messageIDPath: try mapping.string("message_id")
        )
    }

    private static func parseDelivery(_ node: YAMLNode?) throws -> DeliveryPolicy {
        var policy = DeliveryPolicy.standard
        guard let node else { return policy }
        let mapping = try node.mapping(allowed: ["timeout_ms", "max_attempts", "retry_statuses", "retry_after_path"])
        if let timeout = mapping["timeout_ms"] { policy.timeoutMillis = Int64(try timeout.int(in: 100...120_000)) }
        if let attempts = mapping["max_attempts"] { policy.maxAttempts = try attempts.int(in: 1...100) }
        if let statuses = mapping["retry_statuses"] {
            policy.retryStatuses = Set(try statuses.sequence().map { try $0.int(in: 100...599) })
        }
        policy.retryAfterPath = try mapping.string("retry_after_path")
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
