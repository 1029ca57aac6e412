import AtendeUnderstanding
import Testing

@Suite struct TextNormalizerTests {
    @Test(arguments: [
        ("Olá, tudo bem?", ["ola", "tudo", "bem"]),
        ("oiii 😀 obrigadaaa!!", ["oi", "obrigada"]),
        ("AMANHÃ às 15h", ["amanha", "as", "15h"]),
        ("carro cool", ["carro", "cool"]),
    ])
    func foldsChatText(input: String, expected: [String]) {
        #expect(TextNormalizer.words(input) == expected)
    }
}
