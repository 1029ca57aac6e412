/// The shorthand of WhatsApp and Telegram chats written out, so that "vc pode amanha?" and
/// "voce pode amanha?" look the same to the classifier and the extractors.
///
/// Keys are folded words (lowercase, no accents, emphasis squeezed), as `TextNormalizer.words`
/// returns them. Only unambiguous shorthand is listed: "to" (estou / English "to"), "ce",
/// "end" or "cd" are left alone because the longer reading would be wrong too often.
public enum ChatAbbreviations {
    public static let table: [String: [String]] = [
        // pt-BR
        "vc": ["voce"], "vcs": ["voces"], "voc": ["voce"], "oce": ["voce"],
        "q": ["que"], "oq": ["o", "que"], "pq": ["porque"],
        "pra": ["para"], "pro": ["para", "o"], "pras": ["para", "as"], "pros": ["para", "os"], "p": ["para"],
        "c": ["com"], "s": ["sem"], "d": ["de"],
        "tb": ["tambem"], "tbm": ["tambem"], "tmb": ["tambem"], "tbem": ["tambem"],
        "td": ["tudo"], "tds": ["todos"], "tdo": ["tudo"],
        "blz": ["beleza"], "bz": ["beleza"],
        "msg": ["mensagem"], "msgs": ["mensagens"], "mensage": ["mensagem"],
        "hj": ["hoje"], "hje": ["hoje"],
        "amnh": ["amanha"], "amn": ["amanha"], "amanh": ["amanha"],
        "n": ["nao"], "naum": ["nao"], "nn": ["nao"], "nops": ["nao"],
        "obg": ["obrigado"], "obgd": ["obrigado"], "obgda": ["obrigada"], "obgdo": ["obrigado"], "brigado": ["obrigado"], "brigada": ["obrigada"],
        "vlw": ["valeu"], "vlww": ["valeu"], "valew": ["valeu"],
        "pfv": ["por", "favor"], "pfvr": ["por", "favor"], "pf": ["por", "favor"], "pls": ["please"], "plz": ["please"], "plis": ["por", "favor"],
        "qto": ["quanto"], "qnto": ["quanto"], "qnt": ["quanto"], "qt": ["quanto"], "qta": ["quanta"], "qts": ["quantos"], "qntos": ["quantos"], "qntas": ["quantas"],
        "qdo": ["quando"], "qnd": ["quando"], "qndo": ["quando"], "qd": ["quando"],
        "cmg": ["comigo"], "ctg": ["contigo"], "ctz": ["certeza"],
        "agr": ["agora"], "agra": ["agora"],
        "mt": ["muito"], "mto": ["muito"], "mta": ["muita"], "mts": ["muitos"], "mtas": ["muitas"],
        "dps": ["depois"], "dpois": ["depois"], "dp": ["depois"],
        "qr": ["quer"], "qro": ["quero"], "qria": ["queria"], "kero": ["quero"], "keria": ["queria"],
        "kd": ["cade"], "aq": ["aqui"], "aki": ["aqui"], "tah": ["ta"], "eh": ["e"], "neh": ["ne"],
        "tava": ["estava"], "nd": ["nada"], "ngm": ["ninguem"], "alg": ["alguem"], "algm": ["alguem"],
        "vdd": ["verdade"], "fds": ["fim", "de", "semana"], "dnv": ["de", "novo"], "sdds": ["saudades"],
        "hr": ["hora"], "hrs": ["horas"], "hrario": ["horario"], "horaro": ["horario"],
        "vlr": ["valor"], "pgto": ["pagamento"], "pgt": ["pagamento"], "pgmt": ["pagamento"], "pagto": ["pagamento"],
        "cel": ["celular"], "tel": ["telefone"], "fone": ["telefone"], "zap": ["whatsapp"], "zapzap": ["whatsapp"], "wpp": ["whatsapp"], "whats": ["whatsapp"], "wts": ["whatsapp"],
        "orc": ["orcamento"], "orcam": ["orcamento"], "info": ["informacao"], "infos": ["informacoes"],
        "bjs": ["beijos"], "bj": ["beijo"], "abs": ["abraco"],
        "sab": ["sabado"], "dom": ["domingo"], "seg": ["segunda"], "qua": ["quarta"], "qui": ["quinta"], "sex": ["sexta"],
        "bdia": ["bom", "dia"], "btarde": ["boa", "tarde"], "bnoite": ["boa", "noite"],
        "oie": ["oi"], "oii": ["oi"], "eae": ["e", "ai"], "eai": ["e", "ai"], "iae": ["e", "ai"],
        "okk": ["ok"], "oks": ["ok"], "okay": ["ok"], "okey": ["ok"], "blza": ["beleza"],
        "sla": ["sei", "la"], "tlgd": ["ta", "ligado"], "mds": ["meu", "deus"],
        // English
        "u": ["you"], "ur": ["your"], "thx": ["thanks"], "tks": ["thanks"], "ty": ["thanks"], "tnx": ["thanks"], "thanx": ["thanks"],
        "im": ["i", "am"], "ive": ["i", "have"], "dont": ["do", "not"], "cant": ["can", "not"], "wont": ["will", "not"],
        "didnt": ["did", "not"], "doesnt": ["does", "not"], "isnt": ["is", "not"], "wanna": ["want", "to"], "gonna": ["going", "to"],
        "appt": ["appointment"], "tmrw": ["tomorrow"], "tmr": ["tomorrow"], "tomorow": ["tomorrow"], "2moro": ["tomorrow"], "2day": ["today"],
        "b4": ["before"], "pic": ["picture"], "asap": ["as", "soon", "as", "possible"], "btw": ["by", "the", "way"],
    ]

    /// `words` with every listed abbreviation replaced by its words.
    public static func expand(_ words: [String]) -> [String] {
        var expanded: [String] = []
        expanded.reserveCapacity(words.count + 2)
        for word in words {
            if let replacement = table[word] {
                expanded.append(contentsOf: replacement)
            } else {
                expanded.append(word)
            }
        }
        return expanded
    }
}
