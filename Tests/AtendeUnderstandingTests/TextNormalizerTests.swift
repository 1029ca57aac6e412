import AtendeUnderstanding
import Testing

@Suite struct TextNormalizerTests {
    @Test(arguments: [
        ("Olá, tudo bem?", ["ola", "tudo", "bem"]),
        ("oiii 😀 obrigadaaa!!", ["oi", "obrigada"]),
        ("AMANHÃ às 15h", ["amanha", "as", "15h"]),
        ("carro cool", ["carro", "cool"]),
        ("simm naoo blzz oii", ["sim", "nao", "blz", "oi"]),
        ("I'll call, see you all", ["ill", "call", "see", "you", "all"]),
        ("CONFIRMAÇÃO façam coração", ["confirmacao", "facam", "coracao"]),
        ("nº 2000", ["no", "2000"]),
        ("Ação decomposta: Ac\u{0327}a\u{0303}o", ["acao", "decomposta", "acao"]),
        ("👍🙏🏽", []),
        ("", []),
    ])
    func foldsChatText(input: String, expected: [String]) {
        #expect(TextNormalizer.words(input) == expected)
    }

    @Test(arguments: [
        ("vc pode amanha?", ["voce", "pode", "amanha"]),
        ("pfv me manda a msg hj", ["por", "favor", "me", "manda", "a", "mensagem", "hoje"]),
        ("q horas vcs abrem tb sab", ["que", "horas", "voces", "abrem", "tambem", "sabado"]),
        ("ñ consigo, obg", ["nao", "consigo", "obrigado"]),
        ("qto custa? qdo posso ir? td blz", ["quanto", "custa", "quando", "posso", "ir", "tudo", "beleza"]),
        ("ctz q ta cmg agr", ["certeza", "que", "ta", "comigo", "agora"]),
        ("thx u r great", ["thanks", "you", "r", "great"]),
    ])
    func expandsChatAbbreviations(input: String, expected: [String]) {
        #expect(TextNormalizer.chatWords(input) == expected)
    }

    @Test(arguments: [
        (["agendar", "agendamento", "agendado", "agendada"], Language.pt),
        (["cancelar", "cancelamento", "cancelado"], Language.pt),
        (["pagamento", "pagar", "pagamentos"], Language.pt),
        (["horario", "horarios"], Language.pt),
        (["booking", "booked", "books", "book"], Language.en),
        (["scheduling", "scheduled", "schedule"], Language.en),
    ])
    func stemsInflectionsTogether(words: [String], language: Language) {
        let stems = Set(words.map { Stemmer.stem($0, language: language) })
        #expect(stems.count == 1, "\(words) → \(stems)")
    }

    @Test func stemmerLeavesShortWordsAndNumbersAlone() {
        #expect(Stemmer.stem("oi", language: .pt) == "oi")
        #expect(Stemmer.stem("mais", language: .pt) == "mais")
        #expect(Stemmer.stem("15h", language: .pt) == "15h")
    }

    @Test(arguments: [
        ("oi, tudo bem?", Language.pt),
        ("vc tem horario amanha?", Language.pt),
        ("qto custa", Language.pt),
        ("Não consigo pagar o boleto", Language.pt),
        ("can I book for friday?", Language.en),
        ("hi, how much is it", Language.en),
        ("thx", Language.en),
        ("I need to talk to someone", Language.en),
        ("what time do you open tomorrow", Language.en),
        ("confirmação", Language.pt),
    ])
    func guessesLanguage(text: String, expected: Language) {
        #expect(LanguageGuess.guess(text, fallback: expected == .pt ? .en : .pt) == expected)
    }

    @Test func languageGuessFallsBackWithoutEvidence() {
        #expect(LanguageGuess.guess("ok 👍", fallback: .en) == .en)
        #expect(LanguageGuess.guess("ok 👍", fallback: .pt) == .pt)
        #expect(LanguageGuess.guess("", fallback: .pt) == .pt)
    }
}
