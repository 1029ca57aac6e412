import AtendeCore
import AtendeScheduling
import AtendeUnderstanding
import Foundation

/// Everything in the prompts folder, loaded and validated together: the business profile
/// (`negocio.yaml`), one agent per `*.md` file, the control intents (`controle.yaml`) and the
/// gateway's own texts (`textos.yaml`).
public struct PromptLibrary: Sendable {
    /// Sorted by id.
    public var agents: [Agent]
    public var control: ControlIntents
    public var texts: SystemTexts
    public var business: BusinessProfile
    public var directory: String
    /// Not errors, but worth fixing: examples two agents share, which blur the routing.
    public var warnings: [FileProblem]
    /// Which `faq:` entry a customer's question is about.
    let faq: FAQMatcher

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
        var business: BusinessProfile?
        let businessPath = "\(directory)/\(BusinessProfile.fileName)"
        do {
            business = try BusinessProfile.load(file: businessPath)
        } catch let problem as FileProblem {
            problems.append(problem)
        } catch {
            problems.append(FileProblem(file: businessPath, line: nil, message: "\(error)"))
        }
        // Agents and texts are still checked when the profile is broken, so every problem shows at once.
        let profile = business ?? BusinessProfile(
            name: "", description: "", address: "", hours: "", phone: "", email: "", website: "", timeZone: "America/Sao_Paulo", file: businessPath
        )
        var agents: [Agent] = []
        for name in names where name.hasSuffix(".md") && name != "README.md" {
            let path = "\(directory)/\(name)"
            do {
                let agent = try Agent.load(file: path, business: profile)
                if let other = agents.first(where: { $0.id == agent.id }) {
                    problems.append(FileProblem(file: path, line: nil, message: "agent id '\(agent.id)' is already used by \(other.file)"))
                } else {
                    agents.append(agent)
                }
            } catch let many as FileProblems {
                problems += many.problems
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
            texts = try SystemTexts.load(file: textsPath, business: profile)
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
        guard problems.isEmpty, let control, let texts, let business else { throw FileProblems(problems) }
        let faq = FAQMatcher(business: business)
        if let index = agents.firstIndex(where: { $0.id == defaultAgentID }) {
            agents[index].intents = withFAQTopics(agents[index].intents, business: business, matcher: faq)
        }
        let sorted = agents.sorted { $0.id < $1.id }
        return PromptLibrary(
            agents: sorted, control: control, texts: texts, business: business, directory: directory,
            warnings: sharedExamples(agents: sorted, control: control) + missingFacts(agents: sorted, business: business), faq: faq
        )
    }

    /// Reception's topics with the business's own questions added, one topic per `faq:` entry,
    /// answered from negocio.yaml. An example of reception's generic topics that asks what an
    /// entry answers ("tem estacionamento?" under the address) moves to that entry: the business
    /// has said how it answers it, and leaving it behind would teach the router the generic topic.
    static func withFAQTopics(_ intents: [IntentDefinition], business: BusinessProfile, matcher: FAQMatcher) -> [IntentDefinition] {
        var absorbed = Array(repeating: [String](), count: business.faq.count)
        var generic = intents
        for index in generic.indices {
            let kept = generic[index].examples.filter { example in
                guard let entry = matcher.entry(covering: example) else { return true }
                absorbed[entry].append(example)
                return false
            }
            // A topic keeps at least one example, so it stays routable.
            if !kept.isEmpty { generic[index].examples = kept }
        }
        return generic + business.faq.enumerated().map { number, entry in
            IntentDefinition(id: "faq_\(number + 1)", keywords: [], examples: entry.questions + absorbed[number], description: entry.questions[0], facts: .faq(number))
        }
    }

    /// Topics that answer from the business profile while the profile lacks those facts: they
    /// fall back to the agent's canned answers, which may not know.
    static func missingFacts(agents: [Agent], business: BusinessProfile) -> [FileProblem] {
        var problems: [FileProblem] = []
        for agent in agents {
            for intent in agent.intents {
                let missing: String?
                switch intent.facts {
                case .hours: missing = business.calendar == nil && business.hours.isEmpty ? "hours (or a calendar)" : nil
                case .location: missing = business.address.isEmpty ? "address" : nil
                case .payments: missing = business.payments.isEmpty ? "payments" : nil
                case .services, .business: missing = business.calendar?.services.isEmpty ?? true ? "calendar services" : nil
                case .faq, nil: missing = nil
                }
                if let missing {
                    problems.append(FileProblem(
                        file: agent.file, line: nil,
                        message: "topic '\(intent.id)' answers from \(fileName(business.file)) \(missing), which it does not have: customers asking it get the agent's canned answer"
                    ))
                }
            }
        }
        return problems
    }

    private static func fileName(_ path: String) -> String {
        URL(fileURLWithPath: path).lastPathComponent
    }

    /// An example written the same way (after folding) under two routes teaches the classifier
    /// nothing but confusion; each such pair of routes is reported once, with a few of the examples.
    static func sharedExamples(agents: [Agent], control: ControlIntents) -> [FileProblem] {
        var owners: [String: (route: String, file: String)] = [:]
        var shared: [String: (file: String, examples: [String])] = [:]
        let routes = agents.map { ($0.id, $0.file, $0.intents) } + [("controle", control.file, control.intents)]
        for (route, file, intents) in routes {
            for example in intents.flatMap(\.examples) {
                let key = TextNormalizer.words(example).joined(separator: " ")
                guard !key.isEmpty else { continue }
                if let owner = owners[key], owner.route != route {
                    shared["\(owner.route) and \(route)", default: (file, [])].examples.append(example)
                } else {
                    owners[key] = (route, file)
                }
            }
        }
        return shared.keys.sorted().map { pair in
            let entry = shared[pair]!
            let sample = entry.examples.prefix(3).map { "\"\($0)\"" }.joined(separator: ", ")
            return FileProblem(file: entry.file, line: nil, message: "\(entry.examples.count) example(s) appear under both \(pair), e.g. \(sample)")
        }
    }
}
