import AtendeCore
import Foundation

/// Everything in the prompts folder, loaded and validated together: one agent per `*.md` file
/// and the control intents of `controle.yaml`.
public struct PromptLibrary: Sendable {
    /// Sorted by id.
    public var agents: [Agent]
    public var control: ControlIntents
    public var texts: SystemTexts
    public var directory: String

    public static let defaultAgentID = "geral"
    static let controlFile = "controle.yaml"
    static let textsFile = "textos.yaml"

    public func agent(_ id: String) -> Agent? {
        agents.first { $0.id == id }
    }

    /// Loads every file; when any is broken, throws all the problems found, not just the first.
    public static func load(directory: String) throws(FileProblems) -> PromptLibrary {
        var problems: [FileProblem] = []
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw FileProblems([FileProblem(file: directory, line: nil, message: "cannot read the prompts folder (\(error.localizedDescription))")])
        }
        var agents: [Agent] = []
        for name in names where name.hasSuffix(".md") && name != "README.md" {
            let path = "\(directory)/\(name)"
            do {
                let agent = try Agent.load(file: path)
                if let other = agents.first(where: { $0.id == agent.id }) {
                    problems.append(FileProblem(file: path, line: nil, message: "agent id '\(agent.id)' is already used by \(other.file)"))
                } else {
                    agents.append(agent)
                }
            } catch let problem as FileProblem {
                problems.append(problem)
            } catch {
                problems.append(FileProblem(file: path, line: nil, message: "\(error)"))
            }
        }
        var control: ControlIntents?
        let controlPath = "\(directory)/\(controlFile)"
        do {
            control = try ControlIntents.load(file: controlPath)
        } catch let problem as FileProblem {
            problems.append(problem)
        } catch {
            problems.append(FileProblem(file: controlPath, line: nil, message: "\(error)"))
        }
        var texts: SystemTexts?
        let textsPath = "\(directory)/\(textsFile)"
        do {
            texts = try SystemTexts.load(file: textsPath)
        } catch let problem as FileProblem {
            problems.append(problem)
        } catch {
            problems.append(FileProblem(file: textsPath, line: nil, message: "\(error)"))
        }
        // A broken geral.md is reported above; this is for a missing one.
        if !agents.contains(where: { $0.id == defaultAgentID }), !names.contains("\(defaultAgentID).md") {
            problems.append(FileProblem(file: "\(directory)/\(defaultAgentID).md", line: nil, message: "the default agent '\(defaultAgentID)' is missing"))
        }
        let controlIDs = Set(control?.intents.map(\.id) ?? [])
        for agent in agents where controlIDs.contains(agent.id) {
            problems.append(FileProblem(file: agent.file, line: nil, message: "agent id '\(agent.id)' is the name of a control intent in \(controlFile); rename the agent"))
        }
        guard problems.isEmpty, let control, let texts else { throw FileProblems(problems) }
        return PromptLibrary(agents: agents.sorted { $0.id < $1.id }, control: control, texts: texts, directory: directory)
    }
}
