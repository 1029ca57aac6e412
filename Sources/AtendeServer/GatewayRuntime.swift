import AtendeAdapters
import AtendeCore
import Logging

/// What the routes and workers share: the store, the channels, the responder and the signals.
public final class GatewayRuntime: Sendable {
    public let configuration: GatewayConfiguration
    public let store: any GatewayStore
    public let channels: [String: Channel]
    public let responder: any Responder
    public let deliveryClient: DeliveryClient
    public let metrics: GatewayMetrics
    public let logger: Logger
    public let time: any TimeSource
    public let batcher: IngestBatcher
    /// Turns' answers as each platform's outbox entries.
    public let renderer: AnswerRenderer
    public let turnSignal = WorkSignal()
    public let deliverySignal = WorkSignal()
    /// Replies leased with their turn, for the delivery workers to take before claiming.
    public let deliveryHandoff = DeliveryHandoff()
    /// One circuit per channel, so a platform that is down does not hold the delivery workers.
    public let circuits = CircuitBreaker()
    let pacing = DeliveryPacing()
    /// Opens once migrations ran; workers wait for it.
    public let started = StartGate()
    let inboundLimits: InboundLimits

    public init(
        configuration: GatewayConfiguration,
        store: any GatewayStore,
        channels: [Channel],
        responder: any Responder,
        deliveryClient: DeliveryClient,
        metrics: GatewayMetrics,
        logger: Logger,
        time: any TimeSource = SystemTime()
    ) {
        self.configuration = configuration
        self.store = store
        self.channels = Dictionary(uniqueKeysWithValues: channels.map { ($0.id, $0) })
        self.responder = responder
        self.deliveryClient = deliveryClient
        self.metrics = metrics
        self.logger = logger
        self.time = time
        self.batcher = IngestBatcher(store: store, debounceMillis: configuration.debounceMillis)
        self.renderer = AnswerRenderer(
            channels: self.channels, notifyChannelID: configuration.handoffNotifyChannel, notifyChat: configuration.handoffNotifyChat
        )
        self.inboundLimits = InboundLimits(configuration.limits)
    }
}
