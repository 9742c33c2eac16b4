"""Sentences of support chats, emails, tickets and call notes, per locale.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket". Placeholders in braces are filled by
`generate.py`: {phone}, {phone_bare}, {email}, {card}, {iban}, {ip}, {person}
are personal data and get labelled; every other placeholder ({order},
{date}, {price}, {ext}, ...) is a tricky negative that must not be reported.
"""

from __future__ import annotations

GREETINGS: dict[str, list[str]] = {
    "en": ["Hi,", "Hello team,", "Hey there -", "Good morning,", "Hi support,", ""],
    "fr": ["Bonjour,", "Bonjour l'équipe,", "Salut,", "Madame, Monsieur,", ""],
    "de": ["Hallo,", "Guten Tag,", "Sehr geehrte Damen und Herren,", "Moin,", ""],
    "es": ["Hola,", "Buenos días,", "Estimado equipo:", ""],
    "pt": ["Olá,", "Bom dia,", "Oi pessoal,", "Prezados,", ""],
}

SIGNOFFS: dict[str, list[str]] = {
    "en": ["Thanks!", "Cheers,", "Regards,", "Thank you", "- sent from my phone", ""],
    "fr": ["Merci d'avance.", "Cordialement,", "Bonne journée", ""],
    "de": ["Danke!", "Viele Grüße", "Mit freundlichen Grüßen", "VG", ""],
    "es": ["Gracias.", "Saludos,", "Un saludo", ""],
    "pt": ["Obrigado!", "Abraços,", "Atenciosamente,", ""],
}

# Sentences that carry personal data (and often a negative next to it).
POSITIVE: dict[str, list[str]] = {
    "en": [
        "Please call me back at {phone} after {time}.",
        "My new cell is {phone}, the old one on the account is {phone}.",
        "You can reach {person} on {phone} ext. {ext} about ticket #{ticket}.",
        "Update the billing contact to {email} please (invoice {invoice}).",
        "I was charged {price} twice on order #{order}; card was {card}.",
        "Card on file should be {card} exp {expiry}, CVV I'll give by phone.",
        "Our office IP is {ip}, SIP registration fails since firmware {version}.",
        "Forward voicemail to {email} and text me at {phone}.",
        "call me on {phone_bare} today",
        "Port number {phone} from our old carrier, account no. {account}.",
        "Pay by bank transfer to {iban} - reference {invoice}.",
        "Ask {person} ({email}) to approve, he's out until {date}.",
        "The phones at {ip} and {ip} drop calls around {time}.",
        "Fax line {phone} is still billed at {price}/month, see invoice {invoice}.",
        "Tracking {tracking} says delivered {date}, nobody got it; my number {phone}.",
        "Emergency contact for the site: {person}, {phone}.",
        "Refund to my Amex {card} please, order {order}.",
        "Main line {phone}, ext. {ext} is reception.",
    ],
    "fr": [
        "Pouvez-vous me rappeler au {phone} avant {time} ?",
        "Mon numéro de portable : {phone}. Commande n° {order}.",
        "Merci d'envoyer la facture {invoice} à {email}.",
        "J'ai payé {price} avec la carte {card} le {date}.",
        "Notre IBAN : {iban} (dossier {ticket}).",
        "Contactez {person} au {phone}, poste {ext}.",
        "L'adresse IP du standard est {ip}, version {version}.",
        "mon tel {phone_bare} merci",
        "Transférez les messages vocaux vers {email} svp.",
        "Le colis {tracking} n'est jamais arrivé, joignable au {phone}.",
    ],
    "de": [
        "Bitte rufen Sie mich unter {phone} zurück, Vorgang {ticket}.",
        "Meine Handynummer lautet {phone}, Kundennummer {account}.",
        "Rechnung Nr. {invoice} bitte an {email} schicken.",
        "Abbuchung von {price} am {date}, Karte {card}.",
        "Bitte per Lastschrift von {iban} abbuchen.",
        "Ansprechpartner ist {person}, Tel. {phone}, Durchwahl {ext}.",
        "Unsere öffentliche IP ist {ip}, Firmware {version}.",
        "Handy {phone_bare}",
        "Sendungsnummer {tracking}, zugestellt am {date} um {time}.",
        "Die Zentrale {phone} klingelt nicht, Bestellung {order}.",
    ],
    "es": [
        "Llámenme al {phone} por favor, pedido {order}.",
        "Mi correo es {email} y mi móvil {phone}.",
        "Cobraron {price} a la tarjeta {card} el {date}.",
        "Domiciliación en la cuenta {iban}, factura {invoice}.",
        "Pregunten por {person} en el {phone}, extensión {ext}.",
        "La IP de la oficina es {ip} desde la versión {version}.",
        "mi teléfono {phone_bare}",
        "El envío {tracking} sigue sin llegar, incidencia {ticket}.",
    ],
    "pt": [
        "Me liga no {phone} depois das {time}, protocolo {ticket}.",
        "Meu e-mail é {email}, pedido {order}.",
        "Cobraram {price} no cartão {card} em {date}.",
        "Pode falar com {person} pelo {phone}, ramal {ext}.",
        "O IP do escritório é {ip}, versão {version}.",
        "meu celular {phone_bare}",
        "Débito na conta {iban}, fatura {invoice}.",
        "Rastreio {tracking}, entregue em {date}.",
    ],
}

# Sentences with no personal data at all: only tricky negatives.
NEGATIVE: dict[str, list[str]] = {
    "en": [
        "Order #{order} was placed on {date} at {time} for {price}.",
        "Ticket {ticket} is still open, invoice {invoice} attached.",
        "Dial ext. {ext} to reach the front desk.",
        "The desk phone runs firmware {version} since {date}.",
        "Tracking number {tracking}, shipped {date}.",
        "Card ending in {last4} was declined; ref {reference}.",
        "Reference {luhn_fail} on the statement looks wrong.",
        "Device IMEI {imei}, serial {serial}.",
        "Confirmation # {confirmation} for the {price} upgrade.",
        "Log timestamp {epoch} ({timestamp}).",
    ],
    "fr": [
        "Commande n° {order} du {date} à {time}, montant {price}.",
        "Le ticket {ticket} est toujours ouvert, facture {invoice}.",
        "Composez le poste {ext} pour l'accueil.",
        "Référence {luhn_fail} sur le relevé.",
        "Suivi colis {tracking}, version {version}.",
    ],
    "de": [
        "Bestellung {order} vom {date}, {time} Uhr, Betrag {price}.",
        "Rechnung Nr. {invoice} zu Vorgang {ticket}.",
        "Durchwahl {ext} ist der Empfang.",
        "Referenz {luhn_fail}, Seriennummer {serial}.",
        "Firmware {version}, Zeitstempel {timestamp}.",
    ],
    "es": [
        "Pedido {order} del {date} a las {time}, importe {price}.",
        "Factura {invoice}, incidencia {ticket}.",
        "Referencia {luhn_fail}, extensión {ext}.",
    ],
    "pt": [
        "Pedido {order} de {date} às {time}, valor {price}.",
        "Fatura {invoice}, protocolo {ticket}.",
        "Referência {luhn_fail}, ramal {ext}.",
    ],
}
