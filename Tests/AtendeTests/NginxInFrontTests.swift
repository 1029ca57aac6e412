import AsyncHTTPClient
import AtendeCore
import AtendeServer
import AtendeTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The gateway behind a real nginx using the shipped `deploy/nginx/atende-proxy.conf`: webhooks
/// pass through with their secret header and exact body, replies go out, limits hold.
@Suite struct NginxInFrontTests {
    static let nginx: String? = ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// nginx on a free port in front of `upstreamPort`, until the returned process is terminated.
    static func startNginx(upstreamPort: Int) async throws -> (process: Process, baseURL: String) {
        let nginx = try #require(Self.nginx, "nginx is not installed (scripts/test installs nginx-light)")
        let prefix = try Repository.temporaryDirectory()
        let port = try freePort()
        let config = """
            daemon off;
            master_process off;
            pid \(prefix)/nginx.pid;
            error_log \(prefix)/error.log warn;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path \(prefix)/body;
                proxy_temp_path \(prefix)/proxy;
                fastcgi_temp_path \(prefix)/fastcgi;
                uwsgi_temp_path \(prefix)/uwsgi;
                scgi_temp_path \(prefix)/scgi;
                upstream atende_gateway { server 127.0.0.1:\(upstreamPort); keepalive 8; }
                server {
                    listen 127.0.0.1:\(port);
                    include \(Repository.root)/deploy/nginx/atende-proxy.conf;
                }
            }
            """
        try config.write(toFile: "\(prefix)/nginx.conf", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = ["-p", prefix, "-e", "\(prefix)/error.log", "-c", "\(prefix)/nginx.conf"]
        // Not the test runner's pipes: a leftover nginx holding them would keep `swift test` waiting.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let baseURL = "http://127.0.0.1:\(port)"
        try await eventually("nginx to listen") {
            guard process.isRunning else { throw NginxFailed(log: (try? String(contentsOfFile: "\(prefix)/error.log", encoding: .utf8)) ?? "") }
            return (try? await HTTPClient.shared.execute(HTTPClientRequest(url: baseURL + "/healthz"), timeout: .seconds(1)).status.code) == 200
        }
        return (process, baseURL)
    }

    struct NginxFailed: Error, CustomStringConvertible {
        var log: String
        var description: String { "nginx exited: \(log)" }
    }

    static func freePort() throws -> Int {
        let socket = try #require(Optional(Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)))
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw NginxFailed(log: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func post(_ url: String, body: String, secret: String?) async throws -> Int {
        try await GatewayHarness.post(url, body: body, headers: secret.map { ["X-Telegram-Bot-Api-Secret-Token": $0] } ?? [:])
    }

    @Test func webhooksThroughNginxAreVerifiedStoredAndAnswered() async throws {
        let harness = try await GatewayHarness.start()
        let upstream = try #require(Int(harness.server.baseURL.split(separator: ":").last ?? ""))
        let (nginx, baseURL) = try await Self.startNginx(upstreamPort: upstream)
        defer {
            kill(nginx.processIdentifier, SIGKILL)
            nginx.waitUntilExit()
        }

        let update = try Repository.telegramUpdate("update-message-text.json", updateID: 501, text: "bom dia")
        #expect(try await Self.post("\(baseURL)/webhooks/tg", body: update, secret: GatewayHarness.secret) == 200)
        // The same update again through nginx: acknowledged, answered once.
        #expect(try await Self.post("\(baseURL)/webhooks/tg", body: update, secret: GatewayHarness.secret) == 200)
        #expect(try await Self.post("\(baseURL)/webhooks/tg", body: update, secret: "wrong") == 401)
        try await eventually("the reply") { harness.telegram.sentMessages.count == 1 }
        try await harness.settle()
        #expect(harness.telegram.sentMessages.count == 1)

        // Over the gateway's 1 MiB limit but under nginx's: the gateway's own 413.
        let big = #"{"update_id": 502, "padding": ""# + String(repeating: "x", count: 1_100_000) + #""}"#
        #expect(try await Self.post("\(baseURL)/webhooks/tg", body: big, secret: GatewayHarness.secret) == 413)
        // Far over: nginx refuses it before the gateway.
        let huge = String(repeating: "x", count: 3_000_000)
        #expect(try await Self.post("\(baseURL)/webhooks/tg", body: huge, secret: GatewayHarness.secret) == 413)
        // The calendar links in booking confirmations reach the gateway (an unknown token: its 404, not nginx's).
        let calendar = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: baseURL + "/calendar/" + String(repeating: "0", count: 32) + ".ics"), timeout: GatewayHarness.requestTimeout
        )
        let calendarBody = String(buffer: try await calendar.body.collect(upTo: 1 << 16))
        #expect(calendar.status.code == 404 && !calendarBody.contains("nginx"), "nginx answered /calendar/ itself: \(calendarBody)")
        // Only the webhook, calendar and health paths are exposed.
        #expect(try await HTTPClient.shared.execute(HTTPClientRequest(url: baseURL + "/anything"), timeout: GatewayHarness.requestTimeout).status.code == 404)
        #expect(try await harness.counts().inboundMessages == 1)
        try await harness.stop()
    }
}
