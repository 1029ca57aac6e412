import AtendeCore
import AtendeServer
import Foundation
import Logging

extension ConfigurationOptions {
    /// The configuration file and environment, or an exit with the problem on standard error.
    func load() throws -> GatewayConfiguration {
        let file: String?
        if let config {
            file = config
        } else {
            file = FileManager.default.fileExists(atPath: "atende.yaml") ? "atende.yaml" : nil
        }
        do {
            return try GatewayConfiguration.load(file: file, environment: ProcessInfo.processInfo.environment)
        } catch let problem as FileProblem {
            throw CommandFailure(message: problem.description)
        }
    }
}

extension Gateway {
    /// The gateway for a command: a broken file stops the command with `file:line: problem`.
    static func buildForCommand(configuration: GatewayConfiguration, logger: Logger) async throws -> Gateway {
        do {
            return try await Gateway.build(configuration: configuration, logger: logger)
        } catch let problems as FileProblems {
            throw CommandFailure(message: problems.description)
        } catch let problem as FileProblem {
            throw CommandFailure(message: problem.description)
        }
    }
}

/// Stops a command with a message for the person running it and exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

enum Logging {
    /// Installs the process-wide log handler once, as the configuration asks.
    static func bootstrap(_ configuration: GatewayConfiguration) -> Logger {
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        let json = configuration.logFormat == "json"
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "atende")
    }
}
