import Foundation

/// An `atende serve` process started from a built binary on a free port, for the crash test and
/// the benchmark (where its memory is measured alone).
public final class GatewayProcess: Sendable {
    public let port: Int
    private let process: Process

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    /// The debug binary `swift build` makes.
    public static var debugBinary: String { Repository.root + "/.build/debug/atende" }

    /// Starts `atende serve --config config --port 0` and returns once it listens.
    public static func start(binary: String = debugBinary, config: String) async throws -> GatewayProcess {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw GatewayProcessError(message: "no atende binary at \(binary); build it with `swift build`")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--config", config, "--port", "0"]
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        let (lines, continuation) = AsyncStream<String>.makeStream()
        stderr.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                continuation.finish()
                handle.readabilityHandler = nil
            } else {
                continuation.yield(String(decoding: data, as: UTF8.self))
            }
        }
        try process.run()
        var output = ""
        for await chunk in lines {
            output += chunk
            if let range = output.range(of: #"listening on 127\.0\.0\.1:(\d+)"#, options: .regularExpression),
                let port = Int(output[range].split(separator: ":").last ?? "")
            {
                return GatewayProcess(process: process, port: port)
            }
        }
        throw GatewayProcessError(message: "atende exited before listening; it printed: \(output)")
    }

    /// SIGKILL: no chance to finish anything.
    /// A test that fails half-way must not leave a gateway running behind it.
    deinit {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    public func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then the exit status.
    public func terminate() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Peak and current resident memory from /proc, in KiB.
    public func memory() -> (peakKiB: Int, currentKiB: Int) {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            let line = status.split(separator: "\n").first { $0.hasPrefix(name + ":") } ?? ""
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return (field("VmHWM"), field("VmRSS"))
    }

    /// CPU time the process has used so far (user, system), in seconds, from /proc.
    public func cpuSeconds() -> (user: Double, system: Double) {
        let stat = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)) ?? ""
        // Fields after the command name, which is in parentheses and may hold spaces.
        let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
        func ticks(_ index: Int) -> Double { fields.count > index ? Double(fields[index]) ?? 0 : 0 }
        let perSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        // utime and stime are fields 14 and 15 of the line; 12 and 13 counted after ") ".
        return (ticks(11) / perSecond, ticks(12) / perSecond)
    }
}

public struct GatewayProcessError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
