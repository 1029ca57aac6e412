import AtendeAdapters
import AtendeAgents
import AtendeCore
import AtendeServer
import ArgumentParser
import Foundation
import Hummingbird
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway: webhooks, workers, health and metrics.")

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "The port to listen on (overrides server.port and ATENDE_SERVER_PORT).")
    var port: Int?

    func run() async throws {
        var configuration = try options.load()
        if let port { configuration.port = port }
        let logger = Logging.bootstrap(configuration)
        let gateway = try await Gateway.buildForCommand(configuration: configuration, logger: logger)
        let store = configuration.usesPostgres ? "PostgreSQL" : "SQLite at \(configuration.databaseURL)"
        var banner = "atende: \(configuration.file.map { "config \($0), " } ?? "no config file, ")store \(store)\n"
        let agents = gateway.agents.set
        let model = configuration.llm.baseURL.map { "LLM \(configuration.llm.model ?? "") at \($0)" } ?? "no LLM: offline answers"
        banner += "atende: prompts \(configuration.promptsDirectory) (version \(agents.version)): agents \(agents.library.agents.map(\.id).joined(separator: ", ")); \(model)\n"
        if configuration.channels.isEmpty {
            banner += "atende: no channels configured; add one to atende.yaml (see atende.example.yaml)\n"
        } else if configuration.publicURL == nil {
            banner += "atende: WARNING server.public_url is not set: webhook URLs and the calendar links sent to contacts point at \(configuration.webhookBaseURL), which platforms and contacts cannot reach\n"
        }
        for channel in gateway.runtime.channels.values.sorted(by: { $0.id < $1.id }) {
            banner += "atende: channel \(channel.id) (\(channel.definition.id)) webhook: POST \(configuration.webhookBaseURL)\(channel.webhookPath)\n"
            for weak in channel.weakSettings {
                banner += "atende: WARNING \(weak)\n"
            }
            if channel.unverified {
                banner += "atende: WARNING channel \(channel.id) runs UNVERIFIED (unverified: true): anyone who knows its URL can post to it\n"
            }
        }
        FileHandle.standardError.write(Data(banner.utf8))
        let host = configuration.host
        try await gateway.application { port in
            FileHandle.standardError.write(Data("atende: listening on \(host):\(port)\n".utf8))
        }.runService()
    }
}
