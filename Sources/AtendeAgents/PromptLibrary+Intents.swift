import AtendeUnderstanding

extension PromptLibrary {
    /// What the intent classifier learns: one route per agent (its intents as topics) and one
    /// per control intent.
    public var intentRoutes: [IntentRoute] {
        let agentRoutes = agents.filter { !$0.intents.isEmpty }.map { agent in
            IntentRoute(id: agent.id, topics: agent.intents.map { IntentTopic(id: $0.id, examples: $0.examples, keywords: $0.keywords) })
        }
        let controlRoutes = control.intents.map { intent in
            IntentRoute(id: intent.id, topics: [IntentTopic(id: intent.id, examples: intent.examples, keywords: intent.keywords)])
        }
        return agentRoutes + controlRoutes
    }
}
