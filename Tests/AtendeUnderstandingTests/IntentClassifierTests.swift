import AtendeUnderstanding
import Testing

/// Behaviour of the classifier on small inline route sets; accuracy on the real prompts is in
/// RoutingHoldoutTests.
@Suite struct IntentClassifierTests {
    static let routes: [IntentRoute] = [
        IntentRoute(id: "agenda", topics: [
            IntentTopic(id: "marcar", examples: [
                "queria marcar um horario", "tem horario amanha?", "quero agendar um corte", "posso marcar pra sexta?",
                "can I book for friday?", "I'd like to book an appointment", "da pra agendar sabado de manha?", "tem vaga hoje a tarde?",
            ], keywords: ["agendar"]),
            IntentTopic(id: "cancelar", examples: [
                "preciso cancelar meu horario", "quero desmarcar", "nao vou poder ir, cancela pra mim", "cancel my appointment please",
                "desmarca o de amanha", "vou ter que cancelar",
            ]),
        ]),
        IntentRoute(id: "financeiro", topics: [
            IntentTopic(id: "pagamento", examples: [
                "como faço pra pagar?", "aceita pix?", "qual a chave pix", "manda o boleto", "posso pagar no cartao?",
                "do you take credit card?", "quero a segunda via do boleto", "paguei mas nao caiu",
            ], keywords: ["boleto", "pix"]),
            IntentTopic(id: "preco", examples: [
                "quanto custa o corte?", "qual o valor da escova", "how much is a haircut", "preço da manicure",
                "quanto ta a progressiva", "tabela de precos",
            ]),
        ]),
        IntentRoute(id: "geral", topics: [
            IntentTopic(id: "saudacao", examples: ["oi", "ola", "bom dia", "boa tarde", "hello", "hi there", "e ai, tudo bem?", "boa noite"]),
            IntentTopic(id: "agradecimento", examples: ["obrigado", "valeu", "thanks", "brigada, ate mais", "muito obrigada!", "tchau"]),
        ]),
        IntentRoute(id: "humano", topics: [
            IntentTopic(id: "humano", examples: [
                "quero falar com um atendente", "tem alguem ai de verdade?", "me passa pra uma pessoa", "I want to talk to a human",
                "chama o dono", "atendente por favor",
            ], keywords: ["atendente", "falar com uma pessoa", "human"]),
        ]),
    ]

    static let classifier = IntentClassifier(routes: routes)

    @Test(arguments: [
        ("queria marcar um horario pra amanha", "agenda"),
        ("queria mracar um horairo", "agenda"),  // typos
        ("vc tem vaga amanha?", "agenda"),  // chat spelling
        ("QUERO AGENDAR!!!", "agenda"),
        ("I'd like to book for monday", "agenda"),
        ("preciso cancelar o de amanha", "agenda"),
        ("aceita pix?", "financeiro"),
        ("qto custa a escova", "financeiro"),
        ("me manda o boleto pfv", "financeiro"),
        ("oiii, bom diaaa", "geral"),
        ("valeu, obg", "geral"),
        ("quero falar com uma pessoa", "humano"),
        ("atendente", "humano"),
    ])
    func routes(text: String, expected: String) {
        let result = Self.classifier.classify(text)
        #expect(result.route == expected, "\(text) → \(result.route) \(result.score)")
    }

    @Test func sumsTopicsOfARoute() {
        let result = Self.classifier.classify("queria marcar um horario pra amanha")
        #expect(result.topic == "marcar")
        #expect(result.score >= Self.classifier.classify("queria marcar um horario pra amanha").candidates[0].score)
        #expect(abs(result.candidates.map(\.score).reduce(0, +) - 1) < 1e-9)
        #expect(result.runnerUp?.route != "agenda")
    }

    @Test func keywordsAreAStrongSignal() {
        // One word, seen only as a keyword of "pagamento": the boost decides it.
        let result = Self.classifier.classify("boleto")
        #expect(result.route == "financeiro")
        #expect(result.topic == "pagamento")
        #expect(result.confident)
    }

    @Test func keywordsComeFromTheData() {
        // The same word without being a keyword of anything scores lower.
        var routes = Self.routes
        routes[1].topics[0].keywords = []
        let plain = IntentClassifier(routes: routes).classify("boleto")
        #expect(plain.score < Self.classifier.classify("boleto").score)
    }

    @Test(arguments: ["", "   ", "👍", "🙏🏽🙏🏽", "?!", "xqzwv"])
    func nothingToGoOnIsGeralAndNotConfident(text: String) {
        let result = Self.classifier.classify(text)
        #expect(result.route == "geral")
        #expect(!result.confident)
    }

    @Test func closeCallsAreNotConfident() {
        // Two routes taught the very same phrase: whatever wins, it must not be sure.
        let routes = [
            IntentRoute(id: "agenda", topics: [IntentTopic(id: "a", examples: ["quero saber do meu horario", "corte de cabelo"])]),
            IntentRoute(id: "caixa", topics: [IntentTopic(id: "b", examples: ["quero saber do meu horario", "fechamento mensal"])]),
        ]
        let result = IntentClassifier(routes: routes).classify("quero saber do meu horario")
        #expect(!result.confident)
        #expect(abs(result.score - (result.runnerUp?.score ?? 0)) < 0.2)
    }

    @Test func detectsTheLanguage() {
        #expect(Self.classifier.classify("can I book for friday?").language == .en)
        #expect(Self.classifier.classify("posso marcar pra sexta?").language == .pt)
    }

    @Test func sameExamplesGiveTheSameModel() {
        let first = IntentClassifier(routes: Self.routes)
        let second = IntentClassifier(routes: Self.routes)
        #expect(first.temperature == second.temperature)
        for text in ["queria marcar", "aceita pix", "oi", "falar com alguem", "random words here"] {
            #expect(first.classify(text) == second.classify(text))
        }
    }

    @Test func scoresAreProbabilities() {
        for text in ["queria marcar", "aceita pix", "oi", "xyz abc", "falar com atendente"] {
            let result = Self.classifier.classify(text)
            #expect(result.score >= 0 && result.score <= 1)
            #expect(result.candidates.count == Self.routes.count)
        }
    }

    @Test func settingsDecideConfidence() {
        let strict = IntentClassifier(routes: Self.routes, settings: IntentSettings(threshold: 1.01, margin: 0))
        #expect(!strict.classify("queria marcar um horario").confident)
        let lax = IntentClassifier(routes: Self.routes, settings: IntentSettings(threshold: 0, margin: 0))
        #expect(lax.classify("queria marcar um horario").confident)
    }

    @Test func taxDASIsNotThePreposition() {
        // "das" is both the MEI's monthly tax and the commonest preposition; the classifier reads
        // it as the tax only after "o", "paguei", "my"… or before "do mei", "atrasado", and not
        // when a time follows.
        let classifier = IntentClassifier(routes: [
            IntentRoute(id: "agenda", topics: [IntentTopic(id: "confirmar", examples: [
                "pode ser a das 10", "quero o das 15h", "fico com a das 9", "das 14 as 15 ta bom", "a das 11 serve",
            ])]),
            IntentRoute(id: "financeiro", topics: [IntentTopic(id: "impostos", examples: [
                "quanto e o das do mei", "paguei o das atrasado", "como emito o das", "o das aumentou", "my DAS is late",
            ])]),
        ])
        #expect(classifier.classify("o das vence quando?").route == "financeiro")
        #expect(classifier.classify("DAS atrasado tem multa?").route == "financeiro")
        #expect(classifier.classify("prefiro o das 16h").route == "agenda")
        #expect(classifier.classify("pode ser das 8").route == "agenda")
    }

    @Test func thirteenthSalaryIsNotJustANumber() {
        // Digits are reduced to their shape ("15h" and "9h" look alike), but "13" after "do",
        // "o", "no"… and "13º", "13th" are the 13th salary: a payroll question, not a bill.
        let classifier = IntentClassifier(routes: [
            IntentRoute(id: "caixa", topics: [IntentTopic(id: "contas", examples: [
                "a parcela do fornecedor vence dia 15", "paguei 12 reais de estacionamento", "quando vence o boleto da luz?",
                "tenho 3 parcelas pra pagar essa semana", "anota 20 reais de gasolina", "the supplier invoice is due on the 10th",
            ])]),
            IntentRoute(id: "rh", topics: [IntentTopic(id: "folha", examples: [
                "como calculo o 13º da funcionaria", "decimo terceiro tem desconto de inss?", "a comissao entra no 13o?",
                "how do i calculate the 13th salary", "funcionaria pediu adiantamento do salario",
            ])]),
        ])
        #expect(classifier.classify("quanto da o 13 de quem entrou em julho?").route == "rh")
        #expect(classifier.classify("when is the 13th due?").route == "rh")
        #expect(classifier.classify("a parcela 2 vence dia 13").route == "caixa")
    }

    @Test func conceptsCarryAcrossLanguages() {
        // "conecta" and "suporte" are in no example: their concepts are those of "connect" and
        // "support", which the humano examples have.
        let classifier = IntentClassifier(routes: [
            IntentRoute(id: "geral", topics: [IntentTopic(id: "negocio", examples: [
                "onde fica a loja de vcs?", "vcs abrem sabado?", "qual o telefone de vcs", "aceitam cartao?", "vcs fazem entrega?",
            ])]),
            IntentRoute(id: "humano", topics: [IntentTopic(id: "humano", examples: [
                "connect me with support", "i want to talk to a person", "transfer me to an agent", "get me a human please",
            ])]),
        ])
        #expect(classifier.classify("me conecta com o suporte").route == "humano")
    }

    @Test func crossValidationReportsEveryRoute() {
        let report = IntentEvaluation.crossValidate(routes: Self.routes, folds: 3)
        #expect(report.total == Self.routes.flatMap(\.topics).flatMap(\.examples).count)
        #expect(report.perRoute.map(\.route) == Self.routes.map(\.id))
        #expect(report.confusion.count == Self.routes.count)
        #expect(report.accuracy > 0.6)
        #expect(report.description.contains("confusion"))
        // Deterministic folds: the same report twice.
        #expect(IntentEvaluation.crossValidate(routes: Self.routes, folds: 3) == report)
    }
}
