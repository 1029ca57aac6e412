import AtendeCore
import Hummingbird
import Logging
import NIOCore
import Prometheus

/// Health, readiness and metrics for load balancers and Prometheus.
struct OperationsController {
    let runtime: GatewayRuntime

    func addRoutes(to router: Router<AtendeRequestContext>) {
        router.get("/healthz") { _, _ in Response.json(.ok, ["status": "alive"]) }
        router.get("/readyz", use: ready)
        router.get("/metrics", use: metrics)
    }

    @Sendable func ready(_ request: Request, context: AtendeRequestContext) async throws -> Response {
        do {
            try await runtime.store.ping()
            return .json(.ok, ["status": "ready"])
        } catch {
            runtime.logger.warning("not ready: store does not answer", metadata: ["error": "\(String(reflecting: error))"])
            return .json(.serviceUnavailable, ["status": "store unreachable"])
        }
    }

    @Sendable func metrics(_ request: Request, context: AtendeRequestContext) async throws -> Response {
        if let token = runtime.configuration.metricsToken, !BearerToken.matches(request, token) {
            return .json(.unauthorized, ["error": "missing or wrong metrics token (Authorization: Bearer …)"])
        }
        if let counts = try? await runtime.store.counts() {
            runtime.metrics.queueDepth(counts)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: runtime.metrics.registry.emitToBuffer()))
        )
    }
}
