import AtendeTestSupport
import Foundation
import Testing

/// `atende chat`, the real binary, fed lines on stdin: each answer comes with the agent that gave
/// it and why; a handoff silences the bot until the team gives the conversation back.
@Suite struct ChatCommandTests {
    @Test func aTerminalConversationShowsWhoAnsweredAndWhy() throws {
        let directory = try Repository.temporaryDirectory()
        try "paths: { adapters: \"\(Repository.adapters)\", prompts: \"\(Repository.prompts)\" }\n"
            .write(toFile: directory + "/atende.yaml", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: GatewayProcess.debugBinary)
        // As the owner: the team reaches the business advisers (a customer would not).
        process.arguments = ["chat", "--team", "--config", directory + "/atende.yaml", "--database", directory + "/chat.sqlite"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let lines = [
            "meu caixa tá negativo esse mês", "quero falar com um atendente", "alô?", "/team #robo", "how do I price my cakes?", "/quit",
        ]
        input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        let traces = text.split(separator: "\n").filter { $0.contains("↳") }.map(String.init)
        #expect(traces.count == 5, "\(text)")
        guard traces.count == 5 else { return }
        #expect(traces[0].contains("Fluxo de Caixa [routed]") && traces[0].contains("team") && traces[0].contains("route caixa"), "\(traces[0])")
        #expect(traces[1].contains("[control]") && traces[1].contains("owner: human"), "\(traces[1])")
        #expect(traces[2].contains("[silent:human]"), "\(traces[2])")
        #expect(traces[3].contains("[ownership:bot]"), "\(traces[3])")
        #expect(traces[4].contains("Consultoria Financeira [routed]"), "\(traces[4])")
        #expect(text.contains("(no answer)"))
    }
}
