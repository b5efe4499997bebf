#!/usr/bin/env python3
"""gen_corpus.py - newsdb's own deterministic generator of feed-dump corpora.

Writes synthetic news-feed dumps in the format newsdb ingests (docs/feed-format.md):

     date 2023-11-23 22.11.2023, 17:31 5811      <- leading space, capture date glued to 1st header
    Title line
    Images | Akorda                              <- about 80% of articles
    Paragraph line ...
    - bullet item                                <- some articles have a bullet list
    21.11.2023, 10:18 12951                      <- next article (newest first)

Usage:
  gen_corpus.py --articles N --out DIR [--seed S] [--start-date YYYY-MM-DD] [--years Y]
                [--workers W]
  gen_corpus.py --print-vocabulary        # the word list the corpus is drawn from (see below)

Output: one or more files per calendar month, `feed-YYYY-MM-PP.txt`, PP counting from the
oldest part, so sorting the names sorts them chronologically. Each file is at most 4,000,000
bytes, lists its articles newest first, and starts with ` date YYYY-MM-DD ` (the capture date,
40 minutes to 3 days after its newest article) glued to its first header. UTF-8, `\\n` line
ends, no blank lines, each file ends with `\\n`.

Statistics:
- Words follow a Zipf law (s = 1) over a 50,000-word vocabulary: ~130 English function words on
  top, then ~450 English news words (with inflections, so stemming merges forms as in real text),
  then synthetic words built from syllables (shorter ones more frequent). The vocabulary does not
  depend on --seed, so corpora of any size share query terms.
- Each article has a topic: a few mid-frequency words and 1-3 recurring names (from a pool of
  ~2,000 people, places and organisations with Zipf frequency, ~10% Cyrillic/Kazakh, e.g.
  Тоқаев), repeated through its paragraphs, plus fixed collocations ("foreign affairs"),
  so AND and phrase queries hit real co-occurrences.
- Articles are 2-3 KB (triangular, mean ~2.4 KB), 3-12 paragraphs; ~12% have a bullet list;
  ~80% have a credit line, credits Zipf-distributed over ~200 agencies and organisations.
- Publication times are local (Asia/Almaty) wall-clock times spread over --years years from
  --start-date (weekdays busier than weekends, daytime busier than night, +30% growth over the
  period). Views = 6000 * age^1.1 (days; logarithmic after 30 days) * per-article popularity
  (log-normal) * noise: older articles have more views.

--print-vocabulary writes tab-separated `kind<TAB>text` lines, each kind in rank order
(most frequent first): `word` (the 50,000 words; rank = position among the word lines),
`phrase` (collocations), `name` (people, places, organisations), `credit`.

Determinism: the same arguments give byte-identical files (with the same Python 3 minor
version), whatever --workers is: every month is generated from its own seeded random stream.
"""

import argparse
import bisect
import gc
import datetime as dt
import itertools
import math
import multiprocessing
import operator
import os
import random
import sys
import time

VOCAB_SEED = "newsdb-vocabulary-v1"
VOCAB_SIZE = 50000
TABLE_BITS = 22  # word sampling table of 2^22 slots
MAX_FILE_BYTES = 4_000_000
HEADER_RESERVE = 32  # "DD.MM.YYYY, HH:MM VIEWS\n" is at most 30 bytes
BYTES_PER_WORD_FACTOR = 1.125  # calibrates article sizes: sampled words gain commas, names, leads

FUNCTION_WORDS = """
the of and to in a that is for on was with as by at from it be has said its are have this
will were which an not he they also been their his but or after more had who than about
one two new would over all can into other up under there year between first out most she
her we our these those such when while last some both any may only per since then because
through including however already each many should could must being before where three four
five own very so if no what how them him us just now today within among across several around
without during against further well next i you do did does made make well still much even
""".split()

NEWS_WORDS = """
president minister government country countries state states development develop developed
developing cooperation cooperate meeting meetings international national people security
economic economy economies republic parliament region regions regional report reports
reported agency news according head issue issues relations relation work works worked
working project projects program programs support supported council committee ministry
foreign affairs public social invest investment investments investor investors trade
trading energy business businesses world capital city cities official officials deputy
chairman secretary general prime visit visits visited visiting talks agreement agreements
agree agreed summit forum session partner partners partnership sector sectors industry
industries industrial growth grow growing financial finance bank banks market markets
company companies production produce produced infrastructure transport logistics education
health healthcare science research digital technology technologies innovation innovative
environment environmental climate water agriculture agricultural farmer farmers tourism
tourist tourists culture cultural sport sports youth women children family families citizen
citizens population law laws legislation reform reforms policy policies strategy plan plans
planned initiative initiatives measure measures condition conditions situation question
questions potential level levels importance important attention effort efforts role process
processes implementation implement implemented construction build building built
modernization service services system systems centre center department office
administration authority authorities governor mayor district districts province local
community communities election elections vote voters candidate candidates campaign court
justice police crime emergency military defence army border borders peace conflict
humanitarian aid assistance million billion percent tenge dollars budget fund funds price
prices export exports import imports oil gas mining power electricity plant plants railway
road roads airport flight flights aviation space satellite internet media press journalist
journalists television statement interview conference event events exhibition festival
anniversary ceremony award awards delegation embassy ambassador diplomatic bilateral
multilateral joint mutual strategic friendly stressed noted emphasized added told stated
announce announced announcement discuss discussed discussion signed sign held hold took
participate participated participation attended received welcomed expressed underlined
pointed highlighted praised proposed proposal approved adopted launched launch opened open
met reached increase increased increasing expected continue continued focused key major main
significant special particular successful effective sustainable modern current recent
previous annual daily early high higher large largest small great good best better strong
total average number share rate decrease period january february march april june july
august september october november december monday tuesday wednesday thursday friday
saturday sunday week weeks month months morning evening day days hospital school schools
university universities student students teacher teachers doctor doctors patient patients
vaccine vaccination pandemic coronavirus cases infection transportation cargo container
corridor route routes highway bridge wheat grain harvest livestock meat exporter
enterprise enterprises entrepreneur entrepreneurs employment jobs worker workers salary
salaries pension pensions housing apartment apartments utility utilities heating
""".split()

COLLOCATIONS = """
foreign affairs|prime minister|head of state|bilateral cooperation|state visit|working visit
press service|national economy|foreign investment|climate change|public health|digital
transformation|free trade|social support|energy security|economic growth|trade turnover
|transport corridor|renewable energy|small and medium business|agricultural products|
official visit|strategic partnership|security council|human rights|real estate|oil and gas
|supreme court|central bank|state program|local authorities|joint venture|green economy|
customs union|interest rate|food security|water resources|higher education|the head of state
|the foreign minister|the ministry of health|the national bank|the prime minister|
the president of kazakhstan|the deputy prime minister|the press service of the president|
memorandum of understanding|investment climate|business community|public services|
industrial zone|special economic zone|capital investment|national interests|mutual trust
|regional integration|international community|the united nations|the european union|
the shanghai cooperation organisation|the collective security treaty organization|
the eurasian economic union|the belt and road initiative|the caspian sea|central asia
|the middle east|the year before|at the same time|in the near future|according to the ministry
|as part of the visit|on the sidelines of the forum|in accordance with the agreement
""".replace("\n", "").split("|")

FIRST_NAMES = """
Aidos Askar Marat Yerlan Nurlan Daniyar Timur Ruslan Serik Bolat Kairat Arman Azamat Yerzhan
Dauren Almas Berik Galym Zhanibek Samat Saule Aigerim Gulnara Dana Zhanar Aliya Madina Assel
Dinara Kamila Ainur Gaukhar Aruzhan Botagoz Laura Asem Meruert Symbat Zarina Akmaral John
Maria Anna Peter Michael David James Elena Olga Sergei Ivan Dmitry Li Wei Zhang Chen Ahmed
Mehmet Ali Fatima Hassan Yusuf Kenji Hiroshi Min-jun Ji-woo Rahul Priya Carlos Sofia Luca
Hans Pierre Jean Ingrid Lars Omar Rustam Shavkat Emomali Sadyr Ilham Nikol Irakli
""".split()

CYR_FIRST = """
Ерлан Айгерім Нұрлан Сәуле Асқар Гүлнар Данияр Жанар Мұрат Әсел Бақыт Ғалым Қайрат Өмірзақ
Ұлан Мәди Дәулет Әлия Жансая Ләззат Серік Болат Арман Бауыржан Ақжол Қуаныш Айдос Мөлдір
""".split()

CYR_SYLLABLES = """
ақ бай бек бол ғали дәу ер жан жақ қан қай қыз мұх нұр сай сұл тай тал тоқ тұр ұл шәр әбі
өмір есен қас ман сер ар ас ам ет ғаз кен мыр
""".split()

PLACES = """
Astana Almaty Shymkent Karaganda Aktobe Taraz Pavlodar Oskemen Semey Kostanay Kyzylorda
Atyrau Aktau Turkistan Petropavl Kokshetau Taldykorgan Zhezkazgan Ekibastuz Baikonur
Tashkent Bishkek Dushanbe Ashgabat Baku Tbilisi Yerevan Moscow Beijing Ankara Berlin Paris
London Washington Tokyo Seoul Abu-Dhabi Doha Brussels Geneva Vienna Minsk Kazan Urumqi
Samarkand Istanbul Tehran Riyadh Cairo Delhi Hanoi Jakarta Warsaw Budapest Rome Madrid
Kazakhstan China Russia Uzbekistan Kyrgyzstan Tajikistan Turkmenistan Azerbaijan Georgia
Armenia Turkey Iran Germany France Italy Japan Korea India Vietnam Qatar Egypt Hungary
""".split()

CYR_PLACES = """
Астана Алматы Шымкент Қарағанды Ақтөбе Түркістан Өскемен Қостанай Атырау Ақтау Тараз Павлодар
Семей Қызылорда Көкшетау Талдықорған Жезқазған Қазақстан Маңғыстау Жетісу Ұлытау Абай
""".split()

FIELDS = """
Health Education Energy Finance Justice Agriculture Culture Defence Ecology Industry
Transport Labour Trade Digital-Development Tourism Sports Emergencies Science Information
Foreign-Affairs Internal-Affairs National-Economy Water-Resources
""".split()

REAL_CREDITS = [
    "Akorda", "Kazinform", "Xinhua", "primeminister.kz", "Depositphotos", "gov.kz",
    "Shutterstock", "Freepik", "Reuters", "AP", "AFP", "TASS", "Anadolu", "EPA",
    "Getty Images", "Pixabay", "Unsplash", "mfa.gov.kz", "odkb-csto.org", "Senate press service",
    "Majilis press service", "Astana akimat", "Almaty akimat", "Shymkent akimat",
    "Samruk-Kazyna", "KTZ", "KazMunayGas", "Kazpost", "NOC Kazakhstan", "UNICEF", "WHO", "UN",
    "Kazinform archive", "Open sources", "Sputnik", "RIA Novosti", "Trend", "AKIpress",
    "UzA", "Kabar", "Khovar", "Turkmenistan Today", "APA", "Armenpress", "Interpressnews",
    "BelTA", "Yonhap", "Kyodo", "IRNA", "WAM", "QNA", "MENA", "PAP", "MTI", "ANSA", "EFE",
    "dpa", "ТАСС", "Ақорда", "Kazakh Invest", "Baiterek", "Kazatomprom", "Air Astana",
    "Astana International Financial Centre", "Nazarbayev University", "Astana Opera",
    "Kazakhstan Temir Zholy", "QazaqGaz", "Kazakhtelecom", "National Bank of Kazakhstan",
]

TITLE_VERBS = ["receives", "meets", "signs", "discusses", "visits", "holds", "attends",
               "launches", "opens", "approves", "adopts", "announces", "urges", "calls for",
               "congratulates", "addresses", "chairs", "welcomes", "names", "presents",
               "to visit", "to attend", "to hold", "to discuss"]
SAY_VERBS = ["said", "noted", "stressed", "added", "emphasized", "stated", "underlined"]
ROLES = ["President", "Prime Minister", "Minister", "Deputy Minister", "Chairman",
         "Ambassador", "Governor", "Mayor", "Secretary General", "Senator", "Speaker",
         "Head of the department", "Director", "spokesperson"]
LEADS = [", Kazinform News Agency reports.", ", Kazinform News Agency correspondent reports.",
         ", the press service of {org} reports.", ", {org} informs.",
         ", Presidential press service reports.", ", Xinhua reports.",
         ", Kazinform News Agency reports via {org}.", ", Kazinform Agency cites {org}."]

ONSETS = ["b", "d", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "sh", "ch", "kh",
          "zh", "tr", "br", "st", "gr", "pl", "", "", "", "f", "h", "y", "j", "w"]
VOWELS = ["a", "e", "i", "o", "u", "a", "e", "o", "ai", "ei", "ou", "ia", "ya", "ue"]
CODAS = ["", "", "", "n", "r", "l", "m", "s", "t", "k", "nd", "rt", "st", "x", "ng"]
SUFFIXES = [""] * 12 + ["s", "s", "s", "ed", "ed", "ing", "ing", "er", "ers", "ation",
                        "ations", "ment", "ments", "ly", "ity", "ness", "al", "ic", "ism",
                        "ist", "ize", "ized", "ous", "ful", "less", "able"]
LAST_SUFFIXES = ["ov", "ev", "ova", "eva", "uly", "kyzy", "bayev", "bekov", "enko", "son",
                 "ski", "ic", "escu", "ani", "ez", "sen", "berg", "man", "oglu", "yan", "in"]
CYR_LAST_SUFFIXES = ["ов", "ев", "ова", "ева", "ұлы", "қызы", "баев", "беков", "ин"]
PLACE_SUFFIXES = ["stan", "abad", "grad", "ia", "land", "burg", "tau", "kent", "ovo", "sk",
                  "pol", "ton", "ville", "kol", "dar", "sai", "bulak", "esh"]
ORG_PATTERNS = ["Ministry of {f}", "{p} Regional Administration", "{s} Group", "{s} Holding",
                "{p} University", "{f} Development Fund", "Committee for {f}",
                "{p} Chamber of Commerce", "{s} Foundation", "Bank of {p}", "{s} Corporation",
                "{p} {f} Agency", "{s}"]

MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def zipf_cum(n, s, q):
    return list(itertools.accumulate(1.0 / (r + q) ** s for r in range(1, n + 1)))


def syllable_word(rng, nsyl):
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)
                   for _ in range(nsyl))


class Vocabulary:
    """Everything that does not depend on --seed: words, names, credits, sampling tables."""

    def __init__(self):
        rng = random.Random(VOCAB_SEED)
        words = list(dict.fromkeys(FUNCTION_WORDS))
        taken = set(words)
        news = [w for w in dict.fromkeys(NEWS_WORDS) if w not in taken]
        rng.shuffle(news)
        words += news
        taken.update(news)
        for phrase in COLLOCATIONS:
            taken.update(phrase.split())
        synthetic = []
        while len(words) + len(synthetic) < VOCAB_SIZE:
            w = syllable_word(rng, rng.choice((1, 2, 2, 2, 3, 3))) + rng.choice(SUFFIXES)
            if 3 <= len(w) <= 14 and w not in taken:
                taken.add(w)
                synthetic.append(w)
        # Shorter words are more frequent, as in real text (with some noise).
        keyed = sorted((len(w) + rng.random() * 6, i) for i, w in enumerate(synthetic))
        words += [synthetic[i] for _, i in keyed]
        self.words = words

        # Word sampling table: word r fills about 2^22 * p(r) slots (at least one).
        cum = zipf_cum(len(words), 1.0, 1.5)
        total = cum[-1]
        size = 1 << TABLE_BITS
        table = []
        prev = 0
        for r, w in enumerate(words):
            end = max(prev + 1, round(cum[r] / total * size))
            table.extend([w] * (end - prev))
            prev = end
        self.table = table[:size] + [words[0]] * max(0, size - len(table))
        self.mean_word_bytes = sum(len(w) + 1 for w in self.table) / len(self.table)

        self.collocations = list(COLLOCATIONS)
        self.colloc_cum = zipf_cum(len(self.collocations), 1.0, 2.0)

        self.names = self._names(rng)
        self.name_cum = zipf_cum(len(self.names), 1.0, 3.0)

        credits = list(REAL_CREDITS)
        seen = set(credits)
        while len(credits) < 200:
            c = self._org(rng)
            if rng.random() < 0.3:
                c = c + " press service"
            if c not in seen:
                seen.add(c)
                credits.append(c)
        self.credits = credits
        self.credit_cum = zipf_cum(len(credits), 1.1, 1.0)

    def _person(self, rng):
        if rng.random() < 0.1:
            last = (rng.choice(CYR_SYLLABLES) + rng.choice(CYR_SYLLABLES)).capitalize()
            return rng.choice(CYR_FIRST) + " " + last + rng.choice(CYR_LAST_SUFFIXES)
        if rng.random() < 0.5:
            first = rng.choice(FIRST_NAMES)
        else:
            first = syllable_word(rng, rng.choice((1, 2, 2))).capitalize()
        last = syllable_word(rng, rng.choice((1, 2))).capitalize() + rng.choice(LAST_SUFFIXES)
        if rng.random() < 0.08:
            last = last + "-" + syllable_word(rng, 1).capitalize()
        return first + " " + last

    def _place(self, rng):
        return syllable_word(rng, rng.choice((1, 2))).capitalize() + rng.choice(PLACE_SUFFIXES)

    def _org(self, rng):
        pattern = rng.choice(ORG_PATTERNS)
        return pattern.format(f=rng.choice(FIELDS).replace("-", " "),
                              p=rng.choice(PLACES + [self._place(rng)]),
                              s=syllable_word(rng, 2).capitalize())

    def _names(self, rng):
        fixed = ["Tokayev", "Kassym-Jomart Tokayev", "Тоқаев"]
        seen = set(fixed)
        pool = []
        for n in [p.replace("-", " ") for p in PLACES] + CYR_PLACES:
            if n not in seen:
                seen.add(n)
                pool.append(n)
        while len(fixed) + len(pool) < 2000:
            k = rng.random()
            if k < 0.6:
                n = self._person(rng)
            elif k < 0.8:
                n = self._place(rng)
            else:
                n = self._org(rng)
            if n not in seen:
                seen.add(n)
                pool.append(n)
        rng.shuffle(pool)
        return fixed + pool


def month_segments(start, years):
    """[(year, month, first_day, n_days)] covering [start, start + years)."""
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28)
    segs = []
    d = start
    while d < end:
        nxt = (d.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        stop = min(nxt, end)
        segs.append((d.year, d.month, d.day, (stop - d).days))
        d = stop
    return segs, end


def allocate(n, weights):
    """Largest-remainder split of n into len(weights) integer parts."""
    total = sum(weights)
    raw = [n * w / total for w in weights]
    parts = [int(x) for x in raw]
    rest = n - sum(parts)
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[:rest]:
        parts[i] += 1
    return parts


def day_weight(day, start, span_days):
    w = 1.0 + 0.3 * (day - start).days / span_days
    return w * (0.6 if day.weekday() >= 5 else 1.0)


HOUR_WEIGHTS = [0.15, 0.1, 0.05, 0.05, 0.05, 0.1, 0.4, 0.9, 1.6, 2.0, 2.1, 2.1, 1.8, 1.9,
                2.0, 2.0, 1.9, 1.7, 1.4, 1.1, 0.9, 0.7, 0.5, 0.3]
MINUTE_CUM = list(itertools.accumulate(HOUR_WEIGHTS[m // 60] for m in range(1440)))


class ArticleWriter:
    """Generates article texts (without header) from one seeded random stream."""

    def __init__(self, vocab, rng):
        self.v = vocab
        self.rng = rng
        self.mask = bytes(i & ((1 << (TABLE_BITS - 16)) - 1) for i in range(256))

    def sample_words(self, k):
        """k words from the Zipf table, in C loops (randbytes + itemgetter)."""
        if k <= 0:
            return []
        b = bytearray(self.rng.randbytes(4 * k))
        b[3::4] = bytes(k)
        b[2::4] = b[2::4].translate(self.mask)
        idx = memoryview(b).cast("I")
        if k == 1:
            return [self.v.table[idx[0]]]
        return list(operator.itemgetter(*idx)(self.v.table))

    def name(self):
        v = self.v
        return v.names[bisect.bisect(v.name_cum, self.rng.random() * v.name_cum[-1])]

    def colloc(self):
        v = self.v
        return v.collocations[bisect.bisect(v.colloc_cum, self.rng.random() * v.colloc_cum[-1])]

    def credit(self):
        v = self.v
        return v.credits[bisect.bisect(v.credit_cum, self.rng.random() * v.credit_cum[-1])]

    def paragraph(self, nwords, topic, entities, first):
        """One paragraph of about nwords words."""
        rng = self.rng
        ws = self.sample_words(nwords)
        n = len(ws)
        rnd = rng.random
        # topic words, collocations and entities replace sampled words
        nt = len(topic)
        for _ in range(n // 25 + (rnd() < 0.7)):
            ws[int(rnd() * n)] = topic[int(rnd() * nt)]
        for _ in range(n // 40 + (rnd() < 0.5)):
            ws[int(rnd() * n)] = self.colloc()
        ne = len(entities)
        for _ in range(n // 50 + (rnd() < 0.6)):
            ws[int(rnd() * n)] = entities[int(rnd() * ne)] if rnd() < 0.6 else self.name()
        if rnd() < 0.15:
            ws[int(rnd() * n)] = (str(rng.randrange(2, 2000)) if rnd() < 0.5
                                  else "{:,}".format(rng.randrange(1000, 900000)))
        for _ in range(n // 11):
            i = int(rnd() * n)
            if ws[i][-1] != ",":
                ws[i] = ws[i] + ","
        sentences = []
        i = 0
        while i < n:
            j = i + 7 + int(rnd() * 20)
            if j > n - 4:
                j = n
            s = " ".join(ws[i:j]).rstrip(",")
            sentences.append(s[:1].upper() + s[1:])
            i = j
        if first and rnd() < 0.6:
            sentences[0] = sentences[0] + rng.choice(LEADS).format(org=self.credit())
        else:
            sentences[0] += "."
        for k in range(1, len(sentences)):
            x = rnd()
            if x < 0.08:
                who = entities[0] if rnd() < 0.5 else rng.choice(ROLES).lower() + " " + self.name()
                q = "" if rnd() < 0.4 else "“"
                sentences[k] = q + sentences[k] + ", " + rng.choice(SAY_VERBS) + " " + who + "."
            else:
                sentences[k] += "."
        if rnd() < 0.04:
            rr = rng.randrange
            y, m, d = rr(2000, 2030), rr(1, 13), rr(1, 29)
            sentences.insert(rr(len(sentences) + 1), f"On {d:02d}.{m:02d}.{y} it was noted.")
        return " ".join(sentences)

    def article(self):
        """Returns (text_without_header, has_credit)."""
        rng = self.rng
        v = self.v
        rnd = rng.random
        rr = rng.randrange
        topic = [v.words[int(math.exp(rng.uniform(math.log(150), math.log(12000))))]
                 for _ in range(rr(3, 7))]
        entities = [self.name() for _ in range(rr(1, 4))]
        # title
        tw = self.sample_words(rr(4, 10))
        tw[rr(len(tw))] = topic[0]
        if rnd() < 0.5:
            title = entities[0] + " " + rng.choice(TITLE_VERBS) + " " + " ".join(tw)
        else:
            if rnd() < 0.3:
                tw.append("in " + self.name())
            title = " ".join(tw)
            title = title[:1].upper() + title[1:]
        lines = [title]
        if rnd() < 0.8:
            lines.append("Images | " + self.credit())
        target = rng.triangular(2000, 3000, 2200)
        body_bytes = target - len(title) - 30 - (len(lines[-1]) if len(lines) > 1 else 0)
        npar = rr(3, 13)
        weights = [rng.uniform(0.4, 1.6) for _ in range(npar)]
        wsum = sum(weights)
        words_total = body_bytes / (v.mean_word_bytes * BYTES_PER_WORD_FACTOR)
        bullet_at = rr(1, npar) if npar >= 4 and rnd() < 0.12 else -1
        for p in range(npar):
            nw = max(5, round(words_total * weights[p] / wsum))
            if p == bullet_at:
                items = rr(2, 6)
                per = max(3, nw // (items + 1))
                lines.append(self.paragraph(per, topic, entities, False).rstrip(".") + ":")
                for _ in range(items):
                    item = " ".join(self.sample_words(rr(3, max(4, per)))).replace(",", "")
                    lines.append("- " + item[:1].upper() + item[1:] + (";" if rnd() < 0.3 else ""))
            else:
                lines.append(self.paragraph(nw, topic, entities, p == 0))
        if rnd() < 0.01:
            # a body line that starts like a header but is not one (parsers must keep it as body)
            lines.insert(2 if len(lines) > 2 else 1,
                         f"{rr(1, 29):02d}.{rr(1, 13):02d}.{rr(2000, 2030)}, {rr(0, 24):02d}:"
                         f"{rr(0, 60):02d} local time, the ceremony began.")
        return "\n".join(lines) + "\n"


def views_for(age_days, popularity, rng):
    age = max(age_days, 0.02)
    if age <= 30:
        f = age ** 1.1
    else:
        f = 30 ** 1.1 * (1.0 + 0.6 * math.log(age / 30))
    return max(1, int(6000 * popularity * f * rng.lognormvariate(0.0, 0.2)))


VOCAB = None


def get_vocab():
    global VOCAB
    if VOCAB is None:
        VOCAB = Vocabulary()
    return VOCAB


def generate_month(task):
    """Writes the dumps of one month; returns [(path, articles, bytes)]."""
    seed, out, year, month, first_day, ndays, count, day_weights = task
    rng = random.Random(f"newsdb-corpus:{seed}:{year:04d}-{month:02d}")
    writer = ArticleWriter(get_vocab(), rng)
    day_cum = list(itertools.accumulate(day_weights))
    stamps = []
    for _ in range(count):
        d = first_day + bisect.bisect(day_cum, rng.random() * day_cum[-1])
        m = bisect.bisect(MINUTE_CUM, rng.random() * MINUTE_CUM[-1])
        stamps.append((d, m))
    stamps.sort()
    # generate oldest first: (stamp, text bytes, popularity)
    arts = []
    total = 0
    for d, m in stamps:
        text = writer.article().encode("utf-8")
        arts.append((d, m, text, rng.lognormvariate(0.0, 0.7)))
        total += len(text) + HEADER_RESERVE
    budget = MAX_FILE_BYTES - 20
    nparts = max(1, math.ceil(total / (budget - 100_000)))
    target = total / nparts
    parts = []
    cur = []
    size = 0
    for a in arts:
        sz = len(a[2]) + HEADER_RESERVE
        if cur and (size + sz > budget or (size >= target and len(parts) < nparts - 1)):
            parts.append(cur)
            cur, size = [], 0
        cur.append(a)
        size += sz
    if cur:
        parts.append(cur)
    results = []
    for pi, part in enumerate(parts):
        newest = dt.datetime(year, month, part[-1][0], part[-1][1] // 60, part[-1][1] % 60)
        capture = newest + dt.timedelta(minutes=rng.uniform(40, 3 * 24 * 60))
        chunks = [f" date {capture:%Y-%m-%d} ".encode()]
        for d, m, text, pop in reversed(part):
            pub = dt.datetime(year, month, d, m // 60, m % 60)
            age = (capture - pub).total_seconds() / 86400.0
            chunks.append(f"{d:02d}.{month:02d}.{year:04d}, {m // 60:02d}:{m % 60:02d} "
                          f"{views_for(age, pop, rng)}\n".encode())
            chunks.append(text)
        data = b"".join(chunks)
        assert len(data) <= MAX_FILE_BYTES, len(data)
        path = os.path.join(out, f"feed-{year:04d}-{month:02d}-{pi + 1:02d}.txt")
        with open(path, "wb") as f:
            f.write(data)
        results.append((path, len(part), len(data)))
    return results


def print_vocabulary():
    v = get_vocab()
    out = sys.stdout
    for kind, items in (("word", v.words), ("phrase", v.collocations), ("name", v.names),
                        ("credit", v.credits)):
        out.write("".join(f"{kind}\t{x}\n" for x in items))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.split("\n")[1:]))
    ap.add_argument("--articles", type=int, help="number of articles to write")
    ap.add_argument("--out", help="output directory (created if missing)")
    ap.add_argument("--seed", default="1", help="corpus seed (default 1)")
    ap.add_argument("--start-date", default="2020-01-01", help="first publication day")
    ap.add_argument("--years", type=int, default=5, help="years of publication dates (default 5)")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                    help="generator processes (output does not depend on it)")
    ap.add_argument("--print-vocabulary", action="store_true",
                    help="print the vocabulary (kind<TAB>text, rank order) and exit")
    args = ap.parse_args()
    if args.print_vocabulary:
        print_vocabulary()
        return 0
    if args.articles is None or args.out is None:
        ap.error("--articles and --out are required")
    if args.articles < 1 or args.years < 1:
        ap.error("--articles and --years must be positive")
    start = dt.date.fromisoformat(args.start_date)
    t0 = time.monotonic()
    segs, end = month_segments(start, args.years)
    span = (end - start).days
    seg_day_weights = []
    for y, m, fd, nd in segs:
        seg_day_weights.append([day_weight(dt.date(y, m, fd + i), start, span) for i in range(nd)])
    counts = allocate(args.articles, [sum(w) for w in seg_day_weights])
    os.makedirs(args.out, exist_ok=True)
    tasks = [(args.seed, args.out, y, m, fd, nd, c, w)
             for (y, m, fd, nd), c, w in zip(segs, counts, seg_day_weights) if c > 0]
    get_vocab()  # built once; forked workers inherit it
    gc.freeze()  # keep the shared tables out of the collector (no copy-on-write in workers)
    files = arts = nbytes = 0
    if args.workers > 1:
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            results = pool.imap(generate_month, tasks)
            for res in results:
                for _, a, b in res:
                    files += 1
                    arts += a
                    nbytes += b
    else:
        for t in tasks:
            for _, a, b in generate_month(t):
                files += 1
                arts += a
                nbytes += b
    secs = time.monotonic() - t0
    print(f"articles {arts} files {files} bytes {nbytes} ({nbytes / 1e6:.1f} MB, "
          f"{nbytes / max(arts, 1):.0f} B/article) seconds {secs:.1f} "
          f"({nbytes / 1e6 / max(secs, 1e-9):.1f} MB/s) out {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
