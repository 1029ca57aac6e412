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

    /// Numbers beyond Int64 and Double are read without a trap, and what reads them as text gets something sane.
    @Test(arguments: ["1e400", "-1e400", "99999999999999999999999999", "-9223372036854775809", "1e-400", "123456789012345678901234567890.5"])
    func hugeNumbersParseWithoutATrap(text: String) throws {
        let value = try #require(JSONValue.parse(Array(text.utf8)))
        let scalar = try #require(value.scalarText)
        #expect(!scalar.isEmpty)
        #expect(Int64(scalar) == nil || text.contains("e-"), "\(text) read as a whole Int64: \(scalar)")
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

    @Test("writing: compact, keys sorted, only what JSON requires escaped", arguments: [
        (JSONValue.object(["b": .int(1), "a": .array([.bool(true), .null, .double(2.5)])]), #"{"a":[true,null,2.5],"b":1}"#),
        (.string("aspas \" barra \\ / nova\nlinha \t tab \u{1} olá 😀 e\u{301}"), #""aspas \" barra \\ / nova\nlinha \t tab \u0001 olá 😀 é""#),
        (.string("\"\u{301}"), #""\"\#u{301}""#),
        (.double(.nan), "null"),
        (.object([:]), "{}"),
    ])
    func writesCompactJSON(value: JSONValue, expected: String) {
        #expect(value.encodedString() == expected)
    }

    /// What is written reads back as the same value, for every real payload of every platform.
    @Test(arguments: try FileManager.default.subpathsOfDirectory(atPath: Repository.adapters + "/fixtures").filter { $0.hasSuffix(".json") })
    func writtenPayloadsReadBackTheSame(path: String) throws {
        let text = try String(contentsOfFile: Repository.adapters + "/fixtures/" + path, encoding: .utf8)
        let value = try #require(JSONValue.parse(Array(text.utf8)))
        #expect(JSONValue.parse(Array(value.encodedString().utf8)) == value)
    }
}
