import AtendeAgents
import AtendeCore
import Logging
import ServiceLifecycle

/// Checks the prompts folder every `intervalMillis` and swaps in a new agent set when a file
/// changed and the whole folder still validates. A broken edit is logged with its file and line
/// and the previous set keeps answering; turns already running finish on the set they took.
struct PromptReloader: Service {
    let directory: String
    let intervalMillis: Int64
    let agents: CurrentAgents
    let metrics: GatewayMetrics
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var seen = agents.set.version
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(intervalMillis))
                guard !Task.isCancelled else { return }
                // The version hashes the files' contents: an edit is seen whatever the clock or the editor did.
                let version = AgentSet.version(of: directory)
                guard version != seen else { continue }
                seen = version
                reload()
            }
        }
    }

    func reload() {
        do {
            let set = try AgentSet.load(directory: directory)
            agents.replace(with: set)
            metrics.promptReload(outcome: "loaded")
            logger.info("prompts reloaded", metadata: ["version": "\(set.version)", "agents": "\(set.library.agents.map(\.id).joined(separator: ","))"])
            for warning in set.library.warnings {
                logger.warning("prompt warning", metadata: ["problem": "\(warning)"])
            }
        } catch {
            metrics.promptReload(outcome: "rejected")
            for problem in error.problems {
                logger.error("prompt edit rejected; the previous version keeps answering", metadata: ["problem": "\(problem)"])
            }
        }
    }
}
