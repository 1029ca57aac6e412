import AtendeAdapters
import AtendeCore
import ArgumentParser
import Foundation

struct Map: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the normalized events an adapter makes of a webhook payload (no verification, nothing stored).",
        discussion: "Use it while writing an adapter: atende map adapters/uazapi.yaml adapters/fixtures/uazapi/messages-text-incoming.json"
    )

    @Argument(help: "The adapter file.") var adapter: String
    @Argument(help: "JSON payload files; standard input when none.") var payloads: [String] = []
    @Option(help: "Answer group chats, as a channel with `groups: answer` does.") var groups: String = "ignore"

    func run() throws {
        let definition: AdapterDefinition
        do {
            definition = try AdapterDefinition.load(file: adapter)
        } catch {
            print("error   \(error)")
            throw ExitCode.failure
        }
        let channel = Channel(id: "map", definition: definition, settings: [:], answersGroups: groups == "answer")
        let inputs = payloads.isEmpty ? [("-", FileHandle.standardInput.readDataToEndOfFile())] : try payloads.map { ($0, try Data(contentsOf: URL(fileURLWithPath: $0))) }
        for (name, data) in inputs {
            guard let payload = JSONValue.parse(Array(data)) else {
                print("error   \(name): not valid JSON")
                throw ExitCode.failure
            }
            print(NormalizedEvents.json(channel.map(payload)).encodedString(prettyPrinted: true))
        }
    }
}
