import AtendeAdapters
import AtendeAgents
import AtendeCore
import AtendeServer
import ArgumentParser
import Foundation

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate the configuration, every adapter file and every prompt file; report problems with file and line."
    )

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        var problems: [String] = []
        var checked: [String] = []
        var configuration = GatewayConfiguration()
        do {
            configuration = try options.load()
            checked.append(configuration.file ?? "configuration (defaults and environment)")
            problems += try configuration.loadChannels().flatMap(\.weakSettings)
        } catch {
            problems.append("\(error)")
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: configuration.adaptersDirectory)) ?? []
        for name in files.sorted() where name.hasSuffix(".yaml") {
            let path = "\(configuration.adaptersDirectory)/\(name)"
            do {
                _ = try AdapterDefinition.load(file: path)
                checked.append(path)
            } catch {
                problems.append("\(error)")
            }
        }
        var warnings: [String] = []
        if !configuration.channels.isEmpty, configuration.publicURL == nil {
            warnings.append("server.public_url is not set: webhook URLs and calendar links point at \(configuration.webhookBaseURL), which platforms and contacts cannot reach")
        }
        do {
            // The same load the running gateway does on start and on every reload.
            let set = try AgentSet.load(directory: configuration.promptsDirectory)
            let library = set.library
            checked += [library.business.file] + library.agents.map(\.file) + [library.control.file, library.texts.file]
            warnings = library.warnings.map(\.description)
        } catch {
            problems += error.problems.map(\.description)
        }
        for file in checked { print("ok      \(file)") }
        for warning in warnings { print("warning \(warning)") }
        for problem in problems { print("error   \(problem)") }
        if !problems.isEmpty {
            throw ExitCode.failure
        }
    }
}
