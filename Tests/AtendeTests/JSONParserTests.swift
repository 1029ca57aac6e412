import AtendeCore
import AtendeTestSupport
import Foundation
import Testing

@Suite struct JSONParserTests {
    @Test(arguments: [
        (#"{"a": 1, "b": [true, false, null], "c": {"d": "e"}}"#, JSONValue.object(["a": .int(1), "b": .array([.bool(true), .bool(false), .null]), "c": .object(["d": .string("e")])])),
        (#"  -12.5e2 "#, .double(-1250)),
        (#"9007199254740993"#, .int(9_007_199_254_740_993)),
        (#""olá \"mundo\" \n\t\/ \u00e9 \ud83d\ude00""#, .string("olá \"mundo\" \n\t/ é 😀")),
        (#"[]"#, .array([])),
        (#"{}"#, .object([:])),
        (#""emoji 😀 direto""#, .string("emoji 😀 direto")),
    ])
    func parsesValidDocuments(text: String, expected: JSONValue) {
        #expect(JSONValue.parse(Array(text.utf8)) == expected)
    }

    @Test(arguments: [
        #"{"a": 1"#, #"{"a" 1}"#, #"[1, 2,]"#, #"{"a": 1} x"#, #"01"#, #"1."#, #"-"#, #""\x""#, #""\ud83d""#, #"tru"#,
        "\"tab\there\"", #"{1: 2}"#, "", "   ",
    ])
    func rejectsInvalidDocuments(text: String) {
        #expect(JSONValue.parse(Array(text.utf8)) == nil)
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(JSONValue.parse(Array(deep.utf8)) == nil)
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(JSONValue.parse(Array(fine.utf8)) != nil)
    }

    /// Every real Telegram payload reads the same as Foundation's own decoder reads it.
    @Test(arguments: try FileManager.default.contentsOfDirectory(atPath: Repository.adapters + "/fixtures/telegram").filter { $0.hasSuffix(".json") })
    func agreesWithFoundationOnFixtures(name: String) throws {
        let text = try Repository.fixture("telegram", name)
        let reference = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(JSONValue.parse(Array(text.utf8)) == reference)
    }
}
