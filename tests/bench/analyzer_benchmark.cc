// Throughput of text analysis (budget: >= 20 MB/s per core, as every stored article is analysed)
// and of highlighting. The input is generated in memory as ~2.4 KB articles of:
//  - English news prose: a few hundred distinct words with a Zipf-like spread, numbers, acronyms,
//    possessives, ~3% of words non-ASCII (typographic quotes, Kazakh or Russian names);
//  - the same without the non-ASCII words;
//  - Kazakh and Russian words only (every character goes through the non-ASCII path);
//  - random lowercase words, which defeat the stem cache (the stemmer's own speed);
//  - for AnalyzeTerms (indexing), batches of 1,000 articles drawn from a 50,000-word vocabulary
//    with Zipf frequencies (s = 1), about as many distinct words per batch as real news has.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "benchmark/benchmark.h"
#include "common/text/analyzer.h"
#include "common/text/highlighter.h"

namespace newsdb::text {
namespace {

class Random {
 public:
  uint32_t Next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state_ >> 33);
  }
  uint32_t Below(uint32_t n) { return Next() % n; }
  // Skewed towards small indices, like word frequencies.
  uint32_t Skewed(uint32_t n) { return Below(Below(n) + 1); }

 private:
  uint64_t state_ = 20231124;
};

constexpr std::string_view kEnglishWords[] = {
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "on",
    "for",
    "said",
    "with",
    "was",
    "by",
    "at",
    "is",
    "that",
    "from",
    "will",
    "has",
    "as",
    "be",
    "its",
    "are",
    "were",
    "it",
    "have",
    "this",
    "an",
    "which",
    "been",
    "also",
    "President",
    "Kazakhstan",
    "government",
    "ministry",
    "region",
    "city",
    "Astana",
    "Almaty",
    "development",
    "agreement",
    "project",
    "national",
    "international",
    "economic",
    "energy",
    "transport",
    "investment",
    "meeting",
    "program",
    "countries",
    "trade",
    "water",
    "summit",
    "new",
    "percent",
    "million",
    "tenge",
    "billion",
    "year",
    "years",
    "cooperation",
    "Minister",
    "reported",
    "according",
    "press",
    "service",
    "Tokayev",
    "heads",
    "state",
    "states",
    "construction",
    "increase",
    "production",
    "companies",
    "company",
    "agriculture",
    "grain",
    "wheat",
    "exports",
    "export",
    "import",
    "tariffs",
    "utilities",
    "heating",
    "electricity",
    "winter",
    "season",
    "districts",
    "streets",
    "residents",
    "workers",
    "snow",
    "roads",
    "railway",
    "airport",
    "passengers",
    "station",
    "schools",
    "teachers",
    "students",
    "education",
    "health",
    "hospitals",
    "doctors",
    "patients",
    "vaccination",
    "measures",
    "approved",
    "signed",
    "ratified",
    "discussed",
    "announced",
    "launched",
    "opened",
    "completed",
    "planned",
    "expected",
    "continued",
    "visited",
    "participated",
    "organized",
    "held",
    "took",
    "place",
    "part",
    "during",
    "after",
    "before",
    "between",
    "about",
    "more",
    "than",
    "first",
    "second",
    "last",
    "next",
    "week",
    "month",
    "Monday",
    "Thursday",
    "Friday",
    "regional",
    "local",
    "public",
    "private",
    "sector",
    "market",
    "prices",
    "growth",
    "budget",
    "funding",
    "financing",
    "support",
    "small",
    "medium",
    "businesses",
    "entrepreneurs",
    "digital",
    "technologies",
    "innovation",
    "infrastructure",
    "modernization",
    "reform",
    "reforms",
    "parliament",
    "Senate",
    "Mazhilis",
    "deputies",
    "law",
    "laws",
    "amendments",
    "court",
    "security",
    "defense",
    "border",
    "customs",
    "Eurasian",
    "Economic",
    "Union",
    "delegation",
    "official",
    "visit",
    "talks",
    "bilateral",
    "partnership",
    "strategic",
    "relations",
    "Uzbekistan",
    "Kyrgyzstan",
    "Russia",
    "China",
    "Turkey",
    "Germany",
    "Brussels",
    "Caspian",
    "Aktau",
    "Shymkent",
    "Turkistan",
    "Karaganda",
    "Pavlodar",
    "Kostanay",
    "oil",
    "gas",
    "pipeline",
    "refinery",
    "uranium",
    "mining",
    "metallurgical",
    "plant",
    "factory",
    "jobs",
    "employment",
    "salaries",
    "pensions",
    "social",
    "benefits",
    "housing",
    "apartments",
    "mortgage",
    "loans",
    "bank",
    "banks",
    "inflation",
    "rate",
    "rates",
    "currency",
    "tourism",
    "tourists",
    "festival",
    "culture",
    "museum",
    "theatre",
    "sports",
    "athletes",
    "championship",
    "Olympic",
    "medal",
    "team",
    "coach",
    "won",
    "lost",
    "match",
    "CSTO",
    "SCO",
    "CIS",
    "UN",
    "U.S.",
    "EU",
    "U.N.",
    "Kassym-Jomart",
    "Al-Farabi",
    "COVID-19",
    "2023",
    "2024",
    "15",
    "600",
    "2,500",
    "3.5",
    "4th",
    "$1mln",
    "Kazakhstan's",
    "country's",
    "o'clock",
};

// About 3% of words are not ASCII, as in the real dumps.
constexpr std::string_view kOtherWords[] = {
    "“quoted”",     "region’s",        "—",       "Тоқаев",
    "Қазақстан",    "Алматы",          "өңір",    "Астана",
    "Kazakhstan’s", "«Samruk-Kazyna»", "Әйгерім", "Жақсылықова",
};

constexpr std::string_view kKazakhRussianWords[] = {
    "Қазақстан",
    "Республикасының",
    "Президенті",
    "Қасым-Жомарт",
    "Тоқаев",
    "және",
    "мен",
    "облысы",
    "әкімдігі",
    "өңірі",
    "жылы",
    "бойынша",
    "туралы",
    "үшін",
    "Туркестан",
    "Алматы",
    "Астана",
    "министрлігі",
    "сәйкес",
    "жұмыс",
    "Президент",
    "Казахстана",
    "заявил",
    "что",
    "в",
    "на",
    "по",
    "и",
    "с",
    "года",
    "правительство",
    "министерство",
    "области",
    "региона",
    "развития",
    "сотрудничества",
    "соглашение",
    "2023",
    "млрд",
    "тенге",
    "проекта",
    "«Самрук»",
};

template <size_t N>
std::string GenerateText(const std::string_view (&words)[N], bool with_other_words, size_t bytes) {
  Random random;
  std::string text;
  text.reserve(bytes + 64);
  int in_sentence = 0;
  while (text.size() < bytes) {
    if (!text.empty()) text.push_back(' ');
    if (with_other_words && random.Below(100) < 3) {
      text.append(kOtherWords[random.Below(std::size(kOtherWords))]);
    } else {
      text.append(words[random.Skewed(N)]);
    }
    if (++in_sentence > 8 && random.Below(8) == 0) {
      text.push_back(random.Below(4) == 0 ? ',' : '.');
      in_sentence = 0;
    }
  }
  return text;
}

// ~2.4 KB articles, each analysed as one call.
std::vector<std::string> SplitArticles(const std::string& text) {
  std::vector<std::string> articles;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = std::min(text.size(), pos + 2400);
    while (end < text.size() && text[end] != ' ') ++end;
    articles.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return articles;
}

void RunAnalyze(benchmark::State& state, const std::vector<std::string>& articles) {
  Analyzer analyzer;
  std::vector<Token> tokens;
  size_t bytes = 0;
  size_t words = 0;
  for (auto _ : state) {
    for (const std::string& article : articles) {
      tokens.clear();
      analyzer.Analyze(article, 0, &tokens);
      bytes += article.size();
      words += tokens.size();
      benchmark::DoNotOptimize(tokens.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["words/s"] =
      benchmark::Counter(static_cast<double>(words), benchmark::Counter::kIsRate);
}

void BM_AnalyzeEnglishArticles(benchmark::State& state) {
  static const std::vector<std::string> articles =
      SplitArticles(GenerateText(kEnglishWords, true, 4u << 20));
  RunAnalyze(state, articles);
}
BENCHMARK(BM_AnalyzeEnglishArticles);

void BM_AnalyzeAsciiOnlyArticles(benchmark::State& state) {
  static const std::vector<std::string> articles =
      SplitArticles(GenerateText(kEnglishWords, false, 4u << 20));
  RunAnalyze(state, articles);
}
BENCHMARK(BM_AnalyzeAsciiOnlyArticles);

void BM_AnalyzeKazakhRussianArticles(benchmark::State& state) {
  static const std::vector<std::string> articles =
      SplitArticles(GenerateText(kKazakhRussianWords, false, 4u << 20));
  RunAnalyze(state, articles);
}
BENCHMARK(BM_AnalyzeKazakhRussianArticles);

// Worst case for the stem cache: random lowercase words, almost none seen twice.
void BM_AnalyzeRandomWords(benchmark::State& state) {
  static const std::vector<std::string> articles = [] {
    Random random;
    std::string text;
    while (text.size() < (4u << 20)) {
      if (!text.empty()) text.push_back(' ');
      const uint32_t length = 3 + random.Below(8);
      for (uint32_t i = 0; i < length; ++i)
        text.push_back(static_cast<char>('a' + random.Below(26)));
    }
    return SplitArticles(text);
  }();
  RunAnalyze(state, articles);
}
BENCHMARK(BM_AnalyzeRandomWords);

// Articles of words drawn from a Zipf-distributed vocabulary of made-up words (syllables), the
// most frequent being short English function words.
std::vector<std::string> ZipfArticles(size_t articles) {
  Random random;
  constexpr std::string_view kSyllables[] = {
      "ka",  "ra",  "to", "men", "sha", "lin", "der", "po", "ven", "tri", "sol", "ga", "nu",
      "bel", "mor", "zi", "qua", "ex",  "ul",  "fro", "mi", "sta", "pre", "on",  "de", "vi"};
  std::vector<std::string> vocabulary(std::begin(kEnglishWords), std::begin(kEnglishWords) + 25);
  while (vocabulary.size() < 50'000) {
    std::string word;
    const uint32_t syllables = 2 + random.Below(3);
    for (uint32_t i = 0; i < syllables; ++i)
      word += kSyllables[random.Below(std::size(kSyllables))];
    if (random.Below(4) == 0) word += random.Below(2) == 0 ? "ing" : "s";
    vocabulary.push_back(std::move(word));
  }
  std::vector<double> cumulative;
  double sum = 0;
  for (size_t rank = 1; rank <= vocabulary.size(); ++rank) cumulative.push_back(sum += 1.0 / rank);
  std::vector<std::string> result(articles);
  for (std::string& article : result) {
    while (article.size() < 2400) {
      const double target = sum * random.Next() / 2147483648.0;  // Next() has 31 bits
      const size_t rank =
          std::lower_bound(cumulative.begin(), cumulative.end(), target) - cumulative.begin();
      if (!article.empty()) article.push_back(random.Below(10) == 0 ? '.' : ' ');
      article += vocabulary[std::min(rank, vocabulary.size() - 1)];
    }
  }
  return result;
}

// Indexing's analysis: a new TermDictionary for each batch of 1,000 articles.
void BM_AnalyzeTermsZipfBatches(benchmark::State& state) {
  static const std::vector<std::string> articles = ZipfArticles(4000);
  Analyzer analyzer;
  std::vector<TermPosition> terms;
  size_t bytes = 0;
  size_t words = 0;
  size_t distinct = 0;
  size_t batches = 0;
  for (auto _ : state) {
    for (size_t batch = 0; batch < articles.size(); batch += 1000) {
      TermDictionary dictionary;
      terms.clear();
      for (size_t i = batch; i < batch + 1000; ++i) {
        analyzer.AnalyzeTerms(articles[i], 0, &dictionary, &terms);
        bytes += articles[i].size();
      }
      words += terms.size();
      distinct += dictionary.size();
      ++batches;
      benchmark::DoNotOptimize(terms.data());
    }
  }
  state.counters["terms/batch"] = static_cast<double>(distinct) / static_cast<double>(batches);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["words/s"] =
      benchmark::Counter(static_cast<double>(words), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AnalyzeTermsZipfBatches)->Unit(benchmark::kMillisecond);

void BM_QueryTerms(benchmark::State& state) {
  Analyzer analyzer;
  for (auto _ : state) {
    benchmark::DoNotOptimize(analyzer.Terms("Tokayev ratified the Kazakhstan–U.S. agreements"));
  }
}
BENCHMARK(BM_QueryTerms);

void BM_HighlightArticle(benchmark::State& state) {
  static const std::vector<std::string> paragraphs = [] {
    const std::string text = GenerateText(kEnglishWords, true, 2400);
    std::vector<std::string> result;
    for (size_t pos = 0; pos < text.size(); pos += 400) result.push_back(text.substr(pos, 400));
    return result;
  }();
  HighlightTerms match;
  for (std::string& term : ThreadLocalAnalyzer().Terms("summit water Tokayev")) {
    match.terms.insert(std::move(term));
  }
  const HighlightSpec spec;
  for (auto _ : state) {
    benchmark::DoNotOptimize(HighlightTitle("Tokayev attends the CSTO summit", match, spec));
    benchmark::DoNotOptimize(HighlightBody(paragraphs, match, spec));
  }
}
BENCHMARK(BM_HighlightArticle);

}  // namespace
}  // namespace newsdb::text

BENCHMARK_MAIN();
