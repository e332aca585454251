//! The language data of retrieval: SMS abbreviations, stop words and filler,
//! the Swahili/Sheng → English concept map, Swahili verb roots and "is-a"
//! relations, in English, Swahili and Sheng as written by customers in Kenya.
//!
//! Everything here is plain data, shared by every tenant, and holds no
//! tenant's documents. Entries are written in lower case without diacritics,
//! as [`crate::text`] produces them. A surface form may be a single word or a
//! phrase of up to three words ("saa ngapi", "lipa na mpesa"); phrases are
//! matched before single words.
//!
//! Canonical terms (the left column of [`CONCEPTS`]) are the words both the
//! documents and the messages are reduced to, so "bei ya gitaa", "guitar price"
//! and "how much does a guitar cost" all become `price guitar`. Several
//! canonical terms separated by a space mean "any of these" (kinanda →
//! keyboard or piano).

/// SMS and chat abbreviations: `short=long` pairs, separated by commas. The
/// long form may be several words; it is then looked up like normal text.
pub(crate) const ABBREVIATIONS: &str = "
hw=how, hws=how is, wat=what, wht=what, wot=what, wats=whats, whts=whats, u=you, yu=you,
ur=your, yr=your, r=are, y=why, pls=please, plz=please, plis=please, pliz=please, plx=please,
gd=good, 2day=today, tdy=today, 2moro=tomorrow, 2morrow=tomorrow, tmrw=tomorrow, tmr=tomorrow,
2nite=tonight, b4=before, n=and, nd=and, wen=when, whn=when, wer=where, whr=where, wea=where,
hv=have, cn=can, cud=could, wud=would, shd=should, abt=about, thx=thanks, thnx=thanks,
tnx=thanks, tnks=thanks, ty=thank you, tym=time, tyme=time, nyt=night, msg=message, ppl=people,
dnt=dont, im=i am, iam=i am, ive=i have, bt=but, btw=by the way, k=ok, kk=ok, okey=okay,
nt=not, nw=now, info=information, xaxa=sasa, sai=sasa, cc=sisi, xawa=sawa, ndo=ndio,
wtsp=whatsapp, whtsp=whatsapp, hmch=how much, hmuch=how much, gud=good
";

/// Words and phrases that carry no meaning for retrieval: English and
/// Swahili function words, greetings, politeness, Sheng filler, time deixis.
/// They are dropped before scoring. Separated by commas.
pub(crate) const STOP_WORDS: &str = "
a, about, above, after, again, against, all, also, am, an, and, any, anybody, anyone, anything,
are, arent, as, ask, asking, at, be, because, been, before, being, below, between, both, but, by,
can, cant, could, couldnt, did, didnt, do, does, doesnt, doing, dont, down, during, each, either,
else, even, ever, every, few, for, from, further, get, gets, getting, give, given, go, going,
gonna, got, had, has, have, having, he, her, here, hers, herself, him, himself, his, how, i, id,
if, ill, in, into, is, isnt, it, its, itself, ive, just, kindly, know, let, lets, like, looking,
look, may, maybe, me, might, mine, more, most, much, must, my, myself, need, needed, needs, no,
nor, not, now, of, off, ok, okay, on, once, only, or, other, others, our, ours, ourselves, out,
over, own, please, really, same, shall, she, should, so, some, someone, somebody, something,
still, such, sure, tell, than, that, thats, the, their, theirs, them, themselves, then, there,
these, they, this, those, through, to, too, under, until, up, us, very, want, wanted, wants,
wanna, was, we, well, were, what, whats, when, which, while, who, whom, whose, why, will, with,
within, without, would, yeah, yes, yet, you, youre, yours, yourself, yourselves, youve, thing,
things, stuff, item, items, product, products, kind, kinds, type, types, sort, one, ones, lot,
lots, many, any, able, possible, currently, today, tomorrow, tonight, yesterday, morning,
afternoon, evening, night, day, days, week, soon, later, asap, urgently, urgent, please, pls,
hi, hello, helo, hallo, hey, heey, hola, yo, sup, wassup, greetings, dear, sir, madam, maam,
boss, bro, bruh, brother, sis, sister, friend, guys, team, thanks, thank, welcome, cool, great,
nice, fine, alright, hmm, eh, ah, oh, lol, haha, want, wish, would, wondering, inquire, enquire,
inquiry, enquiry, information, question, questions, help, assist, see, use, using, make, take,
come, people, mean, said, say, think, also, there, anyway, exactly, exact, which, whether,
message, play, playing, son, daughter, wife, husband, mum, mom, dad, go, old, new, home, house,
place, people, still, again, around, near, nearby, next, last, first, second, third, per, via,
etc, eg, ie, much, many, gonna, gotta, ok, kwani, pia, otherwise, something, anything, would,
na, ya, wa, za, la, cha, vya, kwa, ni, si, je, kama, hii, hiyo, hizi, hizo, huyo, hilo, huo,
yako, yangu, wako, wangu, yenu, wenu, zenu, zako, zangu, chako, changu, lako, langu, yetu, wetu,
zetu, mko, uko, iko, ziko, kuna, tuko, niko, yuko, mpo, upo, ipo, zipo, kupo, hapa, hapo, huko,
pale, tu, sana, tena, sasa, leo, kesho, jana, bado, kitu, vitu, gani, nini, vipi, aje, mimi,
wewe, sisi, nyinyi, nyie, yeye, wao, hata, ata, lakini, au, ama, kwamba, ndio, ndiyo, ndo,
sawa, poa, safi, fiti, fresh, freshi, shwari, nzuri, habari, hujambo, jambo, sijambo, mambo,
niaje, sema, rada, karibu, asante, asanteni, shukran, shukrani, tafadhali, tafadhari, mathe,
msee, mse, wasee, bana, maze, manze, mzee, buda, beshte, chali, bradhe, mkuu, ndugu, dada,
kaka, rafiki, nami, nawe, naye, nao, nayo, nazo, nacho, navyo, kweli, hivi, hivyo, kabisa,
haraka, moja, mbili, bila, hadi, mpaka, kutoka, ndani, kwenu, kwangu, kwetu, nyumbani, mtaa,
asubuhi, mchana, jioni, usiku, nilikua, nilikuwa, ilikuwa, ningependa, tungependa, naeza,
mnaeza, unaeza, tunaeza, inaeza, anaeza, ju, juu, mi, wee, ka, nkt, hey, jo, ebu, hebu, kindly,
fanya, mnafanya, unafanya, nauliza, nimeskia, nimesikia, nadhani, kwani, basi, eeh, ee, aah,
ehe, mm, sijui, unajua, mnajua, ok, nipe, tupe, mpe, hapana, la, kwa nini, nini, yaani,
mna, mnazo, mnacho, mnavyo, tuna, tunazo, hamna, hakuna, kuna, available, availability, avail,
stock, stocks, stocked, in stock,
good morning, good afternoon, good evening, good day, good night, how are you, hope you are well
";

/// The concept map: `canonical: surface, surface, …` lines. Every surface
/// form (English inflections, Swahili, Sheng, common misspellings and
/// phrases) is replaced by its canonical term(s) in documents and messages
/// alike. Canonical terms are not stemmed again.
pub(crate) const CONCEPTS: &str = "
price: price, prices, pricing, priced, cost, costs, costing, bei, beii, charge, charges,
  charging, charged, fee, fees, rate, rates, how much, how mch, ngapi, ni ngapi, bei gani,
  pesa ngapi, pesa, money, doh, dooh, ganji, chapaa, expensive, cheap, cheaper, cheapest,
  affordable, budget, quote, quotation, mnadai, unadai, mnachaji, chaji, ksh, kes, shillings, bob
hour: hour, hours, time, times, timing, timings, schedule, saa, saa ngapi, what time
open: open, opens, opening, opened, close, closes, closing, closed, wazi, operating, operate,
  work, works, working, working hours
where: where, location, located, locate, locations, address, directions, direction, situated,
  wapi, mahali, pahali, find, pin, map, maps, landmark, get there, reach you
shop: shop, shops, store, stores, duka, maduka, outlet, premises, chemist, chemists, pharmacy,
  pharmacies, duka la dawa, salon, office, showroom
nairobi: nairobi, nbi, nrb, town, cbd, westlands, kilimani, kileleshwa, lavington, karen,
  langata, south b, south c, kasarani, roysambu, githurai, kahawa, ruaka, rongai, embakasi,
  donholm, buruburu, umoja, kayole, eastleigh, parklands, upperhill, upper hill, hurlingham,
  kawangware, kibera, dagoretti, syokimau, utawala, pipeline, komarock, zimmerman, kariobangi,
  mathare, huruma, pangani, ngara, industrial area, gigiri, runda, muthaiga, thika road,
  mombasa road, ngong road, madaraka estate, kangemi, uthiru, kitusuru, lang'ata, lavington
outside: outside, upcountry, countrywide, nationwide, nje, nje ya nairobi, other towns,
  mombasa, kisumu, nakuru, eldoret, thika, machakos, nyeri, meru, kakamega, kisii, kericho,
  naivasha, nanyuki, malindi, kitale, garissa, embu, bungoma, busia, kitui, narok, kajiado,
  kiambu, muranga, kilifi, lamu, voi, migori, homa bay, webuye, isiolo, nyahururu, kitengela,
  juja, ruiru, limuru, athi river, diani, ukunda, nyandarua, siaya, kenya, county, counties
delivery: deliver, delivers, delivering, delivered, delivery, deliveries, dliver, shipping, ship,
  ships, shipped, courier, couriers, rider, riders, boda, bodaboda, dispatch, transport,
  bring, brought, drop off, send it, send to, door delivery, doorstep
sell: sell, sells, selling, sold, seller, sellers, buy, buying, bought, purchase, purchasing,
  carry, supply, supplies,
  supplied, supplier, deal in, offer, offers, vendor
rent: rent, rents, renting, rented, rental, rentals, hire, hiring, lease, leasing, kodi
order: order, orders, ordering, ordered, reserve, reservation, reserving, reserved, book,
  booking, booked, preorder, pre order, set aside, keep for me
collect: collect, collection, collecting, pickup, pick up, pick it, pick later, pick them
pay: pay, paying, paid, payment, payments, malipo, accept, accepts, accepted, accepting,
  method, methods
mpesa: mpesa, m pesa, mpessa, mpsa, lipa na mpesa, paybill, pay bill, till, till number,
  paybill number, buy goods, mobile money, account number
cash: cash, taslimu, keshi, pesa taslimu, cash money
card: card, cards, visa, mastercard, kadi, credit card, debit card, bank card
bank: bank, bank transfer, transfer, cheque, rtgs, eft
phone: phone, phones, number, numbers, contact, contacts, call, calling, simu, namba, nambari,
  telephone, tel, cellphone, mobile number, phone number, line
person: person, human, agent, staff, attendant, representative, mtu, manager, owner,
  customer care, customer service, real person, someone to talk
talk: talk, speak, chat, ongea, kuongea, niongee, tuongee, zungumza, kuzungumza
guitar: guitar, guitars, gitaa, gita, gitar, magitaa
drum: drum, drums, drumset, drumsets, drumkit, drummer, ngoma, drum set, drum sets
keyboard: keyboard, keyboards
keyboard piano: kinanda, vinanda
piano: piano, pianos
instrument: instrument, instruments, ala, ala za muziki, vyombo, vyombo vya muziki
music: music, musical, muziki, mziki
lesson: lesson, lessons, class, classes, tuition, tutor, tutoring, tutors, teacher, teachers,
  teach, teaching, training, trainings, coaching, learn, learning, course, courses, funzo,
  mafunzo, masomo, somo, jifunza, kujifunza
repair: repair, repairs, repairing, repaired, fix, fixing, fixed, servicing, maintenance,
  broken, broke, spoilt, spoiled, damaged, faulty, not working, fundi, imeharibika,
  imeharibika, mbovu
setup: setup, set up, setting up, tune, tuning, restring
beginner: beginner, beginners, starter, starters, novice, newbie, newbies, mwanzo, mwanzilishi,
  first time, just starting, anzia, anayeanza, wanaoanza, naanza
best: best, good, ideal, suitable, recommend, recommended, recommendation, suggest, suggestion,
  pendekeza, ushauri
warranty: warranty, warranties, guarantee, guaranteed, guarantees, waranti, dhamana, garantii
return: return, returns, returning, returned, refund, refunds, refunded, money back,
  send back, take back, bring back
secondhand: secondhand, second hand, used, pre owned, preowned, mitumba, ex uk, refurbished
tradein: tradein, tradeins, trade in, trade ins, part exchange, exchange, swap
church: church, churches, kanisa, makanisa, choir, choirs, worship
school: school, schools, shule, college, colleges, university, campus, academy
bulk: bulk, wholesale, jumla, in bulk, large order
accessory: accessory, accessories
string: string, strings, nyuzi
cable: cable, cables, waya, cord, cords, jack cable
pick: pick, picks, plectrum, plectrums
amplifier: amplifier, amplifiers, amp, amps, ampli
monday: monday, mondays, jumatatu
tuesday: tuesday, tuesdays, jumanne
wednesday: wednesday, wednesdays, jumatano
thursday: thursday, thursdays, alhamisi
friday: friday, fridays, ijumaa
saturday: saturday, saturdays, jumamosi, sato
sunday: sunday, sundays, jumapili
saturday sunday: weekend, weekends, wikendi
holiday: holiday, holidays, sikukuu, public holiday, public holidays, christmas, xmas, easter,
  new year, madaraka day, mashujaa, jamhuri, labour day, idd
medicine: medicine, medicines, medication, medications, meds, drug, drugs, dawa, madawa
pill: pill, pills, tablet, tablets, tabs, vidonge, kidonge, capsule, capsules
prescription: prescription, prescriptions, prescribed, prescribe, rx, cheti ya daktari,
  cheti cha daktari, doctors note, cheti
pharmacist: pharmacist, pharmacists, mfamasia, pharmaceutist
doctor: doctor, doctors, daktari, madaktari, dr, doc, clinician, clinical officer, physician,
  consultation, consult
clinic: clinic, clinics, hospital, hospitals, hosi, hospitali, zahanati
insurance: insurance, insurer, insurers, insured, medical cover, insurance cover, bima, nhif, sha, aar,
  jubilee, britam, cic, madison, old mutual, medical scheme
pressure: blood pressure, bp, pressure, presha, hypertension, high blood
sugar: sugar, blood sugar, glucose, diabetes, diabetic, kisukari, sukari
test: test, tests, testing, tested, check, checks, checking, checkup, check up, screening,
  vipimo, kipimo, measure
pregnancy: pregnancy, pregnant, mimba
contraceptive: contraceptive, contraceptives, contraception, family planning, condom, condoms,
  morning after, morning after pill, emergency pill, p2, postinor, e pill
child: child, children, kid, kids, mtoto, watoto, toddler, toddlers
baby: baby, babies, infant, infants, newborn, newborns, mtoto mchanga
diaper: diaper, diapers, nappy, nappies, pampers, huggies
formula: formula, baby milk, lactogen, nan, maziwa ya mtoto
malaria: malaria, homa ya malaria
cough: cough, coughs, coughing, kikohozi
flu: flu, influenza, mafua, cold, colds, catarrh
fever: fever, homa, temperature
painkiller: painkiller, painkillers, pain killer, pain, pains, maumivu, headache, panadol,
  paracetamol, ibuprofen, brufen, hedex, aspirin, dawa ya maumivu
antibiotic: antibiotic, antibiotics, amoxyl, amoxil, amoxicillin, augmentin, flagyl, cipro
vitamin: vitamin, vitamins, multivitamin, multivitamins, vit
supplement: supplement, supplements, nutrition
skin: skin, skincare, skin care, ngozi, acne, pimples, chunusi, sunscreen, sun screen,
  moisturiser, moisturizer, moisturisers, moisturizers
injection: injection, injections, inject, jab, jabs, sindano
wound: wound, wounds, jeraha, kidonda, dressing, bandage
photo: photo, photos, picture, pictures, pic, pics, image, images, picha, screenshot
send: send, sending, sent, share, forward
whatsapp: whatsapp, watsapp, wasap, whatsap, watsap, dm, inbox
";

/// Swahili verb roots, as `meaning: root root …` lines. A root is the verb
/// without its final vowel; a word matches when it is a root preceded by
/// Swahili subject/tense/object prefixes and followed by a verb ending
/// ("mnafungua" = m-na-fungu-a, "tuletee" = tu-let-ee). The meaning `-` marks
/// verbs that carry no content for retrieval (want, can, ask …).
pub(crate) const VERB_ROOTS: &str = "
open: fungu fung
sell: uz nunu
delivery: let pelek
pay: lip kubal poke
repair: tengenez rekebish haribik
rent: kodish
lesson: fundish funz som
order: agiz hifadh
return: rudish
tradein: badilish
test: pim
injection: dung
talk: onge zungumz
phone: pig pigi
send: tum
beginner: anz
where: fik
collect: chuku
-: tak wez omb uliz pend saidi tafut ju kuw pat ambi chez on fany sem
";

/// Prefix morphemes a Swahili verb may carry (subject, negation, tense,
/// object, reflexive), in any sequence of up to four.
pub(crate) const VERB_PREFIXES: &str =
    "ni u a tu m mu mw wa i zi ki vi li ya ku na ta me nge ka ja ha hu si ji";

/// Verb endings after the root (final vowel, subjunctive, applicative,
/// passive, causative forms).
pub(crate) const VERB_ENDINGS: &str =
    "a e i ia ie ea ee wa we iwa ewa liwa lia lie ika eka ana ani eni iana wea";

/// "Is-a" relations, `general: specific specific …`. When a message names
/// something specific that the tenant's knowledge also names, entries that
/// only speak of the general class still match, at a reduced weight
/// ("do you repair guitars" → "Do you repair instruments?"). A term may
/// have several general classes.
pub(crate) const HYPERNYMS: &str = "
instrument: guitar drum keyboard piano violin saxophone trumpet flute bass ukulele harp
  accordion trombone cello clarinet mandolin banjo xylophone marimba
music: guitar drum keyboard piano violin saxophone trumpet flute bass ukulele harp
  accordion trombone cello clarinet mandolin banjo xylophone marimba instrument
accessory: string cable pick amplifier stand strap capo stick sticks pedal case tuner speaker
  microphone mic
medicine: pill painkiller antibiotic syrup antacid
";
