import AtendeCore

/// The JSON form of what an adapter made of a payload: what `atende map` prints and what each
/// fixture's `.expected.json` holds, so a new adapter is tested with no Swift.
public enum NormalizedEvents {
    public static func json(_ mapped: MappedPayload) -> JSONValue {
        switch mapped {
        case .ignored(let reason): return .object(["ignored": .string(reason)])
        case .events(let events): return .object(["events": .array(events.map(json))])
        }
    }

    static func json(_ event: InboundEvent) -> JSONValue {
        var fields: [String: JSONValue] = [
            "kind": .string(event.kind.rawValue),
            "id": .string(event.platformEventID),
            "conversation": .string(event.conversation),
            "text": .string(event.text),
        ]
        var sender: [String: JSONValue] = ["id": .string(event.sender.id)]
        if let name = event.sender.name { sender["name"] = .string(name) }
        if let phone = event.sender.phone { sender["phone"] = .string(phone) }
        if let alternate = event.sender.alternateID { sender["alternate_id"] = .string(alternate) }
        fields["sender"] = .object(sender)
        if let choice = event.choiceID { fields["choice"] = .string(choice) }
        if let language = event.language { fields["language"] = .string(language) }
        if let target = event.target { fields["target"] = .string(target) }
        if let status = event.status { fields["status"] = .string(status) }
        if let media = event.media {
            var object: [String: JSONValue] = ["type": .string(media.type)]
            if let mime = media.mimeType { object["mime_type"] = .string(mime) }
            if let handle = media.handle { object["handle"] = .string(handle) }
            fields["media"] = .object(object)
        }
        if let acknowledgement = event.acknowledgement {
            fields["acknowledge"] = .object(["action": .string(acknowledgement.action), "values": .object(acknowledgement.values)])
        }
        return .object(fields)
    }
}
