// The widget's own labels, per language (the bot's messages come translated from the server).
const STRINGS = {
  en: { placeholder: "Type your message…", send: "Send", shareLocation: "📍 Share my location",
    talkToPerson: "Talk to a person", privacy: "Privacy", open: "Chat with Haven", offline: "Reconnecting…",
    you: "You: ", suggestions: "Suggested answers", locationShared: "📍 My location",
    noLocation: "I couldn't get your location. Please type the name of your town.",
    quickExit: "Quick exit",
    quickExitTitle: "Leave this page now and clear this chat from this device. The conversation is not deleted "
      + "from Haven's server: to delete it, write \"forget me\"." },
  fr: { placeholder: "Écrivez votre message…", send: "Envoyer", shareLocation: "📍 Partager ma position",
    talkToPerson: "Parler à une personne", privacy: "Confidentialité", open: "Discuter avec Haven",
    offline: "Reconnexion…", you: "Vous : ", suggestions: "Réponses proposées", locationShared: "📍 Ma position",
    noLocation: "Je n'ai pas pu obtenir votre position. Écrivez le nom de votre ville.",
    quickExit: "Sortie rapide",
    quickExitTitle: "Quitter cette page tout de suite et effacer cette discussion de cet appareil. La conversation "
      + "n'est pas supprimée du serveur de Haven : pour la supprimer, écrivez « oublie-moi »." },
  ar: { placeholder: "اكتب رسالتك…", send: "إرسال", shareLocation: "📍 شارك موقعي", talkToPerson: "التحدث مع شخص",
    privacy: "الخصوصية", open: "تحدث مع Haven", offline: "جارٍ إعادة الاتصال…", you: "أنت: ",
    suggestions: "إجابات مقترحة", locationShared: "📍 موقعي", noLocation: "تعذّر تحديد موقعك. اكتب اسم مدينتك.",
    quickExit: "خروج سريع",
    quickExitTitle: "غادر هذه الصفحة فورًا وامسح هذه المحادثة من هذا الجهاز. "
      + "لا تُحذف المحادثة من خادم Haven: لحذفها اكتب «انساني»." },
};

export function createStrings(language) {
  return STRINGS[language] || STRINGS.en;
}
