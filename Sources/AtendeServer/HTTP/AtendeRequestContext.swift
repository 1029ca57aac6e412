import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The context of every request: Hummingbird's core context and the connection's peer, which
/// the per-client limits key on.
public struct AtendeRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The client's address: the peer's, or, when the peer is a trusted proxy (nginx on the same
    /// host), the last address it added to `X-Forwarded-For`. Earlier entries are the client's
    /// own claims and are never trusted.
    func clientAddress(_ request: Request, trustedProxies: Set<String>) -> String {
        let peer = remoteAddress?.ipAddress ?? "unknown"
        guard trustedProxies.contains(peer), let forwarded = request.headers[values: HTTPField.Name("X-Forwarded-For")!].last else { return peer }
        let last = forwarded.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return last.isEmpty ? peer : String(last.prefix(64))
    }
}
