#include "services/query/query_parser.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/search/query_tree.h"
#include "common/status/field_errors.h"
#include "common/status/status_macros.h"
#include "common/text/analyzer.h"
#include "common/text/utf8.h"

namespace newsdb::query {
namespace {

using search::kMaxQueryDepth;
using search::kMaxQueryLeaves;
using search::kMaxQueryTextBytes;
using search::kMinPrefixCharacters;

absl::Status QueryError(absl::string_view description) {
  return status::InvalidFieldError("query", description);
}

std::string AtColumn(size_t column) { return absl::StrCat(" at column ", column); }

enum class TokenKind { kWord, kPhrase, kOpen, kClose, kMinus, kScope, kOr, kAnd, kNot, kEnd };

// Tokens refer to the decoded text by code-point index: [begin, end) is the word or the phrase
// content, and `begin` is where the token starts (for a phrase, its opening quote).
struct Token {
  TokenKind kind;
  size_t begin;
  size_t end;
  v1::SearchField field = v1::SEARCH_FIELD_UNSPECIFIED;

  size_t column() const { return begin + 1; }
};

// The query as code points, with the byte offset of each (plus one past the end), so that tokens
// can be sliced out of the original bytes and columns counted in code points.
struct DecodedText {
  std::string_view bytes;
  std::vector<char32_t> code_points;
  std::vector<size_t> offsets;

  size_t size() const { return code_points.size(); }
  std::string Slice(size_t begin, size_t end) const {
    return std::string(bytes.substr(offsets[begin], offsets[end] - offsets[begin]));
  }
};

absl::StatusOr<DecodedText> Decode(absl::string_view query_text) {
  DecodedText decoded;
  decoded.bytes = std::string_view(query_text.data(), query_text.size());
  size_t pos = 0;
  while (pos < decoded.bytes.size()) {
    const text::DecodedCodePoint cp = text::DecodeUtf8At(decoded.bytes, pos);
    if (!cp.valid) return QueryError(absl::StrCat("invalid UTF-8", AtColumn(decoded.size() + 1)));
    if (decoded.size() == kMaxQueryCharacters) {
      return QueryError(absl::StrCat("query is longer than ", kMaxQueryCharacters, " characters",
                                     AtColumn(decoded.size() + 1)));
    }
    decoded.code_points.push_back(cp.code_point);
    decoded.offsets.push_back(pos);
    pos += cp.length;
  }
  decoded.offsets.push_back(pos);
  return decoded;
}

bool IsSpace(char32_t c) { return text::IsUnicodeWhitespace(c); }

bool EndsWord(char32_t c) { return IsSpace(c) || c == '(' || c == ')' || c == '"'; }

// A word or phrase in which storage's analyser finds no word (only punctuation or symbols, like
// "&" or "--") could never match; it is ignored rather than turned into a leaf that matches
// nothing.
bool HasSearchableWord(const std::string& word_or_phrase) {
  return !text::ThreadLocalAnalyzer().Terms(word_or_phrase).empty();
}

std::optional<v1::SearchField> FieldNamed(const std::string& name) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower == "title") return v1::SEARCH_FIELD_TITLE;
  if (lower == "body") return v1::SEARCH_FIELD_BODY;
  if (lower == "credit") return v1::SEARCH_FIELD_CREDIT;
  return std::nullopt;
}

// A `name:` that reads as a field scope: an ASCII letter, then ASCII letters, digits or `_`, and a
// colon followed by something other than `/` (so `17:31` and `https://inform.kz` stay words).
bool LooksLikeFieldName(const std::vector<char32_t>& cps, size_t begin, size_t colon, size_t end) {
  auto letter = [](char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!letter(cps[begin])) return false;
  for (size_t i = begin + 1; i < colon; ++i) {
    if (!letter(cps[i]) && !(cps[i] >= '0' && cps[i] <= '9') && cps[i] != '_') return false;
  }
  return colon + 1 < end && cps[colon + 1] != '/';
}

bool IsKeyword(const DecodedText& decoded, size_t begin, size_t end, std::u32string_view keyword) {
  return std::u32string_view(decoded.code_points.data() + begin, end - begin) == keyword;
}

absl::StatusOr<std::vector<Token>> Tokenize(const DecodedText& decoded) {
  std::vector<Token> tokens;
  const size_t n = decoded.size();
  const auto& cps = decoded.code_points;
  // After `-` or `title:` the next token is an operand, so OR/AND/NOT there are plain words.
  bool attached = false;
  size_t i = 0;
  while (i < n) {
    const char32_t c = cps[i];
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    if (c == '(' || c == ')') {
      tokens.push_back({c == '(' ? TokenKind::kOpen : TokenKind::kClose, i, i + 1});
      ++i;
      attached = false;
      continue;
    }
    if (c == '"') {
      size_t close = i + 1;
      while (close < n && cps[close] != '"') ++close;
      if (close == n) {
        return QueryError(absl::StrCat("unterminated phrase starting", AtColumn(i + 1)));
      }
      tokens.push_back({TokenKind::kPhrase, i, close});
      i = close + 1;
      attached = false;
      continue;
    }
    if (c == '-' && i + 1 < n && !IsSpace(cps[i + 1]) && cps[i + 1] != ')') {
      tokens.push_back({TokenKind::kMinus, i, i + 1});
      ++i;
      attached = true;
      continue;
    }
    size_t end = i;
    while (end < n && !EndsWord(cps[end])) ++end;
    size_t colon = i;
    while (colon < end && cps[colon] != ':') ++colon;
    if (colon < end && colon > i) {
      const std::optional<v1::SearchField> field = FieldNamed(decoded.Slice(i, colon));
      if (field.has_value()) {
        if (colon + 1 == n || IsSpace(cps[colon + 1]) || cps[colon + 1] == ')') {
          return QueryError(absl::StrCat("field scope \"", decoded.Slice(i, colon + 1), "\"",
                                         AtColumn(i + 1), " has nothing after it"));
        }
        tokens.push_back({TokenKind::kScope, i, colon + 1, *field});
        i = colon + 1;
        attached = true;
        continue;
      }
      if (LooksLikeFieldName(cps, i, colon, end)) {
        return QueryError(absl::StrCat("unknown field \"", decoded.Slice(i, colon), "\"",
                                       AtColumn(i + 1),
                                       ": the fields are title, body and credit (to search for "
                                       "the text itself, quote it: \"",
                                       decoded.Slice(i, end), "\")"));
      }
    }
    TokenKind kind = TokenKind::kWord;
    if (!attached) {
      if (IsKeyword(decoded, i, end, U"OR")) kind = TokenKind::kOr;
      if (IsKeyword(decoded, i, end, U"AND")) kind = TokenKind::kAnd;
      if (IsKeyword(decoded, i, end, U"NOT")) kind = TokenKind::kNot;
    }
    tokens.push_back({kind, i, end});
    i = end;
    attached = false;
  }
  tokens.push_back({TokenKind::kEnd, n, n});
  return tokens;
}

enum class NodeKind { kTerm, kPhrase, kPrefix, kAllOf, kAnyOf, kNoneOf };

// The tree while parsing: like v1::Query, plus the column where each node starts, for errors
// found after simplification (nesting depth).
struct Node {
  NodeKind kind;
  size_t column;
  std::string text = {};
  v1::SearchField field = v1::SEARCH_FIELD_UNSPECIFIED;
  std::vector<Node> children = {};
};

// Nothing when every word of the operand was ignored.
using MaybeNode = std::optional<Node>;

MaybeNode MakeAnyOf(std::vector<Node> parts) {
  if (parts.empty()) return std::nullopt;
  if (parts.size() == 1) return std::move(parts.front());
  Node any_of{NodeKind::kAnyOf, parts.front().column};
  for (Node& part : parts) {
    if (part.kind == NodeKind::kAnyOf) {
      for (Node& child : part.children) any_of.children.push_back(std::move(child));
    } else {
      any_of.children.push_back(std::move(part));
    }
  }
  return any_of;
}

// Required parts stay in order; all exclusions merge into one none_of, the last child, because
// NOT a AND NOT b is "none of a, b". Only exclusions: the none_of alone ("everything except").
MaybeNode MakeAllOf(std::vector<Node> parts) {
  if (parts.empty()) return std::nullopt;
  if (parts.size() == 1) return std::move(parts.front());
  std::vector<Node> required;
  std::optional<Node> excluded;
  auto route = [&required, &excluded](Node part) {
    if (part.kind != NodeKind::kNoneOf) {
      required.push_back(std::move(part));
    } else if (!excluded.has_value()) {
      excluded = std::move(part);
    } else {
      for (Node& child : part.children) excluded->children.push_back(std::move(child));
    }
  };
  const size_t column = parts.front().column;
  for (Node& part : parts) {
    if (part.kind == NodeKind::kAllOf) {
      for (Node& child : part.children) route(std::move(child));
    } else {
      route(std::move(part));
    }
  }
  if (excluded.has_value()) required.push_back(*std::move(excluded));
  if (required.size() == 1) return std::move(required.front());
  Node all_of{NodeKind::kAllOf, column};
  all_of.children = std::move(required);
  return all_of;
}

// NOT (NOT (a OR b)) is a OR b, and NOT (a OR b) is "none of a, b".
Node MakeNoneOf(Node operand, size_t column) {
  if (operand.kind == NodeKind::kNoneOf) return *MakeAnyOf(std::move(operand.children));
  Node none_of{NodeKind::kNoneOf, column};
  if (operand.kind == NodeKind::kAnyOf) {
    none_of.children = std::move(operand.children);
  } else {
    none_of.children.push_back(std::move(operand));
  }
  return none_of;
}

class Parser {
 public:
  Parser(const DecodedText& decoded, std::vector<Token> tokens)
      : decoded_(decoded), tokens_(std::move(tokens)) {}

  absl::StatusOr<MaybeNode> ParseAll() {
    if (Peek().kind == TokenKind::kEnd) return MaybeNode();
    NEWSDB_ASSIGN_OR_RETURN(MaybeNode root, ParseOr(0, v1::SEARCH_FIELD_UNSPECIFIED));
    if (Peek().kind == TokenKind::kClose) return UnbalancedClose(Peek());
    return root;
  }

 private:
  const Token& Peek() const { return tokens_[next_]; }
  const Token& Take() { return tokens_[next_++]; }

  static bool StartsOperand(TokenKind kind) {
    return kind == TokenKind::kWord || kind == TokenKind::kPhrase || kind == TokenKind::kOpen ||
           kind == TokenKind::kMinus || kind == TokenKind::kNot || kind == TokenKind::kScope;
  }

  static absl::Status UnbalancedClose(const Token& token) {
    return QueryError(
        absl::StrCat("unbalanced \")\"", AtColumn(token.column()), ": no matching \"(\""));
  }

  static absl::Status MissingOperand(const Token& token, absl::string_view side) {
    const absl::string_view name = token.kind == TokenKind::kOr    ? "OR"
                                   : token.kind == TokenKind::kAnd ? "AND"
                                                                   : "NOT";
    return QueryError(absl::StrCat(name, AtColumn(token.column()), " has no operand ", side));
  }

  // or := and ("OR" and)*
  absl::StatusOr<MaybeNode> ParseOr(int depth, v1::SearchField field) {
    if (Peek().kind == TokenKind::kOr) return MissingOperand(Peek(), "on its left");
    std::vector<Node> parts;
    NEWSDB_ASSIGN_OR_RETURN(MaybeNode first, ParseAnd(depth, field));
    if (first.has_value()) parts.push_back(*std::move(first));
    while (Peek().kind == TokenKind::kOr) {
      const Token& op = Take();
      if (!StartsOperand(Peek().kind) && Peek().kind != TokenKind::kAnd) {
        return MissingOperand(op, "on its right");
      }
      NEWSDB_ASSIGN_OR_RETURN(MaybeNode part, ParseAnd(depth, field));
      if (part.has_value()) parts.push_back(*std::move(part));
    }
    return MakeAnyOf(std::move(parts));
  }

  // and := unary (["AND"] unary)*
  absl::StatusOr<MaybeNode> ParseAnd(int depth, v1::SearchField field) {
    if (Peek().kind == TokenKind::kAnd) return MissingOperand(Peek(), "on its left");
    std::vector<Node> parts;
    while (true) {
      if (Peek().kind == TokenKind::kAnd) {
        const Token& op = Take();
        if (!StartsOperand(Peek().kind)) return MissingOperand(op, "on its right");
      } else if (!StartsOperand(Peek().kind)) {
        break;
      }
      NEWSDB_ASSIGN_OR_RETURN(MaybeNode part, ParseUnary(depth, field));
      if (part.has_value()) parts.push_back(*std::move(part));
    }
    return MakeAllOf(std::move(parts));
  }

  // unary := ("-" | "NOT" | scope)* primary. A loop rather than recursion: chains of operators
  // cost no stack, and an even number of negations cancels out.
  absl::StatusOr<MaybeNode> ParseUnary(int depth, v1::SearchField field) {
    int negations = 0;
    size_t negation_column = 0;
    while (true) {
      const Token& token = Peek();
      if (token.kind == TokenKind::kMinus || token.kind == TokenKind::kNot) {
        Take();
        if (token.kind == TokenKind::kNot && !StartsOperand(Peek().kind)) {
          return MissingOperand(token, "after it");
        }
        if (negations == 0) negation_column = token.column();
        ++negations;
      } else if (token.kind == TokenKind::kScope) {
        Take();
        field = token.field;
      } else {
        break;
      }
    }
    NEWSDB_ASSIGN_OR_RETURN(MaybeNode operand, ParsePrimary(depth, field));
    if (!operand.has_value() || negations % 2 == 0) return operand;
    return MakeNoneOf(*std::move(operand), negation_column);
  }

  // primary := word | phrase | "(" or ")"
  absl::StatusOr<MaybeNode> ParsePrimary(int depth, v1::SearchField field) {
    const Token& token = Take();
    switch (token.kind) {
      case TokenKind::kWord:
        return MakeWord(token, field);
      case TokenKind::kPhrase:
        return MakePhrase(token, field);
      case TokenKind::kOpen: {
        if (depth + 1 > kMaxQueryDepth) {
          return QueryError(absl::StrCat("nesting deeper than ", kMaxQueryDepth, " levels",
                                         AtColumn(token.column())));
        }
        if (Peek().kind == TokenKind::kClose) {
          return QueryError(absl::StrCat("empty parentheses", AtColumn(token.column())));
        }
        NEWSDB_ASSIGN_OR_RETURN(MaybeNode inner, ParseOr(depth + 1, field));
        if (Peek().kind != TokenKind::kClose) {
          return QueryError(
              absl::StrCat("unbalanced \"(\"", AtColumn(token.column()), ": no matching \")\""));
        }
        Take();
        return inner;
      }
      case TokenKind::kClose:
        return UnbalancedClose(token);
      default:
        // The callers only descend when StartsOperand() holds.
        return absl::InternalError(
            absl::StrCat("query parser: no operand", AtColumn(token.column())));
    }
  }

  absl::Status CountLeaf(size_t column) {
    if (++leaves_ > kMaxQueryLeaves) {
      return QueryError(absl::StrCat("more than ", kMaxQueryLeaves,
                                     " words and phrases: the next one starts", AtColumn(column)));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<MaybeNode> MakeWord(const Token& token, v1::SearchField field) {
    for (size_t i = token.begin; i < token.end; ++i) {
      if (decoded_.code_points[i] != '*') continue;
      if (i + 1 != token.end) {
        return QueryError(absl::StrCat("\"*\"", AtColumn(i + 1), " is not at the end of a word"));
      }
      if (i == token.begin) {
        return QueryError(absl::StrCat("\"*\"", AtColumn(i + 1), " has no word before it"));
      }
    }
    const bool is_prefix = decoded_.code_points[token.end - 1] == '*';
    std::string word = decoded_.Slice(token.begin, is_prefix ? token.end - 1 : token.end);
    if (word.size() > kMaxQueryTextBytes) {
      return QueryError(absl::StrCat("word", AtColumn(token.column()), " is longer than ",
                                     kMaxQueryTextBytes, " bytes"));
    }
    if (!HasSearchableWord(word)) return MaybeNode();
    if (is_prefix && search::PrefixCharacters(word) < kMinPrefixCharacters) {
      return QueryError(absl::StrCat("prefix", AtColumn(token.column()),
                                     " must be one word of at least ", kMinPrefixCharacters,
                                     " letters or digits before \"*\""));
    }
    NEWSDB_RETURN_IF_ERROR(CountLeaf(token.column()));
    return Node{is_prefix ? NodeKind::kPrefix : NodeKind::kTerm, token.column(), std::move(word),
                field};
  }

  absl::StatusOr<MaybeNode> MakePhrase(const Token& token, v1::SearchField field) {
    std::string phrase = decoded_.Slice(token.begin + 1, token.end);  // between the quotes
    if (phrase.size() > kMaxQueryTextBytes) {
      return QueryError(absl::StrCat("phrase", AtColumn(token.column()), " is longer than ",
                                     kMaxQueryTextBytes, " bytes"));
    }
    if (!HasSearchableWord(phrase)) return MaybeNode();
    NEWSDB_RETURN_IF_ERROR(CountLeaf(token.column()));
    return Node{NodeKind::kPhrase, token.column(), std::move(phrase), field};
  }

  const DecodedText& decoded_;
  std::vector<Token> tokens_;
  size_t next_ = 0;
  int leaves_ = 0;
};

// Column of the first node (pre-order) deeper than kMaxQueryDepth, if any. Parentheses nest at
// most kMaxQueryDepth deep and each level adds at most three tree levels, so recursion is bounded.
std::optional<size_t> FindTooDeep(const Node& node, int depth) {
  if (depth > kMaxQueryDepth) return node.column;
  for (const Node& child : node.children) {
    if (std::optional<size_t> column = FindTooDeep(child, depth + 1)) return column;
  }
  return std::nullopt;
}

void ToProto(const Node& node, v1::Query& out) {
  v1::BooleanQuery* children = nullptr;
  switch (node.kind) {
    case NodeKind::kTerm:
      out.mutable_term()->set_text(node.text);
      out.mutable_term()->set_field(node.field);
      return;
    case NodeKind::kPhrase:
      out.mutable_phrase()->set_text(node.text);
      out.mutable_phrase()->set_field(node.field);
      return;
    case NodeKind::kPrefix:
      out.mutable_prefix()->set_prefix(node.text);
      out.mutable_prefix()->set_field(node.field);
      return;
    case NodeKind::kAllOf:
      children = out.mutable_all_of();
      break;
    case NodeKind::kAnyOf:
      children = out.mutable_any_of();
      break;
    case NodeKind::kNoneOf:
      children = out.mutable_none_of();
      break;
  }
  for (const Node& child : node.children) ToProto(child, *children->add_queries());
}

}  // namespace

absl::StatusOr<v1::Query> ParseQuery(absl::string_view query_text) {
  NEWSDB_ASSIGN_OR_RETURN(const DecodedText decoded, Decode(query_text));
  NEWSDB_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(decoded));
  Parser parser(decoded, std::move(tokens));
  NEWSDB_ASSIGN_OR_RETURN(const MaybeNode root, parser.ParseAll());
  if (!root.has_value()) return QueryError("query has no searchable words");
  if (const std::optional<size_t> column = FindTooDeep(*root, 1)) {
    return QueryError(
        absl::StrCat("nesting deeper than ", kMaxQueryDepth, " levels", AtColumn(*column)));
  }
  v1::Query query;
  ToProto(*root, query);
  // The parser enforces every limit itself, with columns; this only guards against its bugs.
  const absl::Status valid = search::ValidateQuery(query, "query");
  if (!valid.ok()) {
    return absl::InternalError(
        absl::StrCat("query parser built an invalid tree: ", valid.message()));
  }
  return query;
}

}  // namespace newsdb::query
