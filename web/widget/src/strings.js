// The widget's own labels, per language (the bot's messages come translated from the server).
const STRINGS = {
  en: { placeholder: "Type your message…", send: "Send", shareLocation: "📍 Share my location",
    talkToPerson: "Talk to a person", privacy: "Privacy", open: "Chat with Haven", offline: "Reconnecting…",
    you: "You: ", suggestions: "Suggested answers", locationShared: "📍 My location",
    noLocation: "I couldn't get your location. Please type the name of your town." },
  fr: { placeholder: "Écrivez votre message…", send: "Envoyer", shareLocation: "📍 Partager ma position",
    talkToPerson: "Parler à une personne", privacy: "Confidentialité", open: "Discuter avec Haven",
    offline: "Reconnexion…", you: "Vous : ", suggestions: "Réponses proposées", locationShared: "📍 Ma position",
    noLocation: "Je n'ai pas pu obtenir votre position. Écrivez le nom de votre ville." },
  ar: { placeholder: "اكتب رسالتك…", send: "إرسال", shareLocation: "📍 شارك موقعي", talkToPerson: "التحدث مع شخص",
    privacy: "الخصوصية", open: "تحدث مع Haven", offline: "جارٍ إعادة الاتصال…", you: "أنت: ",
    suggestions: "إجابات مقترحة", locationShared: "📍 موقعي", noLocation: "تعذّر تحديد موقعك. اكتب اسم مدينتك." },
};

export function createStrings(language) {
  return STRINGS[language] || STRINGS.en;
}
