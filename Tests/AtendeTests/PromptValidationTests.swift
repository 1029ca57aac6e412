import AtendeAgents
import AtendeCore
import AtendeTestSupport
import AtendeUnderstanding
import Foundation
import Testing

/// `atende check` and the running gateway load the prompts folder the same way (`AgentSet.load`):
/// each kind of mistake an admin makes is reported with the file, and the line where there is one.
@Suite struct PromptValidationTests {
    /// A copy of the shipped prompts with `edit` applied to one file.
    static func folder(editing name: String, _ edit: (String) -> String) throws -> String {
        let prompts = try Repository.temporaryDirectory() + "/prompts"
        try FileManager.default.copyItem(atPath: Repository.prompts, toPath: prompts)
        let path = prompts + "/" + name
        try edit(try String(contentsOfFile: path, encoding: .utf8)).write(toFile: path, atomically: true, encoding: .utf8)
        return prompts
    }

    static func problems(_ prompts: String) -> [FileProblem] {
        do {
            _ = try AgentSet.load(directory: prompts)
            return []
        } catch {
            return error.problems
        }
    }

    @Test(arguments: [
        ("rh.md", "tools: [\"handoff\", \"summarize\"]", "tools: [\"handoff\", \"launch_rockets\"]", "unknown tool 'launch_rockets'"),
        ("vendas.md", "id: \"vendas\"", "id: \"rh\"", "agent id 'rh' is already used"),
        ("textos.yaml", "Da última vez você estava falando com {{agent}}", "Da última vez você estava falando com {{agente}}", "unknown template variable '{{agente}}'"),
        ("caixa.md", "# Fluxo de Caixa", "# Fluxo de Caixa de {{business.nome}}", "unknown template variable '{{business.nome}}'"),
        ("negocio.yaml", "time_zone: \"America/Sao_Paulo\"", "time_zone: \"Brasil/Sao Paulo\"", "not an IANA time zone"),
        ("financeiro.md", "temperature", "temperature", "temperature"),
    ])
    func mistakesAreReportedWithTheirFile(file: String, original: String, replacement: String, message: String) throws {
        if original == "temperature" {
            // No temperature in the shipped files: add a bad one.
            let prompts = try Self.folder(editing: file) { $0.replacingOccurrences(of: "language: \"pt\"\n", with: "language: \"pt\"\ntemperature: \"hot\"\n") }
            let problem = try #require(Self.problems(prompts).first)
            let shipped = try String(contentsOfFile: Repository.prompts + "/" + file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            let line = try #require(shipped.firstIndex(of: "language: \"pt\"")) + 2
            #expect(problem.file.hasSuffix(file) && problem.line == line && problem.message.contains("temperature must be a number"), "\(problem)")
            return
        }
        let prompts = try Self.folder(editing: file) { text in
            #expect(text.contains(original), "the shipped \(file) changed; update this test's sample")
            return text.replacingOccurrences(of: original, with: replacement)
        }
        let problems = Self.problems(prompts)
        #expect(problems.contains { $0.file.hasSuffix(file) && $0.message.contains(message) }, "\(problems)")
        if !file.hasSuffix(".md") || replacement.contains("{{") {
            #expect(problems.allSatisfy { $0.line != nil }, "\(problems)")
        }
    }

    @Test func agentsWhoseIntentsOverlapAreReported() async throws {
        // vendas learns financeiro's examples as well: the two can no longer be told apart.
        let finance = try String(contentsOfFile: Repository.prompts + "/financeiro.md", encoding: .utf8)
        let lines = finance.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex(of: "intents:"))
        let end = try #require(lines[(start + 1)...].firstIndex { !$0.hasPrefix(" ") && !$0.isEmpty })
        let financeIntents = lines[(start + 1)..<end].joined(separator: "\n").replacingOccurrences(of: "id: \"", with: "id: \"copia_")
        let prompts = try Self.folder(editing: "vendas.md") { $0.replacingOccurrences(of: "intents:\n", with: "intents:\n" + financeIntents + "\n") }
        let set = try AgentSet.load(directory: prompts)
        #expect(set.library.warnings.contains { $0.message.contains("overlap") && ($0.file.hasSuffix("financeiro.md") || $0.file.hasSuffix("vendas.md")) }, "\(set.library.warnings)")
        #expect(try await Repository.agents().library.warnings.isEmpty, "the shipped prompts should not overlap")
    }

    /// A textos.yaml written before `booking_offer_exact` existed still loads, and says the
    /// general offer instead; a text every version has stays required.
    @Test func aTextAddedLaterFallsBackAndAnOlderTextStaysRequired() throws {
        let older = try Self.folder(editing: "textos.yaml") { text in
            let start = try! #require(text.range(of: "booking_offer_exact:\n"))
            let end = try! #require(text.range(of: "\n\n", range: start.upperBound..<text.endIndex))
            return text.replacingCharacters(in: start.lowerBound..<end.upperBound, with: "")
        }
        let texts = try AgentSet.load(directory: older).library.texts
        let values = ["service": "Manicure", "hold_minutes": "10", "date": "quinta, 26/11", "time": "10:00"]
        #expect(!texts.text(.bookingOfferExact, .pt, values).isEmpty)
        #expect(texts.text(.bookingOfferExact, .pt, values) == texts.text(.bookingOffer, .pt, values))

        let broken = try Self.folder(editing: "textos.yaml") { $0.replacingOccurrences(of: "booking_offer:\n", with: "booking_offer_old:\n") }
        #expect(Self.problems(broken).contains { $0.file.hasSuffix("textos.yaml") }, "\(Self.problems(broken))")
    }

    @Test func aMissingBusinessProfileIsNamed() throws {
        let prompts = try Self.folder(editing: "negocio.yaml") { $0 }
        try FileManager.default.removeItem(atPath: prompts + "/negocio.yaml")
        #expect(Self.problems(prompts).contains { $0.file.hasSuffix("negocio.yaml") && $0.message.contains("cannot read the business profile") })
    }
}
