import AsyncHTTPClient
import AtendeAdapters
import AtendeAgents
import AtendeCore
import AtendeLLM
import AtendeScheduling
import AtendeStorage
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// The composition root: `atende serve` and the tests build the gateway through here.
///
/// ```swift
/// let gateway = try await Gateway.build(configuration: configuration, logger: logger)
/// try await gateway.application().runService()
/// ```
public struct Gateway: Sendable {
    public let runtime: GatewayRuntime
    let opened: OpenedStore
    let httpClient: HTTPClient
    /// The prompts in service, reloaded on edit.
    public let agents: CurrentAgents
    /// The LLM's own client: no redirects (they would carry the API key elsewhere), fails fast.
    let llmHTTPClient: HTTPClient?
    /// Books appointments; the admin API and `atende bookings` ask it too.
    public let receptionist: Receptionist
    /// The business's CalDAV calendar, when one is configured.
    let caldav: CalDAVCalendar?
    /// The address booking replies link to; set to the bound port when listening on port 0.
    let calendarLinks: CalendarLinks

    /// - Parameters:
    ///   - responder: replaces the orchestrator (tests of the pipeline itself).
    ///   - agents: the prompts already loaded from `configuration.promptsDirectory`, so many
    ///     gateways in one test process train the classifier once.
    public static func build(
        configuration: GatewayConfiguration,
        logger: Logger,
        metrics: GatewayMetrics = GatewayMetrics(),
        responder: (any Responder)? = nil,
        time: any TimeSource = SystemTime(),
        agents loaded: AgentSet? = nil
    ) async throws -> Gateway {
        let channels = try configuration.loadChannels()
        try configuration.checkLease(against: channels)
        let agents = CurrentAgents(try loaded ?? AgentSet.load(directory: configuration.promptsDirectory))
        for warning in agents.set.library.warnings {
            logger.warning("prompt warning", metadata: ["problem": "\(warning)"])
        }
        let opened = try await OpenedStore.open(url: configuration.databaseURL, logger: logger, exclusive: true)
        let httpClient = DeliveryClient.makeHTTPClient()
        var model: OpenAICompatibleModel?
        var llmHTTPClient: HTTPClient?
        if let baseURL = configuration.llm.baseURL, let name = configuration.llm.model {
            let llm = configuration.llm
            let client = OpenAICompatibleModel.makeHTTPClient()
            llmHTTPClient = client
            model = OpenAICompatibleModel(
                settings: LLMSettings(
                    baseURL: baseURL, model: name, apiKey: llm.apiKey, timeoutMillis: llm.timeoutMillis, maxAttempts: llm.maxAttempts,
                    promptPricePerMillionTokens: llm.promptPricePerMillion, completionPricePerMillionTokens: llm.completionPricePerMillion
                ),
                httpClient: client, logger: logger
            )
        }
        var caldav: CalDAVCalendar?
        var busyTimes: CachedBusyTimes?
        if let url = configuration.caldav.url {
            let calendar = CalDAVCalendar(
                settings: CalDAVSettings(collectionURL: url, username: configuration.caldav.user, password: configuration.caldav.password),
                httpClient: httpClient
            )
            caldav = calendar
            busyTimes = CachedBusyTimes(source: calendar, maxAgeMillis: configuration.caldav.busyCacheMillis, time: time, metrics: metrics, logger: logger)
        }
        let calendarLinks = CalendarLinks(base: configuration.webhookBaseURL + "/calendar/")
        let receptionist = Receptionist(
            store: opened.store, busyTimes: busyTimes, syncsCalendar: caldav != nil && configuration.caldav.writeBookings,
            calendarLinks: calendarLinks
        )
        let runtime = GatewayRuntime(
            configuration: configuration,
            store: opened.store,
            channels: channels,
            responder: responder ?? Orchestrator(
                agents: agents, model: model, settings: configuration.orchestrator, time: time, receptionist: receptionist,
                budget: configuration.llm.dailyBudgetUSD.map(LLMBudget.init)
            ),
            deliveryClient: DeliveryClient(httpClient: httpClient),
            metrics: metrics,
            logger: logger,
            time: time
        )
        return Gateway(
            runtime: runtime, opened: opened, httpClient: httpClient, agents: agents, llmHTTPClient: llmHTTPClient, receptionist: receptionist, caldav: caldav,
            calendarLinks: calendarLinks
        )
    }

    /// Runs a one-off command's `body` against the migrated store, without the server or its
    /// workers, and closes everything afterwards.
    public func runCommand<Result: Sendable>(_ body: @Sendable () async throws -> Result) async throws -> Result {
        let clients = [httpClient] + (llmHTTPClient.map { [$0] } ?? [])
        do {
            let result = try await opened.withRunning { store in
                try await store.migrate()
                return try await body()
            }
            for client in clients { try await client.shutdown() }
            return result
        } catch {
            for client in clients { try? await client.shutdown() }
            throw error
        }
    }

    public func router() -> Router<AtendeRequestContext> {
        let router = Router(context: AtendeRequestContext.self)
        WebhookController(runtime: runtime).addRoutes(to: router)
        OperationsController(runtime: runtime).addRoutes(to: router)
        let admin = AdminController(runtime: runtime, agents: agents)
        admin.addRoutes(to: router)
        AdminBookingsController(admin: admin, receptionist: receptionist, agents: agents).addRoutes(to: router)
        AdminContactsController(admin: admin, store: opened.store).addRoutes(to: router)
        CalendarController(runtime: runtime, bookings: opened.store, agents: agents).addRoutes(to: router)
        return router
    }

    /// The workers, in start order; a service group stops them in reverse, so turns stop
    /// before deliveries and the database goes last.
    var workers: [any Service] {
        let configuration = runtime.configuration
        var services: [any Service] = [Cleanup(store: runtime.store, httpClients: [httpClient] + (llmHTTPClient.map { [$0] } ?? []))]
        if let postgres = opened.postgres { services.append(postgres) }
        guard configuration.runWorkers else { return services }
        if configuration.promptReloadMillis > 0 {
            services.append(PromptReloader(
                directory: configuration.promptsDirectory, intervalMillis: configuration.promptReloadMillis, agents: agents,
                metrics: runtime.metrics, logger: runtime.logger
            ))
        }
        for index in 0..<configuration.deliveryWorkers {
            services.append(DeliveryWorker(name: "delivery-\(index)", runtime: runtime))
        }
        for index in 0..<configuration.turnWorkers {
            services.append(TurnWorker(name: "turn-\(index)", runtime: runtime))
        }
        services.append(ReminderScheduler(runtime: runtime, bookings: opened.store))
        services.append(RetentionWorker(runtime: runtime, store: opened.store))
        if let caldav, configuration.caldav.writeBookings {
            services.append(CalendarSyncWorker(runtime: runtime, bookings: opened.store, calendar: caldav, agents: agents))
        }
        return services
    }

    /// The HTTP server with the workers. Migrations run before it accepts requests.
    /// - Parameter onListening: called with the bound port (useful with port 0).
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let configuration = runtime.configuration
        let limits = configuration.limits
        var decoder = HTTP1Channel.Configuration.DecoderConfiguration()
        decoder.maxHeaderFieldSize = 16 * 1024
        decoder.maxHeaderListSize = 32 * 1024
        decoder.maxHeaderFieldCount = 100
        let http = HTTP1Channel.Configuration(
            additionalChannelHandlers: [
                RequestDeadlineHandler(headerTimeout: .milliseconds(limits.headerTimeoutMillis), bodyTimeout: .milliseconds(limits.bodyTimeoutMillis))
            ],
            idleTimeout: .milliseconds(limits.idleTimeoutMillis),
            httpDecoderConfiguration: decoder
        )
        var application = Application(
            router: router(),
            server: .http1(configuration: http),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "atende"),
            services: workers,
            onServerRunning: { [calendarLinks] channel in
                let port = channel.localAddress?.port ?? configuration.port
                if configuration.publicURL == nil {
                    var bound = configuration
                    bound.port = port
                    calendarLinks.setBase(bound.webhookBaseURL + "/calendar/")
                }
                await onListening(port)
            },
            logger: runtime.logger
        )
        let runtime = runtime
        application.beforeServerStarts {
            try await runtime.store.migrate()
            if !configuration.usesPostgres {
                try await runtime.store.releaseAllLeases()
            }
            runtime.started.open()
        }
        return application
    }
}

/// Closes the store and the HTTP client after everything that uses them has stopped
/// (it is the first service, so the last to stop).
struct Cleanup: Service {
    let store: any GatewayStore
    let httpClients: [HTTPClient]

    func run() async throws {
        try? await gracefulShutdown()
        for client in httpClients { try await client.shutdown() }
        try await store.close()
    }
}
