import { describe, expect, it } from 'vitest';
import { asksCompanyContact, asksDefinition, detectExercise, objectsToUse } from '../../src/answers/intent.js';

describe('detectExercise', () => {
  it.each([
    ['dzēsiet manus datus', 'erasure'],
    ['I moved to a new provider, please wipe my data', 'erasure'],
    ['Pārgāju pie cita tirgotāja, lūdzu nosūtiet manus datus viņiem', 'portability'],
    ['gribu redzēt savus datus', 'access'],
    ['I want to see my data', 'access'],
    ['dzesiet manus datus', 'erasure'],
    ['gribu, lai izdzēšat manus datus', 'erasure'],
    ['Vai varat izdzēst visu informāciju par mani?', 'erasure'],
    ['I want to delete my account data', 'erasure'],
    ['Please erase everything you have on me.', 'erasure'],
    ['can you delete my account?', 'erasure'],
    ['send me a copy of my data', 'access'],
    ['Vēlos saņemt savu datu kopiju', 'access'],
    ['labojiet manu adresi', 'rectification'],
    ['My address is wrong, please update it', 'rectification'],
    ['ierobežojiet manu datu apstrādi', 'restriction'],
    ['I object to marketing', 'objection'],
    ['es iebilstu pret tiešo mārketingu', 'objection'],
    ['stop sending me marketing emails', 'objection'],
    ["I don't want to receive marketing anymore", 'objection'],
    ['please remove me from your mailing list', 'objection'],
    ["I'd like to transfer my data to another provider", 'portability'],
    ['vai varat manus datus nosūtīt citam elektrības tirgotājam', 'portability'],
    ['Please send my data to my new supplier', 'portability'],
    ['atsaukt piekrišanu', 'consent'],
    ['Es atsaucu savu piekrišanu datu apstrādei', 'consent'],
    ['I withdraw my consent', 'consent'],
    ['stop sending me ads', 'objection'],
    ['pārsūtiet manus datus citam uzņēmumam', 'portability'],
  ])('%s → %s', (text, right) => {
    expect(detectExercise(text)).toBe(right);
  });

  it.each([
    'vai es varu lūgt dzēst datus?',
    'will you give my data to some other company',
    'vai jūs nododat manus datus citam uzņēmumam?',
    'what is the right to erasure?',
    'Kā es varu dzēst savus datus?',
    'How do I delete my data?',
    'I want to know how to delete my data',
    'Kādas ir manas tiesības?',
    'Cik ilgi glabājat datus?',
    'What data do you have about me?',
    'datu dzēšana',
    'delete',
    'Can I withdraw my consent?',
    'Do you use my data for marketing?',
    'Vai jūs dzēšat datus pēc līguma beigām?',
    "I don't want you to delete my data",
    'If I delete my account, is my data deleted?',
    '',
    '🙂🙂',
    'who can see my data',
    'kas var redzēt manus datus',
  ])('asking, not exercising: %s', (text) => {
    expect(detectExercise(text)).toBeNull();
  });
});

describe('asksDefinition', () => {
  it.each(['Ko jūs uzskatāt par personas datiem?', 'ko nozime datu apstrade', 'define data processing', 'what do you mean by a client', 'am I a customer if I only visited the website', 'definitoin of a client', 'kā jūs izprotat apstrādi', 'ko jūs saucat par datu subjektu'])(
    'asks what a term means: %s',
    (text) => expect(asksDefinition(text)).toBe(true),
  );
  it.each([
    'Kādus datus jūs vācat?',
    'what is the legal basis for processing',
    'how long do you keep my data',
    'vai līguma parakstīšana nozīmē, ka piekrītu politikai?',
    'using the site means that I agree?',
  ])('does not: %s', (text) =>
    expect(asksDefinition(text)).toBe(false),
  );
});

describe('asksCompanyContact', () => {
  it.each(['jūsu uzņēmuma tālrunis un e-pasts?', 'what is the postal address of Kilowats', 'how can I contact your company', 'KILOWATS biroja adrese', 'gribu piezvanīt jums par saviem datiem, kāds ir numurs?'])(
    'the company’s own details: %s',
    (text) => expect(asksCompanyContact(text)).toBe(true),
  );
  it.each(['do you keep my phone number', 'vai glabājat manu e-pasta adresi', 'do you record calls to your hotline', 'how do I delete my account'])(
    'not: %s',
    (text) => expect(asksCompanyContact(text)).toBe(false),
  );
});

describe('objectsToUse', () => {
  it.each(['nepiekrītu, ka mani dati tiek lietoti statistikai', 'I disagree with you using my details for marketing', 'esmu pret to, ka apstrādājat manu tālruni', 'man nepatīk, ka manus datus lieto analīzēm'])(
    'disagrees with a use of data: %s',
    (text) => expect(objectsToUse(text)).toBe(true),
  );
  it.each(['nepiekrītu jūsu privātuma politikai', 'what if I do not agree with the policy', 'how do you use my data'])('not: %s', (text) =>
    expect(objectsToUse(text)).toBe(false),
  );
});
