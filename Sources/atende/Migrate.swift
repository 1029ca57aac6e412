import AtendeServer
import AtendeStorage
import ArgumentParser
import Foundation
import Logging

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or update the database schema, then exit.")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.load()
        let logger = Logging.bootstrap(configuration)
        let opened = try await OpenedStore.open(url: configuration.databaseURL, logger: logger)
        try await opened.withRunning { try await $0.migrate() }
        print("atende: schema is up to date (\(configuration.usesPostgres ? "PostgreSQL" : configuration.databaseURL))")
    }
}
