import AsyncHTTPClient
import AtendeCore
import Foundation
import NIOCore
import NIOHTTP1

/// What happened to one platform call.
public enum DeliveryResult: Sendable, Equatable {
    case delivered(platformMessageID: String?)
    /// Worth trying again; `retryAfterMillis` when the platform said how long to wait.
    case retryable(reason: String, retryAfterMillis: Int64?)
    /// Trying again will not help (a 4xx the platform means): the entry goes dead.
    case permanent(reason: String)
}

/// Sends rendered outbound requests with the adapter's deadline and classifies the answer.
public struct DeliveryClient: Sendable {
    let httpClient: HTTPClient
    /// Response bodies are read up to this size; platform answers are small.
    static let maxResponseBytes = 256 * 1024

    public init(httpClient: HTTPClient) {
        self.httpClient = httpClient
    }

    /// A client for platform calls: no redirects, so a secret in a header or URL never follows one to another host.
    public static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 32)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends within the adapter's deadline, which covers the whole exchange (a body that trickles in counts).
    public func send(_ outbound: OutboundRequest, policy: AdapterDefinition.DeliveryPolicy) async -> DeliveryResult {
        await withTaskGroup(of: DeliveryResult?.self) { group in
            group.addTask { await perform(outbound, policy: policy) }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(policy.timeoutMillis))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .retryable(reason: "no complete answer within \(policy.timeoutMillis) ms", retryAfterMillis: nil)
        }
    }

    private func perform(_ outbound: OutboundRequest, policy: AdapterDefinition.DeliveryPolicy) async -> DeliveryResult {
        var request = HTTPClientRequest(url: outbound.url)
        request.method = HTTPMethod(rawValue: outbound.method)
        for (name, value) in outbound.headers { request.headers.add(name: name, value: value) }
        if let body = outbound.body {
            request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body.encodedString()))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await httpClient.execute(request, timeout: .milliseconds(policy.timeoutMillis))
            bytes = try await response.body.collect(upTo: Self.maxResponseBytes)
        } catch {
            return .retryable(reason: "request failed: \(Self.describe(error))", retryAfterMillis: nil)
        }
        let status = Int(response.status.code)
        let json = JSONValue.parse(bytes.readableBytesView)
        if (200..<300).contains(status) {
            let messageID = outbound.messageIDPath.flatMap { json?.value(at: $0)?.scalarText }
            return .delivered(platformMessageID: messageID)
        }
        // Platforms echo the request in their errors: the text and the phone number stay out of logs and the outbox.
        let summary = "HTTP \(status)" + (json.map { ": " + String(Redaction.platformText($0.encodedString(), removing: outbound.personalTexts).prefix(300)) } ?? "")
        if let json, let rule = policy.errors.first(where: { json.value(at: $0.path)?.scalarText == $0.equals }) {
            let reason = "\(rule.reason) (\(summary))"
            return rule.retry
                ? .retryable(reason: reason, retryAfterMillis: Self.retryAfter(response.headers, json: json, path: policy.retryAfterPath))
                : .permanent(reason: reason)
        }
        if policy.retryStatuses.contains(status) {
            return .retryable(reason: summary, retryAfterMillis: Self.retryAfter(response.headers, json: json, path: policy.retryAfterPath))
        }
        return .permanent(reason: summary)
    }

    /// The wait the platform asked for, clamped to 0…1 hour so a hostile value cannot stall an entry forever.
    static func retryAfter(_ headers: HTTPHeaders, json: JSONValue?, path: String?) -> Int64? {
        RetryAfter.millis(seconds: path.flatMap { json?.value(at: $0)?.scalarText }) ?? RetryAfter.millis(seconds: headers.first(name: "Retry-After"))
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            return String(describing: error)
        }
        return String(describing: type(of: error))
    }
}
