/// Words that mean the same thing for routing, in Portuguese and English: each group becomes one
/// extra feature of a message, next to the word's own features.
///
/// The examples of a topic are a few dozen messages, so most words of a new message were never
/// seen with its topic: "me conecta com o suporte" shares nothing with "connect me with support",
/// nor "dar sequencia" with "continua". A group ties a word to the others of its meaning, across
/// the two languages, so the weights learnt for "support" also speak for "suporte", and what a
/// topic learnt from its English examples also counts for its Portuguese ones.
///
/// Words are matched whole, as `TextNormalizer` folds them (lowercase, no accents) after chat
/// shorthand is expanded, so each form is listed: matching stems instead would tie "para" to
/// "paramos", "isso" to "ISS" and "funciona" to "funcionario". Only words whose meaning does not
/// depend on the context go in a group: "vaga" (a free slot or a job opening), "receita"
/// (revenue, the tax office or a recipe), "time" (a team or the time) and "passar" (to move a
/// booking or to hand over) are left out.
public enum IntentConcepts {
    static let groups: [(concept: String, words: [String])] = [
        // Control: a person, not the bot.
        ("pessoa", ["atendente", "atendentes", "humano", "humana", "humanos", "human", "humans", "pessoa", "pessoas", "person", "alguem", "someone", "somebody", "anyone", "anybody", "operador", "operadora", "operator", "representante", "representative"]),
        ("responsavel", ["gerente", "manager", "dono", "dona", "donos", "owner", "proprietario", "proprietaria", "responsavel", "chefe", "boss", "supervisor", "supervisora"]),
        ("robo", ["robo", "robos", "robozinho", "robot", "bot", "bots", "chatbot", "automatico", "automatica", "automatizado", "automated", "automatic", "chatgpt", "ia"]),
        ("transferir", ["transferir", "transfere", "transfira", "transferi", "transfer", "encaminhar", "encaminhe", "encaminha", "forward", "conectar", "conecta", "conecte", "connect"]),
        ("suporte", ["suporte", "support", "sac"]),
        ("falar", ["falar", "conversar", "converso", "talk", "talking", "speak", "speaking"]),
        // Control: pick the conversation up again.
        ("continuar", ["continuar", "continua", "continue", "continuing", "continuamos", "prosseguir", "prossiga", "prossegue", "proceed", "sequencia", "retomar", "retoma", "retomemos", "retomando", "carry"]),
        ("resumo", ["resumo", "resumir", "resume", "resuma", "summary", "summarize", "summarise", "sum", "recap", "recapitular", "recapitula", "recapitulando", "sintese"]),
        ("lembrar", ["lembrar", "lembra", "lembre", "lembro", "remind", "remember", "recordar", "recorda", "refresh", "memoria", "memory", "esqueci", "forgot"]),
        ("parar", ["paramos", "parou", "parei", "stopped", "estavamos", "tavamos"]),
        ("combinado", ["combinado", "combinamos", "decidido", "decidimos", "acertado", "acertamos", "agreed", "decided", "conclusao", "conclusion"]),
        ("conversa", ["conversa", "conversamos", "conversation", "papo", "assunto", "discussed", "discutimos", "covered"]),
        // agenda
        ("marcar", ["marcar", "marca", "marque", "marquei", "marcado", "marcada", "agendar", "agenda", "agende", "agendado", "agendamento", "book", "booking", "booked", "schedule", "reservar", "reserve", "reservation", "appointment", "appointments", "encaixar", "encaixe", "encaixa"]),
        ("remarcar", ["remarcar", "remarca", "remarque", "reagendar", "reagenda", "reschedule", "adiar", "adia", "adiantar", "postpone"]),
        ("cancelar", ["cancelar", "cancela", "cancelo", "cancele", "cancelamento", "cancel", "cancelled", "canceled", "desmarcar", "desmarca", "desmarque", "desistir", "desisti", "desiste"]),
        ("confirmar", ["confirmar", "confirma", "confirmo", "confirmado", "confirmada", "confirmando", "confirmacao", "confirm", "confirmed", "confirming"]),
        ("disponivel", ["disponivel", "disponiveis", "disponibilidade", "available", "availability", "livre", "livres", "slot", "slots", "brecha", "lotado", "lotada", "spot", "spots", "openings"]),
        ("semana_dia", ["segunda", "terca", "quarta", "quinta", "sexta", "sabado", "domingo", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "weekend"]),
        ("dia_perto", ["hoje", "amanha", "today", "tomorrow", "tonight"]),
        // financeiro
        ("precificar", ["precificar", "precificacao", "precifico", "markup", "pricing"]),
        ("lucro", ["lucro", "lucros", "lucrativo", "lucratividade", "profit", "profits", "profitable", "profitability", "margem", "margens", "margin", "margins", "rentavel", "rentabilidade", "prejuizo", "loss", "losses"]),
        ("custo", ["custo", "custos", "cmv", "insumo", "insumos", "ingredients"]),
        ("imposto", ["imposto", "impostos", "tax", "taxes", "tributo", "tributos", "tributaria", "tributario", "fiscal", "dasimposto", "mei", "simples", "cnpj", "icms", "iss", "irpf", "aliquota", "regime", "contador", "contadora", "accountant"]),
        ("emprestimo", ["emprestimo", "emprestimos", "loan", "loans", "financiamento", "financiar", "financio", "financing", "juros", "interest", "divida", "dividas", "debt", "debts", "endividado", "endividada", "pronampe", "consorcio", "leasing", "overdraft"]),
        ("investir", ["investir", "invisto", "investimento", "invest", "investment", "aplicar", "aplicacao", "cdb", "tesouro", "rendimento", "roi", "payback"]),
        ("planejar", ["planejar", "planejamento", "planejo", "planning", "budget", "meta", "goal", "prolabore", "labore"]),
        ("faturamento", ["faturamento", "faturar", "faturei", "faturou", "faturo", "revenue", "turnover"]),
        // caixa
        ("saldo", ["saldo", "balance", "extrato", "statement"]),
        ("entrada", ["entrada", "entradas", "entrou", "income"]),
        ("despesa", ["saida", "saidas", "despesa", "despesas", "expense", "expenses", "gasto", "gastos", "gastei", "spent"]),
        ("lancar", ["anota", "anotar", "anote", "lanca", "lancar", "lancamento", "lancei", "record", "log", "apaga", "apagar", "delete", "exclui", "excluir", "corrige", "corrigir"]),
        ("conta_pagar", ["boleto", "boletos", "bill", "bills", "vencimento", "vence", "vencer", "vencendo", "venceu", "vencida", "vencido", "due", "payable", "payables"]),
        ("receber", ["receivable", "receivables", "repasse", "repassa", "payout", "deposito", "depositar", "depositou", "deposited", "deposit"]),
        ("devedor", ["devendo", "devedor", "devedores", "owe", "owes", "owed", "fiado", "calote", "inadimplente", "inadimplentes", "inadimplencia", "caloteiro", "debtor", "debtors", "cobranca"]),
        ("caixa", ["caixa", "register", "till", "gaveta", "drawer"]),
        ("meio_pagamento", ["pix", "cartao", "card", "cards", "credito", "credit", "debito", "debit", "maquininha", "dinheiro", "cash"]),
        // vendas
        ("redes", ["instagram", "insta", "tiktok", "facebook", "reels", "reel", "stories", "story", "feed", "post", "posts", "postar", "posto", "postagem", "seguidores", "followers", "engajamento", "engagement", "conteudo", "content", "legenda", "caption", "hashtag", "hashtags", "youtube", "kwai", "linkedin", "influencer", "influenciadora", "influenciador", "viral"]),
        ("anuncio", ["anuncio", "anuncios", "anunciar", "ads", "advertise", "advertising", "impulsionar", "impulsionamento", "boost", "boosting", "trafego", "divulgar", "divulgacao", "divulgo", "promote", "promoting", "publicidade", "marketing", "panfleto", "panfletos", "flyer", "flyers"]),
        ("promocao", ["promocao", "promocoes", "promo", "promotion", "promotions", "desconto", "descontos", "discount", "discounts", "cupom", "coupon", "sorteio", "giveaway", "liquidacao", "combo", "brinde", "campanha", "campaign"]),
        ("captar", ["leads", "lead", "captar", "captacao", "atrair", "attract", "prospectar", "conversion"]),
        ("fidelizar", ["fidelizar", "fidelidade", "fidelizacao", "loyalty", "loyal", "fiel", "fieis", "recorrente", "retencao", "retention", "assinatura", "subscription", "membership", "rewards", "indicacao", "referral"]),
        ("avaliacao", ["review", "reviews", "estrela", "estrelas", "star", "stars", "rating", "depoimento", "depoimentos", "testimonial"]),
        // rh
        ("funcionario", ["funcionario", "funcionaria", "funcionarios", "funcionarias", "colaborador", "colaboradora", "colaboradores", "empregado", "empregada", "empregados", "employee", "employees", "worker", "workers"]),
        ("contratar", ["contratar", "contrato", "contratacao", "admissao", "admitir", "hire", "hiring", "hired", "recrutar", "recruit", "candidato", "candidata", "candidatos", "candidates", "entrevista", "interview"]),
        ("demitir", ["demitir", "demiti", "demissao", "dispensar", "fire", "fired", "dismiss", "dismissal", "rescisao", "severance", "resign", "resigned", "quit", "quits"]),
        ("salario", ["salario", "salarios", "salary", "salaries", "wage", "wages", "folha", "payroll", "holerite", "payslip", "contracheque", "inss", "fgts", "comissao", "commission", "decimoterceiro"]),
        ("ferias", ["ferias", "vacation", "licenca", "afastamento", "afastada", "afastado", "atestado", "sick", "maternidade", "maternity", "paternidade", "paternity", "gravida", "gravidez", "pregnant"]),
        ("jornada", ["jornada", "overtime", "turno", "turnos", "shift", "shifts", "escala", "escalas", "folga", "folgas", "intervalo", "expediente"]),
        ("trabalhista", ["clt", "carteira", "trabalhista", "sindicato", "union", "convencao", "piso"]),
        // geral
        ("saudacao", ["oi", "ola", "hello", "hi", "hey", "opa", "salve", "yo", "hiya", "howdy", "alo"]),
        ("obrigado", ["obrigado", "obrigada", "obrigadao", "valeu", "thanks", "thank", "agradeco", "agradecido", "agradecida", "grato", "grata", "gratidao", "cheers", "appreciate"]),
        ("tchau", ["tchau", "bye", "goodbye", "falou", "flw", "adeus"]),
        ("endereco", ["endereco", "address", "localizacao", "location", "located", "localizado", "localizada", "bairro", "neighborhood", "neighbourhood", "rua", "street", "metro", "subway"]),
        ("estacionar", ["estacionamento", "estacionar", "estaciono", "estaciona", "parking", "park", "manobrista", "valet"]),
        ("perto", ["perto", "pertinho", "near", "nearby"]),
        ("crianca", ["crianca", "criancas", "infantil", "infantis", "kid", "kids", "child", "children", "filho", "filha", "filhos", "filhas", "son", "daughter", "menino", "menina", "bebe", "baby"]),
        ("funcionamento", ["aberto", "abertos", "aberta", "abertas", "abre", "abrem", "fecham", "closed", "funcionamento"]),
        ("entrega", ["entrega", "entregam", "entregar", "delivery", "deliver", "delivers"]),
        ("aceitar", ["aceita", "aceitam", "aceitar", "accept", "accepts"]),
        ("clima", ["chuva", "chover", "chovendo", "rain", "weather", "frio", "calor", "cold", "hot", "sol", "sunny"]),
        ("esporte", ["futebol", "football", "soccer", "jogo", "flamengo", "corinthians", "palmeiras", "brasileirao", "copa"]),
        ("entretenimento", ["filme", "filmes", "movie", "movies", "serie", "series", "netflix", "musica", "music", "song", "songs", "piada", "joke", "signo", "horoscopo", "poema", "poem"]),
        ("risada", ["k", "kk", "haha", "hahaha", "hehe", "rs", "rsrs", "lol", "lmao"]),
    ]

    /// The concept `word` (folded, as `TextNormalizer` gives it) belongs to, if any.
    public static func concept(of word: String) -> String? {
        conceptByWord[word]
    }

    /// Whether `word` is one of the things a business sells or works on (`neutral`).
    public static func isNeutral(_ word: String) -> Bool {
        neutralWords.contains(word)
    }

    static let neutralWords = Set(neutral)

    static let conceptByWord: [String: String] = {
        var map: [String: String] = [:]
        for group in groups {
            for word in group.words where map[word] == nil { map[word] = group.concept }
        }
        return map
    }()

    /// The things a business sells or works on, and the businesses and trades themselves: every
    /// route talks about them ("quero marcar um corte", "quanto custa o corte?", "quanto cobrar
    /// no corte?", "promoção de corte", "contratar um cabeleireiro"), so they say nothing about
    /// where a message goes. With a few dozen examples per topic the model still learns that
    /// "bolo" came up in two caixa examples; read as one neutral word, they cannot mislead it.
    static let neutral: [String] = [
        // beauty and care
        "corte", "cortes", "escova", "escovas", "progressiva", "hidratacao", "luzes", "mechas", "coloracao", "tintura", "alisamento",
        "unha", "unhas", "manicure", "pedicure", "sobrancelha", "sobrancelhas", "cilios", "barba", "depilacao", "massagem", "massagens",
        "drenagem", "tatuagem", "maquiagem", "penteado", "botox", "clareamento", "haircut", "haircuts", "nails", "manicures", "pedicures",
        "eyebrows", "lashes", "beard", "waxing", "massage", "facial", "blowout", "highlights", "tattoo", "makeup",
        // food
        "bolo", "bolos", "torta", "tortas", "pizza", "pizzas", "marmita", "marmitas", "lanche", "lanches", "hamburguer", "pao", "paes",
        "salgado", "salgados", "doce", "doces", "brigadeiro", "brigadeiros", "brownie", "sorvete", "acai", "pastel", "coxinha",
        "cake", "cakes", "pie", "burger", "burgers", "bread", "sandwich", "cupcake", "cupcakes", "cookies",
        // goods
        "roupa", "roupas", "vestido", "vestidos", "calca", "calcas", "blusa", "blusas", "camiseta", "camisetas", "sapato", "sapatos",
        "bolsa", "bolsas", "racao", "perfume", "perfumes", "cosmeticos", "dress", "dresses", "shoes", "clothes", "shirt", "shirts",
        // animals, vehicles, appliances
        "cachorro", "cachorros", "cachorrinho", "gato", "gatos", "gata", "pet", "pets", "dog", "dogs", "cat", "cats", "puppy",
        "carro", "carros", "moto", "motos", "car", "cars", "chuveiro", "geladeira", "fogao", "tomada", "fridge",
        // businesses
        "salao", "barbearia", "padaria", "confeitaria", "doceria", "lanchonete", "restaurante", "pizzaria", "hamburgueria", "cafeteria",
        "clinica", "consultorio", "academia", "oficina", "petshop", "lavanderia", "estudio", "atelie", "papelaria", "floricultura",
        "salon", "barbershop", "bakery", "restaurant", "cafe", "clinic", "gym", "garage", "studio",
        // trades
        "cabeleireiro", "cabeleireira", "barbeiro", "manicures", "esteticista", "dentista", "medico", "medica", "pediatra",
        "nutricionista", "fisioterapeuta", "psicologa", "psicologo", "eletricista", "encanador", "mecanico", "tosador", "confeiteira",
        "fotografo", "fotografa", "personal", "hairdresser", "barber", "dentist", "doctor", "electrician", "plumber", "mechanic",
        "photographer", "trainer",
    ]
}
