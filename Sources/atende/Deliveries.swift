import AtendeCore
import AtendeServer
import AtendeStorage
import ArgumentParser
import Foundation
import Logging

struct Deliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List outbox entries and put dead ones back in the queue.",
        subcommands: [List.self, Replay.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List outbox entries in a state (dead by default).")

        @OptionGroup var options: ConfigurationOptions

        @Option(help: "pending, sent or dead.")
        var state = "dead"

        @Option(help: "At most this many entries.")
        var limit = 50

        func run() async throws {
            guard ["pending", "sent", "dead"].contains(state) else { throw ValidationError("--state must be pending, sent or dead") }
            let configuration = try options.load()
            let opened = try await OpenedStore.open(url: configuration.databaseURL, logger: .init(label: "atende"))
            let records = try await opened.withRunning { [state, limit] in try await $0.deliveries(state: state, limit: limit) }
            if records.isEmpty { print("no \(state) deliveries") }
            for record in records {
                print("\(record.id)\t\(record.channelID)\tconversation \(record.conversationID)\t\(record.action)\tattempts \(record.attempts)\t\(record.lastError ?? "")")
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a dead entry again; a running gateway sends it within its poll interval.")

        @OptionGroup var options: ConfigurationOptions

        @Argument(help: "The entry id, from `atende deliveries list`.")
        var id: Int64

        func run() async throws {
            let configuration = try options.load()
            let opened = try await OpenedStore.open(url: configuration.databaseURL, logger: .init(label: "atende"))
            let replayed = try await opened.withRunning { [id] in try await $0.replayDelivery(id: id, now: SystemTime().nowMillis()) }
            guard replayed else { throw CommandFailure(message: "no dead delivery with id \(id)") }
            print("delivery \(id) queued again")
        }
    }
}
