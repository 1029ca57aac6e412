import AtendeUnderstanding
import Testing

@Suite struct ContactDetailsTests {
    @Test(arguments: [
        ("meu email é Ana.Souza@Gmail.com, obrigada", ["ana.souza@gmail.com"]),
        ("manda pra joao+loja@empresa.com.br.", ["joao+loja@empresa.com.br"]),
        ("emails: a@b.co e x_y@sub.dominio.org", ["a@b.co", "x_y@sub.dominio.org"]),
        ("me acha no @insta_da_loja", []),
        ("ana@gmail", []),
        ("ana@@gmail.com", []),
        ("ana@-gmail.com", []),
        ("ana.@gmail.com", []),
        ("preço 10@20.5", []),
    ])
    func findsEmails(text: String, expected: [String]) {
        let found = EmailAddress.all(in: text)
        #expect(found.map(\.address) == expected)
        for email in found { #expect(text[email.range].lowercased() == email.address) }
    }

    @Test(arguments: [
        ("meu cel é (11) 98765-4321", "+5511987654321"),
        ("+55 11 98765 4321", "+5511987654321"),
        ("+55 (21) 9 8765-4321", "+5521987654321"),
        ("5511987654321", "+5511987654321"),
        ("11987654321", "+5511987654321"),
        ("liga no 21 3344-5566", "+552133445566"),
        ("fixo: (21) 3344.5566", "+552133445566"),
        ("011 98765-4321", "+5511987654321"),
        ("0xx11 98765 4321", "+5511987654321"),
        ("(11) 8765-4321", "+5511987654321"),  // old mobile, 9th digit restored
        ("wpp 11.98765.4321 pfv", "+5511987654321"),
        ("meu pix é 11 98765-4321", "+5511987654321"),
    ])
    func normalisesPhonesToE164(text: String, e164: String) {
        let phones = PhoneNumber.all(in: text)
        #expect(phones.map(\.e164) == [e164], "\(text)")
        if let phone = phones.first {
            #expect(text[phone.range].filter(\.isNumber).hasSuffix(phone.subscriber.suffix(8)))
        }
    }

    @Test func phoneWithoutAreaCodeUsesTheDefault() {
        #expect(PhoneNumber.all(in: "me liga 98765-4321").first?.e164 == nil)
        #expect(PhoneNumber.all(in: "me liga 98765-4321").first?.subscriber == "987654321")
        #expect(PhoneNumber.all(in: "me liga 98765-4321", defaultAreaCode: "31").first?.e164 == "+5531987654321")
        #expect(PhoneNumber.all(in: "fixo 3344-5566", defaultAreaCode: "31").first?.isMobile == false)
    }

    @Test func findsTwoPhones() {
        let phones = PhoneNumber.all(in: "(11) 98765-4321 ou (21) 3344-5566")
        #expect(phones.map(\.e164) == ["+5511987654321", "+552133445566"])
    }

    @Test(arguments: [
        "meu pedido 123456789 nao chegou",
        "numero do pedido: 98765432",
        "protocolo 2024112512345",
        "CPF 123.456.789-09",
        "cpf 12345678909",
        "CNPJ 12.345.678/0001-90",
        "custa R$ 1.234,56",
        "R$ 98765432",
        "paguei 2.500,00 ontem",
        "dia 25/11/2024 as 15:30",
        "25.11.2024",
        "2024-11-25",
        "CEP 01310-100",
        "às 14h30",
        "cresceu 12345678%",
        "nº 98765432",
        "11111111",
        "123",
    ])
    func otherNumbersAreNotPhones(text: String) {
        #expect(PhoneNumber.all(in: text).isEmpty, "\(text) → \(PhoneNumber.all(in: text).map(\.e164))")
    }

    @Test(arguments: [
        ("meu nome é Ana Souza", "Ana Souza", "Ana Souza"),
        ("Oi! Meu nome é ana souza e queria marcar", "ana souza", "Ana Souza"),
        ("me chamo joão", "joão", "João"),
        ("Me chamo Maria da Silva, tudo bem?", "Maria da Silva", "Maria da Silva"),
        ("oi, aqui é a Júlia", "Júlia", "Júlia"),
        ("Aqui é a Júlia da padaria", "Júlia", "Júlia"),
        ("sou o Pedro", "Pedro", "Pedro"),
        ("oi sou o pedro", "pedro", "Pedro"),
        ("My name is Mary Jane Watson", "Mary Jane Watson", "Mary Jane Watson"),
        ("Hi, this is Tom from the bakery", "Tom", "Tom"),
        ("I'm Ana", "Ana", "Ana"),
        ("pode me chamar de Bia", "Bia", "Bia"),
    ])
    func findsStatedNames(text: String, written: String, name: String) {
        let found = StatedName.first(in: text)
        #expect(found?.text == written, "\(text)")
        #expect(found?.name == name)
        if let found { #expect(String(text[found.range]) == written) }
    }

    @Test(arguments: [
        "sou de São Paulo",
        "sou cliente",
        "Sou cliente de vocês há anos",
        "aqui é o lugar certo?",
        "Aqui é o lugar certo pra marcar?",
        "this is urgent",
        "I'm looking for a haircut",
        "sou a dona do salao",
        "Sou da Bahia",
        "quero marcar um horario",
        "meu nome",
    ])
    func introductionsThatAreNotNames(text: String) {
        #expect(StatedName.first(in: text) == nil, "\(text) → \(StatedName.first(in: text)?.name ?? "")")
    }

    @Test func extractsEverythingTogether() {
        let text = "Oi, meu nome é Carla Dias, meu email é carla.dias@exemplo.com.br e o zap (31) 99876-5432"
        let details = ContactDetails.extract(from: text)
        #expect(details.name?.name == "Carla Dias")
        #expect(details.emails.map(\.address) == ["carla.dias@exemplo.com.br"])
        #expect(details.phones.map(\.e164) == ["+5531998765432"])
    }

    @Test func digitsInsideAnEmailAreNotAPhone() {
        let details = ContactDetails.extract(from: "ana11987654321@gmail.com")
        #expect(details.phones.isEmpty)
        #expect(details.emails.count == 1)
    }
}
