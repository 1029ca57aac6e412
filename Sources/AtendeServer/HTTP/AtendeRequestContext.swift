import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
    /// An IPv6 client is its /64: one host holds a whole one and could rotate through it.
    func clientAddress(_ request: Request, trustedProxies: Set<String>) -> String {
        let peer = remoteAddress?.ipAddress ?? "unknown"
        guard trustedProxies.contains(peer), let forwarded = request.headers[values: HTTPField.Name("X-Forwarded-For")!].last else {
            return Self.clientKey(peer)
        }
        let last = forwarded.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return Self.clientKey(last.isEmpty ? peer : String(last.prefix(64)))
    }

    /// `address` as the limits count it: an IPv4 address as is, an IPv6 one by its /64 prefix.
    public static func clientKey(_ address: String) -> String {
        guard address.contains(":") else { return address }
        var bytes = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
        let prefix = Array(bytes.prefix(8))
        return stride(from: 0, to: 8, by: 2).map { String(UInt16(prefix[$0]) << 8 | UInt16(prefix[$0 + 1]), radix: 16) }.joined(separator: ":") + "::/64"
    }
}
