import AtendeCore

/// What a turn's answer becomes on the platforms: the outbox entries to store with the turn, and
/// the "typing…" request. The reply follows its channel's rules (choices as buttons, a list or
/// numbered text, long text split, long choice ids as tokens); a handoff uses the platform's own
/// actions where the adapter has them (Chatwoot: open the conversation, a private note, a team);
/// a notice for the team is a private note; both also go to the business's notification chat
/// when one is configured. The turn worker stores what this returns and knows no platform.
public struct AnswerRenderer: Sendable {
    let channels: [String: Channel]
    /// The business's notification chat (`handoff.notify_channel`, `handoff.notify_chat`).
    let notifyChannelID: String?
    let notifyChat: String?

    public init(channels: [String: Channel], notifyChannelID: String?, notifyChat: String?) {
        self.channels = channels
        self.notifyChannelID = notifyChannelID
        self.notifyChat = notifyChat
    }

    /// The platforms' acknowledgements of the contact's messages (a read receipt, a reaction),
    /// sent whatever the answer.
    public func acknowledgements(of messages: [StoredMessage]) -> [OutboxDraft] {
        messages.compactMap { message in
            message.acknowledgement.map { OutboxDraft(action: $0.action, values: $0.values, replyText: nil, traceID: message.traceID) }
        }
    }

    /// Every outbox entry of `answer` in `channel`'s conversation `conversation`.
    public func drafts(for answer: TurnAnswer, in channel: Channel, conversation: String, traceID: String) -> [OutboxDraft] {
        var drafts: [OutboxDraft] = []
        if let reply = answer.reply {
            drafts += channel.drafts(for: reply, conversation: conversation, traceID: traceID)
        }
        if let handoff = answer.handoff {
            drafts += handoffDrafts(handoff, channel: channel, conversation: conversation, traceID: traceID)
        }
        if let notice = answer.teamNotice {
            drafts += teamNoticeDrafts(notice, channel: channel, conversation: conversation, traceID: traceID)
        }
        return drafts
    }

    /// "typing…" in the conversation, where the adapter has a `typing` action; `nil` otherwise.
    public func typingRequest(in channel: Channel, conversation: String, messageID: String?) -> OutboundRequest? {
        guard channel.definition.outbound[AdapterDefinition.typingAction] != nil else { return nil }
        var values: [String: JSONValue] = ["conversation": .string(conversation)]
        if let messageID { values["message_id"] = .string(messageID) }
        return try? channel.request(action: AdapterDefinition.typingAction, values: values)
    }

    func handoffDrafts(_ handoff: Handoff, channel: Channel, conversation: String, traceID: String) -> [OutboxDraft] {
        var drafts: [OutboxDraft] = []
        let outbound = channel.definition.outbound
        let chat: [String: JSONValue] = ["conversation": .string(conversation)]
        if outbound[AdapterDefinition.handoffAction] != nil {
            drafts.append(OutboxDraft(action: AdapterDefinition.handoffAction, values: chat, replyText: nil, traceID: traceID))
        }
        if outbound[AdapterDefinition.privateNoteAction] != nil {
            drafts.append(OutboxDraft(
                action: AdapterDefinition.privateNoteAction, values: chat.merging(["text": .string(handoff.note)]) { $1 }, replyText: nil, traceID: traceID
            ))
        }
        if outbound[AdapterDefinition.assignTeamAction] != nil, channel.settings[AdapterDefinition.teamSetting]?.isEmpty == false {
            drafts.append(OutboxDraft(action: AdapterDefinition.assignTeamAction, values: chat, replyText: nil, traceID: traceID))
        }
        return drafts + notificationDrafts(handoff.notification, traceID: traceID)
    }

    func teamNoticeDrafts(_ notice: String, channel: Channel, conversation: String, traceID: String) -> [OutboxDraft] {
        var drafts: [OutboxDraft] = []
        if channel.definition.outbound[AdapterDefinition.privateNoteAction] != nil {
            drafts.append(OutboxDraft(
                action: AdapterDefinition.privateNoteAction, values: ["conversation": .string(conversation), "text": .string(notice)],
                replyText: nil, traceID: traceID
            ))
        }
        return drafts + notificationDrafts(notice, traceID: traceID)
    }

    /// `text` to the business's notification chat, if one is configured.
    func notificationDrafts(_ text: String, traceID: String) -> [OutboxDraft] {
        guard let notifyChannelID, let notifyChat, let notifyChannel = channels[notifyChannelID] else { return [] }
        return notifyChannel.drafts(for: Reply(text: text), conversation: notifyChat, traceID: traceID).map { draft in
            var draft = draft
            draft.channelID = notifyChannelID
            // Kept out of the conversation's transcript: the contact never sees it.
            draft.replyText = nil
            return draft
        }
    }
}
