import AtendeAdapters
import AtendeAgents
import AtendeCore
import AtendeStorage
import AtendeYAML
import Foundation

/// Everything `atende serve` needs, read from `atende.yaml` and the environment.
public struct GatewayConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// The address platforms reach the gateway at, used to print webhook URLs.
    public var publicURL: String?
    public var maxBodyBytes = 1_048_576
    /// A SQLite file path or a `postgres://` URL.
    public var databaseURL = "data/atende.sqlite"
    public var debounceMillis: Int64 = 0
    public var turnWorkers = 4
    public var deliveryWorkers = 8
    public var leaseMillis: Int64 = 30_000
    /// A turn that failed (or was claimed without completing) this many times is parked as dead.
    public var maxTurnAttempts = 10
    /// How often idle workers look for work other processes queued.
    public var pollMillis: Int64 = 200
    /// `false` for a replica that only receives webhooks while workers run elsewhere.
    public var runWorkers = true
    public var logLevel = "info"
    public var logFormat = "json"
    public var adaptersDirectory = "adapters"
    public var promptsDirectory = "prompts"
    public var channels: [ChannelConfiguration] = []
    public var orchestrator = OrchestratorSettings()
    /// How often the prompts folder is checked for edits; 0 turns reloading off.
    public var promptReloadMillis: Int64 = 2000
    public var llm = LLMConfiguration()
    /// Where the business is told about a handoff, on platforms without an inbox of their own:
    /// a channel id and a chat on it (the owner's own WhatsApp number, a team group).
    public var handoffNotifyChannel: String?
    public var handoffNotifyChat: String?
    /// The bearer token of the admin API; without one the admin API is off.
    public var adminToken: String?
    /// The business's own calendar (`caldav:`), read for busy times and written with each booking.
    public var caldav = CalDAVConfiguration()
    /// What one channel, client or contact can make the gateway do (`limits:` and `server:` keys).
    public var limits = LimitsConfiguration()
    /// A bearer token `/metrics` asks for; without one it is open (keep it behind nginx's allow list).
    public var metricsToken: String?
    /// How long personal data is kept (`retention:`).
    public var retention = RetentionConfiguration()
    /// The file the configuration came from, or `nil` when only defaults and the environment were used.
    public var file: String?

    public init() {}

    public var webhookBaseURL: String {
        (publicURL ?? "http://\(host == "0.0.0.0" ? "localhost" : host):\(port)").trimmingSuffix("/")
    }

    public var usesPostgres: Bool {
        OpenedStore.isPostgres(databaseURL)
    }
}

/// A CalDAV calendar collection (Nextcloud, Radicale, iCloud, Google); off without `url`.
public struct CalDAVConfiguration: Sendable {
    public var url: String?
    public var user: String?
    public var password: String?
    /// How long busy times read from the calendar are reused.
    public var busyCacheMillis: Int64 = 60_000
    /// Whether bookings are written to the calendar (busy times are read either way).
    public var writeBookings = true
}

/// Limits on what one channel, client address or contact can make the gateway do.
public struct LimitsConfiguration: Sendable {
    /// Webhook requests of one channel handled at once; more get 503 with `Retry-After`.
    public var webhooksInFlight = 64
    /// Failed verifications one client address may cause per minute; then 429 until the minute ends.
    public var failedVerificationsPerMinute = 20
    /// Turns answered per conversation per minute; a contact writing faster is answered once they slow down.
    public var contactTurnsPerMinute = 60
    /// A new connection must send its request head within this, and a request its whole body within `bodyTimeoutMillis`.
    public var headerTimeoutMillis: Int64 = 10_000
    public var bodyTimeoutMillis: Int64 = 30_000
    /// An idle keep-alive connection is closed after this (longer than nginx's upstream keepalive_timeout).
    public var idleTimeoutMillis: Int64 = 75_000
    /// Peers whose `X-Forwarded-For` names the client (nginx on the same host).
    public var trustedProxies: Set<String> = ["127.0.0.1", "::1"]

    public init() {}
}

/// How long personal data is kept before the daily retention job deletes it.
public struct RetentionConfiguration: Sendable {
    /// Messages (both directions) and delivered or dead outbox entries older than this; 0 keeps them.
    public var messagesDays = 365
    /// Reply traces (what the bot decided and why, with the question asked); 0 keeps them.
    public var tracesDays = 90
    /// A booking's `.ics` link stops working this many days after the booking ends.
    public var calendarLinkDays = 7

    public init() {}
}

/// An OpenAI-compatible endpoint (`llm:` in atende.yaml); without `base_url` agents answer offline.
public struct LLMConfiguration: Sendable {
    public var baseURL: String?
    public var model: String?
    public var apiKey: String?
    public var timeoutMillis = 20_000
    public var maxAttempts = 3
    public var promptPricePerMillion = 0.0
    public var completionPricePerMillion = 0.0
    /// US$ the model may cost per day (UTC); over it agents answer offline. `nil`: no budget.
    public var dailyBudgetUSD: Double?

    public init() {}
}

public struct ChannelConfiguration: Sendable {
    public var id: String
    /// The adapter file name in the adapters folder, without `.yaml`.
    public var adapter: String
    public var settings: [String: String]
    /// `unverified: true` accepts requests without the adapter's checks; the start-up log warns.
    public var unverified: Bool
    /// `groups: answer` lets the bot answer in group chats; the default ignores them.
    public var answersGroups: Bool
    /// `audience: team`: everyone writing on this channel is the business's team (the owner's
    /// own bot); the default, `customers`, reaches only the agents for customers.
    public var isTeam = false
    /// Where the channel is declared, for messages about it.
    public var line: Int

    public init(id: String, adapter: String, settings: [String: String], unverified: Bool = false, answersGroups: Bool = false, line: Int = 0) {
        self.id = id
        self.adapter = adapter
        self.settings = settings
        self.unverified = unverified
        self.answersGroups = answersGroups
        self.line = line
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}

// MARK: Loading

extension GatewayConfiguration {
    /// One scalar setting: its YAML key path and the environment variable that overrides it.
    private struct Key: Sendable {
        var path: [String]
        var apply: @Sendable (inout GatewayConfiguration, String, (String) -> FileProblem) throws -> Void

        var environmentName: String {
            "ATENDE_" + path.joined(separator: "_").uppercased()
        }
    }

    private static func int(_ range: ClosedRange<Int>, _ set: @escaping @Sendable (inout GatewayConfiguration, Int) -> Void) -> @Sendable (inout GatewayConfiguration, String, (String) -> FileProblem) throws -> Void {
        { configuration, text, problem in
            guard let number = Int(text), range.contains(number) else {
                throw problem("'\(text)' is not a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            set(&configuration, number)
        }
    }

    private static func bool(_ set: @escaping @Sendable (inout GatewayConfiguration, Bool) -> Void) -> @Sendable (inout GatewayConfiguration, String, (String) -> FileProblem) throws -> Void {
        { configuration, text, problem in
            switch text.lowercased() {
            case "true", "yes", "on": set(&configuration, true)
            case "false", "no", "off": set(&configuration, false)
            default: throw problem("'\(text)' is not true or false")
            }
        }
    }

    private static func oneOf(_ allowed: [String], _ set: @escaping @Sendable (inout GatewayConfiguration, String) -> Void) -> @Sendable (inout GatewayConfiguration, String, (String) -> FileProblem) throws -> Void {
        { configuration, text, problem in
            guard allowed.contains(text) else { throw problem("'\(text)' is not one of: \(allowed.joined(separator: ", "))") }
            set(&configuration, text)
        }
    }

    private static let keys: [Key] = [
        Key(path: ["server", "host"]) { c, v, _ in c.host = v },
        Key(path: ["server", "port"], apply: int(0...65535) { $0.port = $1 }),
        Key(path: ["server", "public_url"]) { c, v, _ in c.publicURL = v },
        Key(path: ["server", "max_body_bytes"], apply: int(1024...(64 << 20)) { $0.maxBodyBytes = $1 }),
        Key(path: ["server", "header_timeout_ms"], apply: int(100...600_000) { $0.limits.headerTimeoutMillis = Int64($1) }),
        Key(path: ["server", "body_timeout_ms"], apply: int(100...600_000) { $0.limits.bodyTimeoutMillis = Int64($1) }),
        Key(path: ["server", "idle_timeout_ms"], apply: int(1000...3_600_000) { $0.limits.idleTimeoutMillis = Int64($1) }),
        Key(path: ["server", "trusted_proxies"]) { c, v, _ in
            c.limits.trustedProxies = Set(v.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        },
        Key(path: ["server", "metrics_token"]) { c, v, p in
            guard v.count >= 16 else { throw p("the metrics token must be at least 16 characters") }
            c.metricsToken = v
        },
        Key(path: ["limits", "webhooks_in_flight"], apply: int(1...100_000) { $0.limits.webhooksInFlight = $1 }),
        Key(path: ["limits", "failed_verifications_per_minute"], apply: int(1...100_000) { $0.limits.failedVerificationsPerMinute = $1 }),
        Key(path: ["limits", "contact_turns_per_minute"], apply: int(1...10_000) { $0.limits.contactTurnsPerMinute = $1 }),
        Key(path: ["retention", "messages_days"], apply: int(0...36_500) { $0.retention.messagesDays = $1 }),
        Key(path: ["retention", "traces_days"], apply: int(0...36_500) { $0.retention.tracesDays = $1 }),
        Key(path: ["retention", "calendar_link_days"], apply: int(0...3650) { $0.retention.calendarLinkDays = $1 }),
        Key(path: ["database", "url"]) { c, v, p in
            guard !v.isEmpty else { throw p("the database url must not be empty") }
            c.databaseURL = v
        },
        Key(path: ["pipeline", "debounce_ms"], apply: int(0...60_000) { $0.debounceMillis = Int64($1) }),
        Key(path: ["pipeline", "turn_workers"], apply: int(1...256) { $0.turnWorkers = $1 }),
        Key(path: ["pipeline", "delivery_workers"], apply: int(1...256) { $0.deliveryWorkers = $1 }),
        Key(path: ["pipeline", "lease_ms"], apply: int(1000...3_600_000) { $0.leaseMillis = Int64($1) }),
        Key(path: ["pipeline", "max_turn_attempts"], apply: int(1...100) { $0.maxTurnAttempts = $1 }),
        Key(path: ["pipeline", "poll_ms"], apply: int(10...60_000) { $0.pollMillis = Int64($1) }),
        Key(path: ["pipeline", "run_workers"], apply: bool { $0.runWorkers = $1 }),
        Key(path: ["log", "level"], apply: oneOf(["trace", "debug", "info", "notice", "warning", "error", "critical"]) { $0.logLevel = $1 }),
        Key(path: ["log", "format"], apply: oneOf(["json", "text"]) { $0.logFormat = $1 }),
        Key(path: ["paths", "adapters"]) { c, v, _ in c.adaptersDirectory = v },
        Key(path: ["paths", "prompts"]) { c, v, _ in c.promptsDirectory = v },
        Key(path: ["prompts", "reload_ms"], apply: int(0...3_600_000) { $0.promptReloadMillis = Int64($1) }),
        Key(path: ["conversations", "human_quiet_seconds"], apply: int(1...(30 * 86_400)) { $0.orchestrator.humanQuietMillis = Int64($1) * 1000 }),
        Key(path: ["conversations", "stickiness_seconds"], apply: int(0...(7 * 86_400)) { $0.orchestrator.stickinessMillis = Int64($1) * 1000 }),
        Key(path: ["conversations", "pause_seconds"], apply: int(1...(365 * 86_400)) { $0.orchestrator.defaultPauseMillis = Int64($1) * 1000 }),
        Key(path: ["llm", "base_url"]) { c, v, p in
            guard v.hasPrefix("http://") || v.hasPrefix("https://") else { throw p("'\(v)' is not an http(s) URL such as http://127.0.0.1:8081/v1") }
            c.llm.baseURL = v.trimmingSuffix("/")
        },
        Key(path: ["llm", "model"]) { c, v, _ in c.llm.model = v },
        Key(path: ["llm", "api_key"]) { c, v, _ in c.llm.apiKey = v.isEmpty ? nil : v },
        Key(path: ["llm", "timeout_ms"], apply: int(100...600_000) { $0.llm.timeoutMillis = $1 }),
        Key(path: ["llm", "max_attempts"], apply: int(1...10) { $0.llm.maxAttempts = $1 }),
        Key(path: ["llm", "history_tokens"], apply: int(0...200_000) { $0.orchestrator.historyTokens = $1 }),
        Key(path: ["llm", "prompt_price_per_million"]) { c, v, p in c.llm.promptPricePerMillion = try price(v, p) },
        Key(path: ["llm", "completion_price_per_million"]) { c, v, p in c.llm.completionPricePerMillion = try price(v, p) },
        Key(path: ["llm", "daily_budget_usd"]) { c, v, p in
            guard let value = Double(v), value.isFinite, value >= 0, value <= 1_000_000 else {
                throw p("'\(v)' is not a daily budget in US dollars between 0 and 1000000, such as 5")
            }
            c.llm.dailyBudgetUSD = value
        },
        Key(path: ["handoff", "notify_channel"]) { c, v, _ in c.handoffNotifyChannel = v },
        Key(path: ["handoff", "notify_chat"]) { c, v, _ in c.handoffNotifyChat = v },
        Key(path: ["caldav", "url"]) { c, v, p in
            guard v.hasPrefix("http://") || v.hasPrefix("https://") else {
                throw p("'\(v)' is not an http(s) URL of a calendar collection, such as https://cloud.example.com/remote.php/dav/calendars/ana/agenda/")
            }
            c.caldav.url = v.hasSuffix("/") ? v : v + "/"
        },
        Key(path: ["caldav", "user"]) { c, v, _ in c.caldav.user = v },
        Key(path: ["caldav", "password"]) { c, v, _ in c.caldav.password = v },
        Key(path: ["caldav", "busy_cache_seconds"], apply: int(0...86_400) { $0.caldav.busyCacheMillis = Int64($1) * 1000 }),
        Key(path: ["caldav", "write_bookings"], apply: bool { $0.caldav.writeBookings = $1 }),
        Key(path: ["admin", "token"]) { c, v, p in
            guard v.count >= 16 else { throw p("the admin token must be at least 16 characters") }
            c.adminToken = v
        },
    ]

    private static func price(_ text: String, _ problem: (String) -> FileProblem) throws -> Double {
        guard let value = Double(text), value.isFinite, value >= 0, value <= 1_000_000 else { throw problem("'\(text)' is not a price in US dollars per million tokens, such as 0.15") }
        return value
    }

    /// Reads `file` (when given) and then the environment, which wins.
    ///
    /// - Throws: ``FileProblem`` naming the file and line, or the environment variable, at fault.
    public static func load(file: String?, environment: [String: String]) throws -> GatewayConfiguration {
        var configuration = GatewayConfiguration()
        if let file {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw FileProblem(file: file, line: nil, message: "cannot read the configuration file (\(error.localizedDescription))")
            }
            try configuration.read(YAMLNode.parse(text, file: file), environment: environment)
            configuration.file = file
        }
        for key in keys {
            guard let value = environment[key.environmentName] else { continue }
            try key.apply(&configuration, value) { message in
                FileProblem(file: "environment", line: nil, message: "\(key.environmentName): \(message)")
            }
        }
        try configuration.applyChannelEnvironment(environment)
        try configuration.checkCombinations()
        configuration.orchestrator.teamChannels = Set(configuration.channels.filter(\.isTeam).map(\.id))
        return configuration
    }

    /// Settings that only make sense together.
    private func checkCombinations() throws {
        let where_ = file ?? "environment"
        if llm.baseURL != nil, llm.model == nil {
            throw FileProblem(file: where_, line: nil, message: "llm.model is required with llm.base_url (for example gpt-4o-mini, or the model your server loaded)")
        }
        if caldav.url != nil, (caldav.user == nil) != (caldav.password == nil) {
            throw FileProblem(file: where_, line: nil, message: "caldav.user and caldav.password go together (put the password in an environment variable: password: ${CALDAV_PASSWORD})")
        }
        if (handoffNotifyChannel == nil) != (handoffNotifyChat == nil) {
            throw FileProblem(file: where_, line: nil, message: "handoff.notify_channel and handoff.notify_chat go together: the channel id and the chat on it to notify")
        }
        if let channel = handoffNotifyChannel, !channels.contains(where: { $0.id == channel }) {
            throw FileProblem(file: where_, line: nil, message: "handoff.notify_channel '\(channel)' is not one of the configured channels")
        }
    }

    /// `ATENDE_CHANNEL_{ID}_{SETTING}` sets a channel's setting; the longest matching channel id wins
    /// (so `shop` does not take `ATENDE_CHANNEL_SHOP_2_TOKEN` from `shop_2`).
    private mutating func applyChannelEnvironment(_ environment: [String: String]) throws {
        let prefixes = channels.map { "ATENDE_CHANNEL_\($0.id.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined())_" }
        if let clash = Dictionary(grouping: channels.indices, by: { prefixes[$0] }).first(where: { $0.value.count > 1 }) {
            let ids = clash.value.map { channels[$0].id }.joined(separator: " and ")
            throw FileProblem(file: file ?? "environment", line: channels[clash.value[1]].line, message: "channels \(ids) share the environment prefix \(clash.key); rename one")
        }
        for (name, value) in environment where name.hasPrefix("ATENDE_CHANNEL_") {
            guard let index = channels.indices.filter({ name.hasPrefix(prefixes[$0]) }).max(by: { prefixes[$0].count < prefixes[$1].count }) else {
                continue
            }
            let setting = String(name.dropFirst(prefixes[index].count)).lowercased()
            guard !setting.isEmpty else { continue }
            channels[index].settings[setting] = value
        }
    }

    private mutating func read(_ root: YAMLNode, environment: [String: String]) throws {
        let sections = Dictionary(grouping: Self.keys, by: { $0.path[0] })
        let top = try root.mapping(allowed: Set(sections.keys).union(["channels"]))
        for (section, sectionKeys) in sections {
            guard let node = top[section] else { continue }
            let mapping = try node.mapping(allowed: Set(sectionKeys.map { $0.path[1] }))
            for key in sectionKeys {
                guard let value = mapping[key.path[1]] else { continue }
                let text = try Self.substitute(try value.string(), node: value, environment: environment)
                try key.apply(&self, text) { value.problem($0) }
            }
        }
        var seen = Set<String>()
        for node in try top["channels"]?.sequence() ?? [] {
            let mapping = try node.mapping(allowed: ["id", "adapter", "settings", "unverified", "groups", "audience"])
            let idNode = try mapping.required("id")
            let id = try mapping.requiredString("id")
            guard id.allSatisfy({ ($0.isLetter && $0.isASCII) || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw idNode.problem("channel id '\(id)' may only use letters, digits, '-' and '_' (it is part of the webhook URL)")
            }
            guard seen.insert(id).inserted else { throw idNode.problem("channel id '\(id)' is used twice") }
            var settings: [String: String] = [:]
            for (name, value) in try mapping["settings"]?.mappingEntries() ?? [] {
                settings[name] = try Self.substitute(try value.string(), node: value, environment: environment)
            }
            var answersGroups = false
            if let groups = mapping["groups"] {
                switch try groups.string() {
                case "ignore": answersGroups = false
                case "answer": answersGroups = true
                default: throw groups.problem("groups must be 'ignore' (the default) or 'answer'")
                }
            }
            var channel = ChannelConfiguration(
                id: id,
                adapter: try mapping.requiredString("adapter"),
                settings: settings,
                unverified: try mapping["unverified"]?.bool() ?? false,
                answersGroups: answersGroups,
                line: node.line
            )
            if let audience = mapping["audience"] {
                switch try audience.string() {
                case "customers": channel.isTeam = false
                case "team": channel.isTeam = true
                default: throw audience.problem("audience must be 'customers' (the default) or 'team'")
                }
            }
            channels.append(channel)
        }
    }

    /// Replaces `${NAME}` with the environment variable, so secrets stay out of the file.
    static func substitute(_ text: String, node: YAMLNode, environment: [String: String]) throws -> String {
        guard text.contains("${") else { return text }
        var output = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { throw node.problem("'${' without a closing '}'") }
            let name = String(rest[open.upperBound..<close])
            guard let value = environment[name] else {
                throw node.problem("environment variable \(name) is not set")
            }
            output += value
            rest = rest[rest.index(after: close)...]
        }
        return output + rest
    }

    /// A lease must outlive the slowest platform call, or a second worker would send the same reply.
    public func checkLease(against channels: [Channel]) throws {
        guard let slowest = channels.max(by: { $0.definition.delivery.timeoutMillis < $1.definition.delivery.timeoutMillis }) else { return }
        let needed = 2 * slowest.definition.delivery.timeoutMillis
        guard leaseMillis >= needed else {
            throw FileProblem(
                file: file ?? "environment", line: nil,
                message: "pipeline.lease_ms is \(leaseMillis) but must be at least \(needed): twice the \(slowest.definition.delivery.timeoutMillis) ms timeout of \(slowest.definition.file)"
            )
        }
    }

    /// Resolves every channel against its adapter file, checking required settings.
    public func loadChannels() throws -> [Channel] {
        var definitions: [String: AdapterDefinition] = [:]
        let configFile = file ?? "atende.yaml"
        return try channels.map { channel in
            let definition: AdapterDefinition
            if let loaded = definitions[channel.adapter] {
                definition = loaded
            } else {
                let path = "\(adaptersDirectory)/\(channel.adapter).yaml"
                guard FileManager.default.fileExists(atPath: path) else {
                    throw FileProblem(file: configFile, line: channel.line, message: "channel '\(channel.id)': adapter '\(channel.adapter)' has no file \(path)")
                }
                definition = try AdapterDefinition.load(file: path)
                definitions[channel.adapter] = definition
            }
            var settings: [String: String] = [:]
            let declared = Set(definition.settings.map(\.name))
            for name in channel.settings.keys where !declared.contains(name) {
                throw FileProblem(
                    file: configFile, line: channel.line,
                    message: "channel '\(channel.id)': unknown setting '\(name)'; \(channel.adapter) takes: \(declared.sorted().joined(separator: ", "))"
                )
            }
            for spec in definition.settings {
                if let value = channel.settings[spec.name] ?? spec.defaultValue {
                    settings[spec.name] = value
                } else if spec.required {
                    throw FileProblem(file: configFile, line: channel.line, message: "channel '\(channel.id)': missing required setting '\(spec.name)'")
                }
            }
            return Channel(
                id: channel.id, definition: definition, settings: settings, unverified: channel.unverified, answersGroups: channel.answersGroups
            )
        }
    }
}
