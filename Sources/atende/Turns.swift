import AtendeCore
import AtendeServer
import AtendeStorage
import ArgumentParser
import Foundation
import Logging

struct Turns: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List turns and put dead ones (parked after failing pipeline.max_turn_attempts times) back in the queue.",
        subcommands: [List.self, Replay.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List turn jobs in a state (queued and running by default; --dead for parked ones).")

        @OptionGroup var options: ConfigurationOptions

        @Flag(help: "Only turns parked as dead.")
        var dead = false

        @Option(help: "At most this many turns (1 to 1000).")
        var limit = 50

        func validate() throws {
            guard (1...1000).contains(limit) else { throw ValidationError("--limit must be from 1 to 1000") }
        }

        func run() async throws {
            let configuration = try options.load()
            let opened = try await OpenedStore.open(url: configuration.databaseURL, logger: .init(label: "atende"))
            let states = dead ? ["dead"] : ["running", "queued"]
            let records = try await opened.withRunning { [limit] store in
                try await store.migrate()
                var all: [TurnJobRecord] = []
                for state in states { all += try await store.turnJobs(state: state, limit: limit) }
                return all
            }
            if records.isEmpty { print(dead ? "no dead turns" : "no queued or running turns") }
            for record in records {
                let messages = record.messageIDs.isEmpty ? "" : "\tmessages \(record.messageIDs.map(String.init).joined(separator: ","))"
                print("\(record.id)\t\(record.state)\t\(record.channelID)\tconversation \(record.conversationID)\tattempts \(record.attempts)\(messages)\t\(record.lastError ?? "")")
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a dead turn's messages again; a running gateway answers them within its poll interval.")

        @OptionGroup var options: ConfigurationOptions

        @Argument(help: "The turn id, from `atende turns list --dead`.")
        var id: Int64

        func run() async throws {
            let configuration = try options.load()
            let opened = try await OpenedStore.open(url: configuration.databaseURL, logger: .init(label: "atende"))
            let replayed = try await opened.withRunning { [id] store in
                try await store.migrate()
                return try await store.replayTurn(id: id, now: SystemTime().nowMillis())
            }
            guard replayed else { throw CommandFailure(message: "no dead turn with id \(id)") }
            print("turn \(id) queued again")
        }
    }
}
