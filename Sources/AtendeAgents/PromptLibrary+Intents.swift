import AtendeUnderstanding

extension PromptLibrary {
    /// What the intent classifier learns: one route per agent (its intents as topics) and one
    /// per control intent.
    public var intentRoutes: [IntentRoute] {
        intentRoutes(for: .all)
    }

    /// The routes a contact of `audience` can reach: agents for that audience or for all, and the
    /// control intents; `.all` is every route.
    public func intentRoutes(for audience: Agent.Audience) -> [IntentRoute] {
        let reachable = agents.filter { audience == .all || $0.audience == .all || $0.audience == audience }
        let agentRoutes = reachable.filter { !$0.intents.isEmpty }.map { agent in
            IntentRoute(id: agent.id, topics: agent.intents.map { IntentTopic(id: $0.id, examples: $0.examples, keywords: $0.keywords) })
        }
        let controlRoutes = control.intents.map { intent in
            IntentRoute(id: intent.id, topics: [IntentTopic(id: intent.id, examples: intent.examples, keywords: intent.keywords)])
        }
        return agentRoutes + controlRoutes
    }
}
