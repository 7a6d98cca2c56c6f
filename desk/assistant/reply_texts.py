"""The assistant's texts in English and Turkish, one entry per message id. Short and
friendly; Turkish wording avoids case suffixes on names filled in ("Spinning için", not
"Spinning'e"), so no vowel-harmony rules are needed. Functions in `replies` fill them in."""

from __future__ import annotations

from enum import StrEnum


class Msg(StrEnum):
    GREETING = "greeting"
    THANKS_BACK = "thanks_back"
    ASK_SERVICE = "ask_service"
    ASK_WHICH_BOOKING = "ask_which_booking"
    OPTIONS = "options"
    NO_OPTIONS = "no_options"
    BOOKED = "booked"
    CLASS_FULL = "class_full"
    WAITLIST_JOINED = "waitlist_joined"
    WAITLIST_OFFER = "waitlist_offer"
    WAITLIST_DECLINED = "waitlist_declined"
    OFFER_EXPIRED = "offer_expired"
    CANCEL_FREE = "cancel_free"
    CANCEL_LATE_DEDUCT = "cancel_late_deduct"
    CANCEL_LATE_NO_SHOW = "cancel_late_no_show"
    CANCELLED = "cancelled"
    RESCHEDULE_OPTIONS = "reschedule_options"
    RESCHEDULED = "rescheduled"
    NOTHING_CHANGED = "nothing_changed"
    BALANCE = "balance"
    NO_BALANCE = "no_balance"
    MY_BOOKINGS = "my_bookings"
    NO_BOOKINGS = "no_bookings"
    NOT_COVERED = "not_covered"
    USED_UP = "used_up"
    EXPIRED = "expired"
    NO_PACKAGE = "no_package"
    PRODUCTS_THAT_WOULD = "products_that_would"
    RECEPTION_CAN_SELL = "reception_can_sell"
    RESTRICTED = "restricted"
    UNKNOWN_NUMBER = "unknown_number"
    NOT_UNDERSTOOD = "not_understood"
    HANDED_TO_HUMAN = "handed_to_human"
    TEXT_ONLY = "text_only"
    SOMETHING_WENT_WRONG = "something_went_wrong"
    # --- the conversation's follow-ups ---
    PICK_EXPIRED = "pick_expired"
    ALREADY_BOOKED = "already_booked"
    OVERLAPS = "overlaps"
    SESSION_CLOSED = "session_closed"
    NEXT_FREE = "next_free"
    WAITLIST_CLOSED = "waitlist_closed"
    NO_OFFER = "no_offer"
    NO_MATCHING_BOOKING = "no_matching_booking"
    CANCEL_WHICH = "cancel_which"
    MOVE_WHICH = "move_which"
    NO_MOVE_OPTIONS = "no_move_options"
    TOO_LATE_TO_MOVE = "too_late_to_move"
    MOVE_FULL = "move_full"
    CANNOT_CANCEL = "cannot_cancel"
    ALREADY_CANCELLED = "already_cancelled"
    PRIVATE_BY_RECEPTION = "private_by_reception"
    WEEKLY_LIMIT = "weekly_limit"
    PACKAGE_NOT_USABLE = "package_not_usable"
    PROMOTED = "promoted"
    OFFER_LAPSED = "offer_lapsed"
    WAITLIST_ENDED = "waitlist_ended"
    WAITLIST_LEFT = "waitlist_left"
    ANYTHING_ELSE = "anything_else"
    WHICH_NUMBER = "which_number"
    # --- personal training (private appointments) ---
    PT_OPTIONS = "pt_options"
    PT_NOT_FREE_AT = "pt_not_free_at"
    PT_SLOT_TAKEN = "pt_slot_taken"
    PT_NONE_FREE = "pt_none_free"


TEXTS: dict[Msg, dict[str, str]] = {
    Msg.GREETING: {
        "en": "Hi{name}! 👋 I can book, move or cancel classes, and tell you how many sessions "
        "you have left. What would you like?",
        "tr": "Merhaba{name}! 👋 Ders ayırabilir, taşıyabilir ya da iptal edebilirim; kaç dersiniz "
        "kaldığını da söyleyebilirim. Nasıl yardımcı olayım?",
    },
    Msg.THANKS_BACK: {"en": "You're welcome! 😊", "tr": "Rica ederim! 😊"},
    Msg.ASK_SERVICE: {
        "en": "Which class would you like? {services}",
        "tr": "Hangi ders için? {services}",
    },
    Msg.ASK_WHICH_BOOKING: {
        "en": "Which booking do you mean?",
        "tr": "Hangi rezervasyonunuzu kastediyorsunuz?",
    },
    Msg.OPTIONS: {
        "en": "Here are {service} times with free spots. Which one shall I book?",
        "tr": "{service} için boş yeri olan saatler bunlar. Hangisini ayırayım?",
    },
    Msg.NO_OPTIONS: {
        "en": "Sorry, I couldn't find a {service} session with free spots {when}. "
        "Would another day work?",
        "tr": "Üzgünüm, {when} boş yeri olan bir {service} dersi bulamadım. Başka bir gün olur mu?",
    },
    Msg.BOOKED: {
        "en": "You're booked! ✅ {service}, {slot}{trainer}. See you there!",
        "tr": "Rezervasyonunuz tamam! ✅ {service}, {slot}{trainer}. Görüşmek üzere!",
    },
    Msg.CLASS_FULL: {
        "en": "{service} on {slot} is full. Shall I put you on the waitlist? You'd be #{position}.",
        "tr": "{slot} {service} dersi dolu. Bekleme listesine yazayım mı? {position}. sırada "
        "olursunuz.",
    },
    Msg.WAITLIST_JOINED: {
        "en": "You're on the waitlist for {service}, {slot}: #{position}. I'll message you if a "
        "spot opens.",
        "tr": "{slot} {service} bekleme listesindesiniz: {position}. sıradasınız. Yer açılırsa "
        "size yazarım.",
    },
    Msg.WAITLIST_OFFER: {
        "en": "Good news: a spot opened in {service}, {slot}! Want it? I'll hold it until {until}.",
        "tr": "Müjde: {slot} {service} dersinde yer açıldı! İster misiniz? {until} saatine kadar "
        "sizin için tutuyorum.",
    },
    Msg.WAITLIST_DECLINED: {
        "en": "No problem, I've passed the spot on.",
        "tr": "Sorun değil, yeri bir sonraki kişiye verdim.",
    },
    Msg.OFFER_EXPIRED: {
        "en": "Sorry, that offer has expired. Shall I look for other times?",
        "tr": "Üzgünüm, bu teklifin süresi doldu. Başka saatlere bakayım mı?",
    },
    Msg.CANCEL_FREE: {
        "en": "Cancel {service}, {slot}? It's free of charge.",
        "tr": "{slot} {service} iptal edilsin mi? Ücretsiz iptal.",
    },
    Msg.CANCEL_LATE_DEDUCT: {
        "en": "Cancel {service}, {slot}? It's less than {hours} hours before the start, so the "
        "session will still be deducted from your package.",
        "tr": "{slot} {service} iptal edilsin mi? Derse {hours} saatten az kaldığı için seans "
        "paketinizden düşülecek.",
    },
    Msg.CANCEL_LATE_NO_SHOW: {
        "en": "Cancel {service}, {slot}? It's less than {hours} hours before the start, so it "
        "will count as a no-show.",
        "tr": "{slot} {service} iptal edilsin mi? Derse {hours} saatten az kaldığı için "
        "gelmedi olarak sayılacak.",
    },
    Msg.CANCELLED: {
        "en": "Done, your {service} on {slot} is cancelled.",
        "tr": "Tamam, {slot} {service} rezervasyonunuz iptal edildi.",
    },
    Msg.RESCHEDULE_OPTIONS: {
        "en": "Where shall I move {service}, {slot}? Pick a new time:",
        "tr": "{slot} {service} dersinizi hangi saate taşıyayım? Yeni saati seçin:",
    },
    Msg.RESCHEDULED: {
        "en": "Moved! ✅ {service}: {old_slot} → {new_slot}{trainer}.",
        "tr": "Taşındı! ✅ {service}: {old_slot} → {new_slot}{trainer}.",
    },
    Msg.NOTHING_CHANGED: {
        "en": "OK, I've left everything as it was.",
        "tr": "Tamam, hiçbir şeyi değiştirmedim.",
    },
    Msg.BALANCE: {"en": "Your packages:", "tr": "Paketleriniz:"},
    Msg.NO_BALANCE: {
        "en": "You don't have an active package right now.",
        "tr": "Şu anda aktif bir paketiniz yok.",
    },
    Msg.MY_BOOKINGS: {"en": "Your upcoming bookings:", "tr": "Yaklaşan rezervasyonlarınız:"},
    Msg.NO_BOOKINGS: {
        "en": "You have no upcoming bookings. Want to book one?",
        "tr": "Yaklaşan rezervasyonunuz yok. Bir ders ayırayım mı?",
    },
    Msg.NOT_COVERED: {
        "en": "Your {package} doesn't cover {service}.",
        "tr": "{package} paketiniz {service} için geçerli değil.",
    },
    Msg.USED_UP: {
        "en": "Your {package} is used up.",
        "tr": "{package} paketinizin tüm seansları kullanıldı.",
    },
    Msg.EXPIRED: {
        "en": "Your {package} expired on {day}.",
        "tr": "{package} paketinizin süresi {day} tarihinde doldu.",
    },
    Msg.NO_PACKAGE: {
        "en": "You don't have a package that covers {service}.",
        "tr": "{service} için geçerli bir paketiniz yok.",
    },
    Msg.PRODUCTS_THAT_WOULD: {
        "en": "These would cover it: {products}.",
        "tr": "Şu paketler geçerli olur: {products}.",
    },
    Msg.RECEPTION_CAN_SELL: {
        "en": "Reception can sell you one; I've let them know. 😊",
        "tr": "Resepsiyon size bir paket tanımlayabilir; onlara haber verdim. 😊",
    },
    Msg.RESTRICTED: {
        "en": "Online booking is paused on your account because of missed sessions. I've passed "
        "your request to reception and they'll get back to you soon.",
        "tr": "Kaçırılan dersler nedeniyle hesabınızda online rezervasyon geçici olarak kapalı. "
        "Talebinizi resepsiyona ilettim, en kısa sürede size dönecekler.",
    },
    Msg.UNKNOWN_NUMBER: {
        "en": "Hi! 👋 I couldn't find this number among our members. I've passed your message to "
        "reception and they'll get back to you soon.",
        "tr": "Merhaba! 👋 Bu numarayı üyelerimiz arasında bulamadım. Mesajınızı resepsiyona "
        "ilettim, en kısa sürede size dönecekler.",
    },
    Msg.NOT_UNDERSTOOD: {
        "en": "Sorry, I didn't quite get that. I've asked reception to help you.",
        "tr": "Üzgünüm, tam anlayamadım. Resepsiyondan size yardımcı olmalarını istedim.",
    },
    Msg.HANDED_TO_HUMAN: {
        "en": "Sure, I've asked reception to get back to you.",
        "tr": "Tabii, resepsiyondan size dönmelerini istedim.",
    },
    Msg.TEXT_ONLY: {
        "en": "Sorry, I can only read text messages. Please type what you need.",
        "tr": "Üzgünüm, yalnızca yazılı mesajları okuyabiliyorum. Lütfen ne istediğinizi yazın.",
    },
    Msg.SOMETHING_WENT_WRONG: {
        "en": "Sorry, something went wrong on our side. Reception will look into it.",
        "tr": "Üzgünüm, bizim tarafta bir sorun oluştu. Resepsiyon ilgilenecek.",
    },
    Msg.PICK_EXPIRED: {
        "en": "Sorry, that choice has expired. Tell me again what you'd like, e.g. "
        '"reformer tomorrow 18:00".',
        "tr": "Üzgünüm, bu seçimin süresi doldu. Ne istediğinizi tekrar yazar mısınız? Örneğin "
        '"yarın 18:00 reformer".',
    },
    Msg.ALREADY_BOOKED: {
        "en": "You're already booked into {service}, {slot}. ✅",
        "tr": "{slot} {service} dersine zaten kayıtlısınız. ✅",
    },
    Msg.OVERLAPS: {
        "en": "You already have {other}, {other_slot}, at that time, so I can't book {service} "
        "{slot} as well. Cancel that one first if you'd like to switch.",
        "tr": "O saatte zaten {other_slot} {other} dersiniz var, bu yüzden {slot} {service} "
        "dersini ayrıca ayıramıyorum. Değiştirmek isterseniz önce onu iptal edin.",
    },
    Msg.SESSION_CLOSED: {
        "en": "Sorry, {service} on {slot} can't be booked any more (it has started or was "
        "cancelled).",
        "tr": "Üzgünüm, {slot} {service} dersine artık rezervasyon yapılamıyor (başladı ya da "
        "iptal edildi).",
    },
    Msg.NEXT_FREE: {
        "en": "Sorry, no free {service} spots {when}. These times have room. Which one shall I "
        "book?",
        "tr": "Üzgünüm, {when} boş {service} yeri yok. Şu saatlerde yer var, hangisini ayırayım?",
    },
    Msg.WAITLIST_CLOSED: {
        "en": "Sorry, the waitlist for {service}, {slot} has closed.",
        "tr": "Üzgünüm, {slot} {service} bekleme listesi kapandı.",
    },
    Msg.NO_OFFER: {
        "en": "I don't see a spot on offer for you right now. Shall I look for other times?",
        "tr": "Şu anda sizin için tutulan bir yer görünmüyor. Başka saatlere bakayım mı?",
    },
    Msg.NO_MATCHING_BOOKING: {
        "en": "I couldn't find an upcoming booking of yours {when}.",
        "tr": "{when} yaklaşan bir rezervasyonunuzu bulamadım.",
    },
    Msg.CANCEL_WHICH: {
        "en": "Which booking shall I cancel?",
        "tr": "Hangi rezervasyonunuzu iptal edeyim?",
    },
    Msg.MOVE_WHICH: {
        "en": "Which booking shall I move?",
        "tr": "Hangi rezervasyonunuzu taşıyayım?",
    },
    Msg.NO_MOVE_OPTIONS: {
        "en": "Sorry, I couldn't find another {service} session with free spots {when}. Your "
        "booking stays as it is.",
        "tr": "Üzgünüm, {when} boş yeri olan başka bir {service} dersi bulamadım. "
        "Rezervasyonunuz olduğu gibi kalıyor.",
    },
    Msg.TOO_LATE_TO_MOVE: {
        "en": "It's less than {hours} hours before {service}, {slot}, so I can't move it online. "
        "I've asked reception to help you.",
        "tr": "{slot} {service} dersine {hours} saatten az kaldığı için online taşıyamıyorum. "
        "Resepsiyondan size yardımcı olmalarını istedim.",
    },
    Msg.MOVE_FULL: {
        "en": "Sorry, that class just filled up. Your booking on {slot} stays as it was.",
        "tr": "Üzgünüm, o ders az önce doldu. {slot} rezervasyonunuz olduğu gibi kalıyor.",
    },
    Msg.CANNOT_CANCEL: {
        "en": "Sorry, I can't change {service}, {slot} online any more. I've asked reception to "
        "help you.",
        "tr": "Üzgünüm, {slot} {service} rezervasyonunu artık online değiştiremiyorum. "
        "Resepsiyondan size yardımcı olmalarını istedim.",
    },
    Msg.ALREADY_CANCELLED: {
        "en": "That booking is already cancelled.",
        "tr": "Bu rezervasyon zaten iptal edilmiş.",
    },
    Msg.PRIVATE_BY_RECEPTION: {
        "en": "Moving a {service} session is arranged with your trainer: I've asked reception to "
        "get back to you with times.",
        "tr": "{service} seansını taşımak eğitmeninizle birlikte planlanıyor: resepsiyondan size "
        "uygun saatlerle dönmelerini istedim.",
    },
    Msg.WEEKLY_LIMIT: {
        "en": "Your {package} has reached its weekly limit for that week.",
        "tr": "{package} paketinizin o haftaki kullanım sınırı doldu.",
    },
    Msg.PACKAGE_NOT_USABLE: {
        "en": "Your {package} can't be used on that day.",
        "tr": "{package} paketiniz o gün kullanılamıyor.",
    },
    Msg.PROMOTED: {
        "en": "Good news: a spot opened in {service}, {slot}, and you're booked! ✅",
        "tr": "Müjde: {slot} {service} dersinde yer açıldı ve kaydınızı yaptım! ✅",
    },
    Msg.OFFER_LAPSED: {
        "en": "The spot held for you in {service}, {slot} has passed to the next person.",
        "tr": "{slot} {service} dersinde sizin için tutulan yer bir sonraki kişiye geçti.",
    },
    Msg.WAITLIST_ENDED: {
        "en": "No spot opened in {service}, {slot}, and the waitlist has now closed. Sorry!",
        "tr": "{slot} {service} dersinde yer açılmadı ve bekleme listesi kapandı. Üzgünüz!",
    },
    Msg.WAITLIST_LEFT: {
        "en": "OK, I've taken you off the waitlist for {service}, {slot}.",
        "tr": "Tamam, sizi {slot} {service} bekleme listesinden çıkardım.",
    },
    Msg.ANYTHING_ELSE: {
        "en": "👍 Anything else I can help with?",
        "tr": "👍 Başka bir konuda yardımcı olabilir miyim?",
    },
    Msg.WHICH_NUMBER: {
        "en": "Which one? Tap an option or type its number.",
        "tr": "Hangisi? Bir seçeneğe dokunun ya da numarasını yazın.",
    },
    Msg.PT_OPTIONS: {
        "en": "Here are free {service} times. Which one shall I book?",
        "tr": "{service} için boş saatler bunlar. Hangisini ayırayım?",
    },
    Msg.PT_NOT_FREE_AT: {
        "en": "Sorry, {slot} isn't free for {service}. These times are. Which one shall I book?",
        "tr": "Üzgünüm, {slot} {service} için dolu. Şu saatler boş, hangisini ayırayım?",
    },
    Msg.PT_SLOT_TAKEN: {
        "en": "Sorry, {slot} was just taken. These {service} times are still free. Which one "
        "shall I book?",
        "tr": "Üzgünüm, {slot} az önce doldu. Şu {service} saatleri hâlâ boş, hangisini ayırayım?",
    },
    Msg.PT_NONE_FREE: {
        "en": "Sorry, I couldn't find a free {service} time {when}. I've asked reception to find "
        "one with you.",
        "tr": "Üzgünüm, {when} boş bir {service} saati bulamadım. Resepsiyondan sizinle uygun bir "
        "saat bulmalarını istedim.",
    },
}


# --- button and list labels (≤ 20 characters) -----------------------------------------------


class Label(StrEnum):
    YES_CANCEL = "yes_cancel"
    KEEP_IT = "keep_it"
    JOIN_WAITLIST = "join_waitlist"
    NO_THANKS = "no_thanks"
    TAKE_SPOT = "take_spot"
    PASS = "pass"
    CHOOSE = "choose"
    OTHER_DAY = "other_day"


LABELS: dict[Label, dict[str, str]] = {
    Label.YES_CANCEL: {"en": "Yes, cancel", "tr": "Evet, iptal et"},
    Label.KEEP_IT: {"en": "Keep it", "tr": "Vazgeç"},
    Label.JOIN_WAITLIST: {"en": "Join waitlist", "tr": "Listeye yaz"},
    Label.NO_THANKS: {"en": "No thanks", "tr": "Hayır, teşekkürler"},
    Label.TAKE_SPOT: {"en": "Take the spot", "tr": "Yeri al"},
    Label.PASS: {"en": "Pass", "tr": "İstemiyorum"},
    Label.CHOOSE: {"en": "Choose a time", "tr": "Saat seç"},
    Label.OTHER_DAY: {"en": "Another day", "tr": "Başka gün"},
}
