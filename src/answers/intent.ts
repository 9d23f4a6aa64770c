import { normalize, truncate } from './normalize.js';
import type { Right } from './schema.js';

/*
 * Tells "do it" from "tell me about it". A text exercises a right when it names the right's
 * action AND is phrased as a request (imperative, "I want", "please", "can you", first person
 * "I object", a bare Latvian infinitive) rather than as a question about the right ("can I…",
 * "what is…", "how do I…"). Patterns run on folded text, so "dzesiet" = "dzēsiet".
 */

const MARKETING = String.raw`(marketing\w*|mark[e]?tin\w*|reklam\w*|advert\w*|ads|newsletter\w*|mailing\w*|jaunum\w*|piedavajum\w*|offers|promo\w*|sms|zvan\w*|calls)`;

/** Checked in order: the narrow patterns (consent, portability, marketing opt-out) first. */
const RIGHT_PATTERNS: [Right, RegExp][] = [
  ['consent', /\b(atsauc\w*|atsauk\w*|atteik\w*|withdraw\w*|revok\w*|retract\w*)\b.*\b(piekrisan\w*|consent\w*)|\b(piekrisan\w*|consent\w*)\b.*\b(atsauc\w*|atsauk\w*|withdraw\w*|revok\w*)\b/],
  ['portability', /\b(parnes\w*|portab\w*|export\w*|machine readable|masinlasam\w*|transfer\w* (my |all )?(personal )?data to|move (my |all )?(personal )?data)\b/],
  ['objection', new RegExp(String.raw`\b(iebilst\w*|iebilde\w*|object\w*|opt(ing)? out|unsubscrib\w*|atrakstit\w*)\b|\b(stop\w*|partrauc\w*|beidz\w*|parstaj\w*|nesutiet|nezvaniet|remove me|izslegt\w*|izsledziet|dont send|do not send|don t send|don t want|do not want|negribu|nevelos)\b.*\b${MARKETING}\b|\b${MARKETING}\b.*\b(stop\w*|partrauc\w*|nesutiet|unsubscrib\w*|no more)\b`)],
  ['erasure', /\b(iz)?dze[s]\w*|\b(delete\w*|erase\w*|erasure|remove\w*|wipe\w*|forget me|aizmirst\w*|iznicin\w*|destroy\w*|gone)\b/],
  ['rectification', /\b(iz)?labo\w*|\b(nomain\w*|mainit|atjaunin\w*|correct\w*|rectif\w*|fix|update|amend\w*|change|nepareiz\w*)\b/],
  ['restriction', /\b(ierobez\w*|restrict\w*|limit\w*|iesald\w*|freez\w*|suspend\w*)\b/],
  ['objection', /\b(stop (using|processing)|partrauciet (izmantot|apstradat)|neapstradajiet|beidziet)\b/],
  // "another supplier" alone: the data is to go there, unless erasure or another right is named above
  ['portability', /\b(cit\w*|another|other|new)\b( \w+)? (uznemum\w*|tirgotaj\w*|sniedzej\w*|provider\w*|compan\w*|supplier\w*)\b/],
  ['access', /\b(kopij\w*|piekluv\w*|redzet|apskatit|see|view|copy|copies|access|izsniedz\w*|atsutiet|nosutiet|send me|give me|show me|paradiet|download\w*|lejupield\w*)\b/],
];

/** Imperatives and first-person declarations: a request even inside a longer question. */
const DIRECT = new RegExp(
  [
    String.raw`\b(iz)?(dzesiet|labojiet|nosutiet|atsutiet|parsutiet|parnesiet|izsniedziet|ierobezojiet|partrauciet|parstajiet|nomainiet|mainiet|atjauniniet|paradiet)\b`,
    String.raw`\b(iebilstu|atsaucu|pieprasu|atteicos|neapstradajiet|nesutiet|nezvaniet)\b`,
    String.raw`(?<!\b(can|could|may|might|should|do|would|shall|will|how|when|if|where) )\b(i object|i withdraw|i revoke|i opt out|i unsubscribe|i do not consent|i dont consent|i no longer consent|i request|i demand|i m requesting|i am requesting)\b`,
    String.raw`\bplease (delete|erase|remove|wipe|send|give|show|correct|fix|update|change|stop|restrict|limit|export|transfer|unsubscribe|forget)\b`,
    String.raw`^(please )?(delete|erase|remove|wipe|forget|send|give|show|correct|fix|update|change|stop|restrict|limit|export|transfer|withdraw|revoke|unsubscribe)\b`,
  ].join('|'),
);

/** "I don't want marketing": a request only to stop something, i.e. an objection. */
const NOT_WISH = /\b(negribu|nevelos|negribam|don t want|do not want|no longer want)\b/;
/** Wishes: a request unless the wish is to know or understand something. */
const WISH = /\b(gribu|gribetu|velos|veletos|vajag|ludzu|lugums|lugtu|lai (jus )?\w+at|i want|i wanna|i d like|i would like|i wish|i need|please|pls|kindly)\b/;
const KNOW = /\b(uzzinat|zinat|saprast|noskaidrot|pastastiet|paskaidrojiet|izskaidrojiet|informacij\w*|tiesibas|tiesibam|tiesibu|know|understand|learn|find out|explain|tell me|information|right to|rights|ask about|how|kapec|why)\b/;

// "Will you give my data to…" asks what the company does; "could you" asks it to act.
const POLITE = /\bvai (jus )?(varat|varetu|varetat)\b|\b(can|could|would) you\b/;
const ABOUT_POLITE = /\b(right|rights|tiesibas|how|what|why|when|ka|kapec|kads|kada|kadi|kadas|kad|cik|tell|explain|pastastit|paskaidrot)\b/;

/** A bare Latvian infinitive: "dzēst manus datus", "atsaukt piekrišanu". */
const INFINITIVE = /^(iz)?(dzest|labot|izlabot|atsaukt|ierobezot|iebilst|parnest|izsniegt|nosutit|atsutit|partraukt|nomainit)\b/;

/*
 * Each check below reads the folded text; `norm` is normalize(truncate(text)), passed in by a
 * caller that runs several checks on one message so it is folded once.
 */

/** The right the user wants to exercise now, or null when they ask about something. */
export function detectExercise(text: string, norm = normalize(truncate(text))): Right | null {
  // one word ("delete", "dzēšana") names a topic, it does not ask for anything
  if (!norm.includes(' ')) return null;
  const right = RIGHT_PATTERNS.find(([, pattern]) => pattern.test(norm))?.[0];
  if (!right) return null;
  if (DIRECT.test(norm)) return right;
  if (WISH.test(norm) && !KNOW.test(norm)) return right;
  if (right === 'objection' && NOT_WISH.test(norm) && !KNOW.test(norm)) return right;
  if (POLITE.test(norm) && !ABOUT_POLITE.test(norm)) return right;
  if (INFINITIVE.test(norm) && !text.includes('?')) return right;
  return null;
}

/**
 * "What do you mean by…", "ko uzskatāt par…", "am I a client if…": the user asks what a term
 * means, which the definitions section answers. Only explicit cues; a bare "what is" is too common.
 */
const DEFINITION =
  /\b(defin\w*|meaning|jusu izpratn\w*|izprotat|mean by|means(?! (that|i|you|we|my))|counts? as|qualif\w* as|considered|regarded as|am i (a|an|your) (client|customer)|is (a|an) (client|customer)|definicij\w*|nozime(?! ka)|nozimet|(?!uzskatu ka)uzskat\w*|skaitos|skaitas|esmu (jusu )?klient\w*|ir klient\w*|ko (jus )?sauc\w*|saprotat ar|ko (jus )?(ar (to|so|sito) )?(saprotat|domajat)|class(ed|ify)? as|what do you mean|atskiras no|differ(s|ent)? from|difference between)\b/;

/** The cue words themselves: in a definition question only the term asked about tells entries apart. */
export const DEFINITION_CUE = /^(defin\w*|qualif\w*|meaning|izpratn\w*|izprotat|mean|means|considered|regarded|definicij\w*|nozime|nozimet|uzskat\w*|skaitos|skaitas|saucat|saprotat|domajat|class|classed|classify|atskiras|differ|differs|different|difference)$/;

export function asksDefinition(text: string, norm = normalize(truncate(text))): boolean {
  return DEFINITION.test(norm);
}

/**
 * "Your phone and e-mail", "KILOWATS postal address": the company's own contact details (the
 * controller section), not the contact data it keeps about the customer ("my phone number").
 */
const CONTACT_DETAILS = /\b(telefon\w*|talrun\w*|numur\w*|e ?past\w*|epast\w*|adres\w*|phone\w*|e ?mail\w*|address\w*|adress\w*|contact\w*|kontakt\w*)\b/;
const COMPANY = /\b(jusu|your|ur|yours|kilowats\w*|company|companys|uznemum\w*|firm\w*|office|biroj\w*|reach you|sazinaties ar jums|contact you|call you|write to you|(pie)?zvanit jums|(uz)?rakstit jums)\b/;
/** "My phone number": the customer's own contact data. */
const MINE = /\b(my|mine|mans|mana|manu|manus|mani|manas|manam|savu|savus|savs|sava) (\w+ )?(phone\w*|numb\w*|e ?mail\w*|address\w*|adress\w*|contact\w*|details|telefon\w*|talrun\w*|numur\w*|e ?past\w*|epast\w*|adres\w*|kontakt\w*)\b/;
/** "Do you collect anything when I call your hotline": data about the customer again. */
const KEEPING = /\b(collect\w*|gather\w*|store\w*|keep\w*|record\w*|process\w*|vac\w*|savac\w*|glaba\w*|uzglaba\w*|apstrad\w*|ierakst\w*)\b/;

export function asksCompanyContact(text: string, norm = normalize(truncate(text))): boolean {
  return CONTACT_DETAILS.test(norm) && COMPANY.test(norm) && !MINE.test(norm) && !KEEPING.test(norm);
}

/**
 * "Es nepiekrītu, ka izmantojat manus datus reklāmai — ko darīt?": disagreeing with a use of
 * one's data is the right to object, whereas disagreeing with the policy itself is its acceptance.
 */
const DISAGREE = /\b(nepiekrit\w*|nepiekrist\w*|esmu pret|neesmu ar mieru|negribu|nevelos|pateikt ne|disagree\w*|don t agree|do not agree|dont agree|i m against|i am against|not ok with|not okay with|don t want|do not want|dont want|say no|nepatik|don t like|do not like|dont like)\b/;
const USE_OF_DATA = /\b(izmanto\w*|apstrad\w*|lieto\w*|use|using|uses|used|process\w*|reklam\w*|marketing|advertis\w*)\b/;
const THE_POLICY = /\b(politik\w*|policy|noteikum\w*|terms)\b/;

export function objectsToUse(text: string, norm = normalize(truncate(text))): boolean {
  return DISAGREE.test(norm) && USE_OF_DATA.test(norm) && !THE_POLICY.test(norm);
}
