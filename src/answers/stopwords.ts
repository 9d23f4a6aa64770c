import type { Lang } from './schema.js';

/**
 * Function words (folded, no diacritics) that carry no topic, and the context every customer of
 * an electricity seller gives ("elektrība", "problem"): the matcher ignores them.
 */
const LV = `un ir vai ka kas es man mani manu manus mans mana manas manam manai manos manis jus jusu jums
par uz no ar lai tas ta to tie tam tai tos tas so sis sai sie sim sos si ko ari ja bet pie pec pa ap bez
lidz ne nav var varu varat varetu varam but esmu esat bija bus tik jau vel tikai sevi savs savus
savu savi savas sava saviem mes mus musu mums vins vina vini vinu ludzu sveiki labdien paldies gribu velos
veletos kaut kads kada kadi kadas kadu kadus kadam kadai tad te tur ari kura kuri kuras kuru kurs
kuram kurai kuriem kurus tiek tika tiks tikt tikat tiku tikam tikusi veikt veicat veic veicam veiks veiksiet teikt pastastiet pasakiet lugums hei cau nu kaut kas it ka jel nevaru
cits cita citi
saprast saprotat saprotu saprot dokuments dokumenta dokumenta jautajums jautajumu jautajumi
atbilde atbildi lieta lietas notiek notiktu gadijuma gadijumos piemeram iespejams iespeja drikst drikstu
vispar tiesi isti kaut kaads lugtu interese interesetu zinat zinu uzzinat pateikt pasakt sakiet
tagad tas ta tie tadi tada tadas musu sava vienkarsi precizi nesen vakar sen paris vairakus vel
joprojam laikam varbut tikko klut kluvu kluvis kluvusi kluva
elektriba elektribas elektribu elektribai energija energijas energiju problema problemu problemas problemam isi`;

const EN = `a an the is are was were be been being am do does did doing i me my mine myself you your yours we us
our they them their it its he she him her this that these those of to in on at for with about from by as and
or but if so than then there here what which whose how can could would should will
shall may might must have has had having any some all also just only not no yes please hi hello hey thanks
thank want wanted like need know tell let im ive id dont doesnt s t much many very really into out up
anything something there s whats hows wheres whos
understand exactly document question questions answer thing things stuff happen
happens example possible allowed able actually currently generally anyway okay ok exist exists say said ask
asking wondering wonder curious recently yesterday ago now guess maybe perhaps bit little sure become became
electricity electric energy ur u pls plz problem problems issue issues roughly sometimes guys guy folks lol btw according accordance`;

/**
 * Question words kept out of the stop list but weighed lightly (idf × LIGHT_WEIGHT): "who" tells
 * recipients and the controller from close topics without outweighing the topic word. ("can"
 * tried the same way pulled "which companies can access…" to access on the dev set.)
 */
export const LIGHT_WORDS: ReadonlySet<string> = new Set(['who']);
export const LIGHT_WEIGHT = 0.1;

const toSet = (list: string) => new Set(list.split(/\s+/).filter(Boolean));
export const STOP_WORDS: Record<Lang, ReadonlySet<string>> = { lv: toSet(LV), en: toSet(EN) };

/**
 * Customer-service topics of an electricity seller that the privacy policy never covers
 * (prices, tariffs, meters, outages, apps, jobs, contract renewals, refunds, products such as solar
 * panels…), and data topics it is silent on (cookies, security, leaks, a data protection officer,
 * children, CCTV, the cloud). A question built on one
 * of these is about something else even when another of its words matches the policy; folded prefixes.
 * Electricity itself is not here: it is the company's business, the context of many privacy questions.
 */
export const OFF_TOPIC =
  /^(cena|cenas|cenu|kwh|radijum|atslegum|parole|paroli|laikapstak|price|prices|pricing|outage|outages|login|logins|discount|discounts|app|apps|hiring|job|jobs|weather|joke|jokes|restaurant|pieslegums|pieslegumu|piesleguma|lauzt|extend|extension|renew|renewal|refund|refunds|leak|leaks|leaked|hack|hacked|hacker|hackers|secure|officer|dpo|cookie|cookies|penalty|penalties|camera|cameras|gas|gaze|gazi|gazes|promocode|coupon|coupons|kupons|kuponu|reminder|reminders|aws|azure|solar|panel|panels|saules|paneli|panelus|paneliem|cloud|clouds|kid|kids|child|children|childrens|minors|kamera|kameras|kameru|kameram|kamerus)$|^(tarif|skaititaj|lietotn|vakanc|tariff|meter|password|vacanc|kilovat|pagarin|sikdatn|noplud|uzlauz|hakeri|drosib|securit|encrypt|sifret|apgrozij|turnover|ligumsod|nepilngadig|bern|siltumsuk|uzlad|atlaid|cenrad|atgadinajum|makon|charger|renewabl|atjaunojam|cctv|videonov|surveil)/;

/**
 * Errands and questions the policy does not answer even when one of their words matches it.
 * Each pattern runs on folded text; a match scales the question's scores down.
 */
/** An errand pattern prefixed with this applies only to a question that names no data at all. */
const NOT_ABOUT_DATA = String.raw`^(?!.*\b(dati|datu|datus|datiem|datos|data|informacij\w*|information|info|details|personal|personas|privat\w*|privacy)\b)`;

const ERRANDS: string[] = [
  // paying, signing or ending a contract, becoming a partner — unless it is about data (the policy names contracts only as a purpose and a legal basis)
  String.raw`${NOT_ABOUT_DATA}.*(\b(ka|kur|how|where)\b.*\b(samaks\w*|apmaks\w*|nomaks\w*|maksat|pay|paying|payment)\b|\b(ka|kur|how|where|can|var\w*)\b.*\b(sign\w*|cancel\w*|terminat\w*|conclud\w*|end|close|get|noslegt|nosledz\w*|izbeigt|izbeidz\w*|parakst\w*|anul\w*|atteikt\w*|slegt|sledz\w*|dabut)\b.*\b(contract\w*|agreement\w*|ligum\w*)\b|\b(ka|kur|how|where)\b.*\b(contract\w*|agreement\w*|ligum\w*)\b.*\b(sign\w*|cancel\w*|terminat\w*|noslegt|izbeigt|parakstit|anulet)\b|\b(become|becoming|klut|kluvu)\b.*\b(partner\w*|partneri\w*)\b)`,
  // what something costs; opening hours
  String.raw`\bcik (maksa|izmaksa)\b`,
  String.raw`\bhow much\b.*\bcost`,
  String.raw`\b(darba laik\w*|opening hours|working hours|business hours|kad (jus )?strada\w*|are you open)\b`,
  // a data breach (the policy's "breach" is a breach of contract)
  String.raw`\b(data|datu) (breach\w*|leak\w*|noplud\w*)\b`,
  // a fee for a request or a copy of one's data
  String.raw`\b(fee|fees|charge\w*|pay|free|jamaksa|maksa|maksas|bezmaksas\w*|par brivu|par velti)\b.*\b(request\w*|cop(y|ies)|access|pieprasijum\w*|pieprasit|kopij\w*|izsniegs\w*|piekluv\w*)\b`,
  String.raw`\b(request\w*|cop(y|ies)|access|pieprasijum\w*|kopij\w*|izsniegs\w*|piekluv\w*)\b.*\b(fee|fees|charge\w*|pay|free|jamaksa|maksa|bezmaksas\w*|par brivu|par velti)\b`,
  // how soon a request is answered
  String.raw`\b(how many days|how long|how quickly|how fast|how soon|deadline|time limit|cik (ilgi|dienu|dienas|dienam|dienu laika|atri|ilga laika)|kada termina|termin\w*)\b.*\b(answer\w*|respond\w*|reply|replies|(ja)?atbild\w*|izskat\w*|reag\w*)\b`,
  String.raw`\b(answer\w*|respond\w*|reply|(ja)?atbild\w*|izskat\w*)\b.*\b(how many days|how long|how quickly|how soon|deadline|time limit|cik (ilgi|dienu|dienas|dienam|atri|ilga laika)|termin\w*)\b`,
  // a bill that is too high or did not arrive
  String.raw`\b(bill|bills|invoice\w*|rekin\w*)\b.*\b(high|higher|expensive|twice|bigger|lielak\w*|divreiz|darg\w*|augst\w*)\b`,
  String.raw`\b(bill|bills|invoice\w*|rekin\w*)\b.*\b(not (received|recieved|arrived|come)|didn t (get|receive|come|arrive)|never (came|arrived)|nav (atnac\w*|sanemt\w*|pienac\w*)|nesanem\w*|neatnac\w*|nepienac\w*)\b`,
  String.raw`\b(nav (atnac\w*|pienac\w*)|nesanemu|neesmu sanem\w*|haven t (got|received)|didn t (get|receive))\b.*\b(bill|bills|invoice\w*|rekin\w*)\b`,
  // moving house with a contract
  String.raw`\b(take|move|transfer|hand|nodot|parrakst\w*|parcelt|parvest|parnest) (\w+ ){0,3}(contract\w*|agreement\w*|ligum\w*)\b`,
  String.raw`\b(contract\w*|agreement\w*|ligum\w*)\b.*\b(new address|jaun\w* adres\w*|new flat|jauno dzivokli)\b`,
  String.raw`${NOT_ABOUT_DATA}.*\b(moving|move|moved|relocat\w*|parvack\w*|parvacos|parcel\w*)\b.*\b(contract\w*|agreement\w*|ligum\w*)\b`,
  // billing and contract administration: when or where to pay, contract terms, customer numbers, invoice copies, call-backs
  String.raw`${NOT_ABOUT_DATA}.*\b(kad|when|lidz kuram|until when|uz kuru|which account|kuru kontu)\b(?!.*\b(not|don t|dont|can t|cannot|never|unable)\b).*\b((ja)?samaks\w*|(ja)?apmaks\w*|parskaitit|pay|paying|payment|transfer the money)\b`,
  String.raw`${NOT_ABOUT_DATA}.*\b(due date|apmaksas termin\w*|samaksas termin\w*|payment reference|transfer the money)\b`,
  String.raw`${NOT_ABOUT_DATA}.*\b(iban|bank account|konta numur\w*|kontu|card|karti|kartes|cash|skaidra naud\w*)\b.*\b(pay|paying|samaks\w*|apmaks\w*|parskait\w*)\b`,
  String.raw`${NOT_ABOUT_DATA}.*\b(pay|paying|samaks\w*|apmaks\w*|parskait\w*)\b.*\b(iban|bank account|card|karti|kartes|cash|skaidra naud\w*)\b`,
  String.raw`${NOT_ABOUT_DATA}.*\b(noradit|norada|rakstit|jaraksta|write|put|enter)\b.*\b(maksajuma merk\w*|payment reference|reference)\b`,
  String.raw`\b(termination fee|early termination|exit fee|soda naud\w*)\b`,
  String.raw`\b(price|prices|cena|cenas|cenu|tarif\w*)\b.*\b(going up|increas\w*|rise|rising|higher|change|changes|changing|pieaug\w*|celas|mainas|mainis\w*|palielin\w*)\b`,
  String.raw`${NOT_ABOUT_DATA}.*\b(ligum\w*|contract\w*)\b.*\b(beidzas|beigsies|termin\w*|ends?|length|minimum|minimal\w*|automatic\w*|automatisk\w*|pagarin\w*)\b`,
  String.raw`${NOT_ABOUT_DATA}.*\b(minimal\w*|minimum|kad beidzas|when does)\b.*\b(ligum\w*|contract\w*)\b`,
  String.raw`\b(where|kur|find|atrast|atrodu|atrodams)\b.*\b(customer|client|klienta|liguma|contract) (number|numur\w*)\b`,
  String.raw`${NOT_ABOUT_DATA}.*(\b(cop(y|ies)|kopij\w*|duplicate|dublikat\w*)\b.*\b(invoice\w*|bill|bills|rekin\w*)\b|\b(invoice\w*|bill|bills|rekin\w*)\b.*\b(cop(y|ies)|kopij\w*|duplicate|dublikat\w*)\b)`,
  String.raw`${NOT_ABOUT_DATA}.*\b(change|mainit|nomainit|parcelt)\b.*\b(payment date|due date|apmaksas datum\w*|maksajuma datum\w*)\b`,
  String.raw`\b(call me|call me back|(pie|at)?zvaniet man|(pie|at)?zvanit man|atzvaniet)\b`,
  String.raw`\b(sadales tikl\w*|network fee|distribution fee)\b`,
  // signing up for offers or asking about current promotions (not how offers use one's data)
  String.raw`\b(sign up|signing up|subscribe|pieteikt\w*|pierakstit\w*)\b.*\b(newsletter\w*|jaunum\w*|offers|piedavajum\w*)\b`,
  String.raw`\b(akcij\w*|promotion\w*) (\w+ )?(tagad|now|currently|pasreiz|sobrid)\b|\b(tagad|now|currently|pasreiz|sobrid) (\w+ )?(akcij\w*|promotion\w*)|\bkadas akcijas\b|\bany (promotions|deals)\b|\bpromo codes?\b`,
  // a complaint about service or staff rather than about data
  String.raw`${NOT_ABOUT_DATA}.*\b(agent|operator\w*|technician|staff|employee\w*|darbiniek\w*|konsultant\w*|call cent\w*|customer service|klientu centr\w*)\b.*\b(complain about|file a complaint|make a complaint|lodge a complaint|sudzet\w*|sudzibu par|iesniegt sudzibu|ridiculous|rude|rupj\w*|hung up|never picks|neatbild\w*|nometa|nolika)\b`,
  String.raw`${NOT_ABOUT_DATA}.*\b(complain about|file a complaint|make a complaint|lodge a complaint|sudzet\w*|sudzibu par|iesniegt sudzibu|ridiculous|rude|rupj\w*|hung up|never picks|neatbild\w*)\b.*\b(agent|operator\w*|technician|staff|employee\w*|darbiniek\w*|konsultant\w*|call cent\w*|customer service|klientu centr\w*)\b`,
  String.raw`\b(offer|piedavajum\w*)\b.*\b(still valid|valid|deriga|derigs|speka)\b`,
  // which language to talk in
  String.raw`\b(runat|sarunaties|parunat|speak|talk|chat)\b.*\b(krievisk\w*|anglisk\w*|latvisk\w*|russian|english|latvian)\b`,
  // a data protection officer
  String.raw`\b(datu aizsardzibas|data protection) (specialist\w*|speciali\w*|inspektor\w*|atbildig\w*)\b`,
  // a power cut
  String.raw`\b(nav|no) (elektrib\w*|gaism\w*|strav\w*|electricity|power)\b`,
  String.raw`\bpower\w* (s |is )?(cut|out|down|off)\b`,
  String.raw`\bblackout\w*`,
  // which countries exactly (the policy names none)
  String.raw`\b(specific|exactly|exact|tiesi|precizi|nosauc\w*|name them|list)\b.*\b(countr\w*|valst\w*)\b`,
  String.raw`\b(countr\w*|valst\w*)\b.*\b(specific|exactly|exact|tiesi|precizi|nosauc\w*|name them)\b`,
  // small talk
  String.raw`\b(how are you|how s it going|how is it going|whats up|ka (tev |jums )?(iet|klajas|sokas))\b`,
];
export const OFF_TOPIC_QUESTION = new RegExp(ERRANDS.join('|'));
