import AsyncHTTPClient
import AtendeCore

/// Builds the language model from `llm:` in atende.yaml.
enum LanguageModelClient {
    static func make(_ configuration: LLMConfiguration, model: String, httpClient: HTTPClient) -> any LanguageModel {
        fatalError("AtendeLLM is not wired yet")
    }
}
