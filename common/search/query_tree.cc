#include "common/search/query_tree.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/field_errors.h"
#include "common/text/analyzer.h"
#include "common/text/utf8.h"

namespace newsdb::search {
namespace {

std::string_view ToStd(absl::string_view s) { return std::string_view(s.data(), s.size()); }

size_t CountCodePoints(std::string_view s) {
  size_t count = 0;
  for (size_t pos = 0; pos < s.size(); ++count) pos += text::DecodeUtf8At(s, pos).length;
  return count;
}

class QueryValidator {
 public:
  void Validate(const v1::Query& query, const std::string& path, int depth) {
    if (depth > kMaxQueryDepth) {
      // Deeper levels are not visited, so a hostile tree cannot exhaust the stack here.
      Add(path, absl::StrCat("nests deeper than ", kMaxQueryDepth, " levels"));
      return;
    }
    switch (query.node_case()) {
      case v1::Query::kTerm:
        ++leaves_;
        ValidateText(query.term().text(), Join(path, "term.text"));
        ValidateField(query.term().field(), Join(path, "term.field"));
        break;
      case v1::Query::kPhrase:
        ++leaves_;
        ValidateText(query.phrase().text(), Join(path, "phrase.text"));
        ValidateField(query.phrase().field(), Join(path, "phrase.field"));
        break;
      case v1::Query::kPrefix:
        ++leaves_;
        ValidatePrefix(query.prefix().prefix(), Join(path, "prefix.prefix"));
        ValidateField(query.prefix().field(), Join(path, "prefix.field"));
        break;
      case v1::Query::kAllOf:
        ValidateChildren(query.all_of(), Join(path, "all_of.queries"), depth);
        break;
      case v1::Query::kAnyOf:
        ValidateChildren(query.any_of(), Join(path, "any_of.queries"), depth);
        break;
      case v1::Query::kNoneOf:
        ValidateChildren(query.none_of(), Join(path, "none_of.queries"), depth);
        break;
      case v1::Query::kMatchAll:
        ++leaves_;
        break;
      case v1::Query::NODE_NOT_SET:
        Add(path, "must set one of term, phrase, prefix, all_of, any_of, none_of or match_all");
        break;
    }
  }

  int leaves() const { return leaves_; }
  std::vector<status::FieldViolation>& violations() { return violations_; }

  void Add(const std::string& path, std::string description) {
    if (violations_.size() < kMaxQueryViolations) {
      violations_.push_back({path.empty() ? "query" : path, std::move(description)});
    }
  }

 private:
  static std::string Join(const std::string& path, absl::string_view child) {
    return path.empty() ? std::string(child) : absl::StrCat(path, ".", child);
  }

  void ValidateText(const std::string& value, const std::string& path) {
    if (value.empty()) {
      Add(path, "must not be empty");
    } else if (value.size() > kMaxQueryTextBytes) {
      Add(path, absl::StrCat("must be at most ", kMaxQueryTextBytes, " bytes"));
    } else if (!text::IsValidUtf8(value)) {
      Add(path, "must be valid UTF-8");
    }
  }

  void ValidatePrefix(const std::string& prefix, const std::string& path) {
    if (prefix.size() > kMaxQueryTextBytes) {
      Add(path, absl::StrCat("must be at most ", kMaxQueryTextBytes, " bytes"));
    } else if (!text::IsValidUtf8(prefix)) {
      Add(path, "must be valid UTF-8");
    } else if (PrefixCharacters(prefix) < kMinPrefixCharacters) {
      Add(path, absl::StrCat("must be one word of at least ", kMinPrefixCharacters,
                             " letters or digits"));
    }
  }

  void ValidateField(v1::SearchField field, const std::string& path) {
    if (!v1::SearchField_IsValid(field)) {
      Add(path, absl::StrCat("unknown SearchField value ", static_cast<int>(field)));
    }
  }

  void ValidateChildren(const v1::BooleanQuery& node, const std::string& path, int depth) {
    if (node.queries().empty()) {
      Add(path, "must have at least one query");
      return;
    }
    for (int i = 0; i < node.queries_size(); ++i) {
      Validate(node.queries(i), absl::StrCat(path, "[", i, "]"), depth + 1);
    }
  }

  int leaves_ = 0;
  std::vector<status::FieldViolation> violations_;
};

void AppendQuoted(absl::string_view value, std::string& out) {
  out.push_back('"');
  for (const char c : value) {
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\r':
        out.append("\\r");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          constexpr absl::string_view kHexDigits = "0123456789abcdef";
          const auto byte = static_cast<unsigned char>(c);
          out.append("\\x");
          out.push_back(kHexDigits[byte >> 4]);
          out.push_back(kHexDigits[byte & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void AppendField(v1::SearchField field, std::string& out) {
  switch (field) {
    case v1::SEARCH_FIELD_UNSPECIFIED:
      return;
    case v1::SEARCH_FIELD_TITLE:
      out.append(" title");
      return;
    case v1::SEARCH_FIELD_BODY:
      out.append(" body");
      return;
    case v1::SEARCH_FIELD_CREDIT:
      out.append(" credit");
      return;
    default:
      absl::StrAppend(&out, " field:", static_cast<int>(field));
  }
}

void AppendLeaf(absl::string_view kind, v1::SearchField field, absl::string_view value,
                std::string& out) {
  absl::StrAppend(&out, "(", kind);
  AppendField(field, out);
  out.push_back(' ');
  AppendQuoted(value, out);
  out.push_back(')');
}

void AppendQuery(const v1::Query& query, std::string& out);

void AppendBoolean(absl::string_view kind, const v1::BooleanQuery& node, std::string& out) {
  absl::StrAppend(&out, "(", kind);
  for (const v1::Query& child : node.queries()) {
    out.push_back(' ');
    AppendQuery(child, out);
  }
  out.push_back(')');
}

void AppendQuery(const v1::Query& query, std::string& out) {
  switch (query.node_case()) {
    case v1::Query::kTerm:
      AppendLeaf("term", query.term().field(), query.term().text(), out);
      break;
    case v1::Query::kPhrase:
      AppendLeaf("phrase", query.phrase().field(), query.phrase().text(), out);
      break;
    case v1::Query::kPrefix:
      AppendLeaf("prefix", query.prefix().field(), query.prefix().prefix(), out);
      break;
    case v1::Query::kAllOf:
      AppendBoolean("and", query.all_of(), out);
      break;
    case v1::Query::kAnyOf:
      AppendBoolean("or", query.any_of(), out);
      break;
    case v1::Query::kNoneOf:
      AppendBoolean("not", query.none_of(), out);
      break;
    case v1::Query::kMatchAll:
      out.append("(all)");
      break;
    case v1::Query::NODE_NOT_SET:
      out.append("(unset)");
      break;
  }
}

}  // namespace

size_t PrefixCharacters(absl::string_view prefix) {
  return CountCodePoints(text::ThreadLocalAnalyzer().NormalizePrefix(ToStd(prefix)));
}

absl::Status ValidateQuery(const v1::Query& query, absl::string_view field_path) {
  QueryValidator validator;
  const std::string root(field_path);
  validator.Validate(query, root, 1);
  if (validator.leaves() > kMaxQueryLeaves) {
    // Listed even when the cap is reached: it is the one violation that concerns the whole tree.
    validator.violations().push_back(
        {root.empty() ? "query" : root,
         absl::StrCat("must have at most ", kMaxQueryLeaves,
                      " leaf queries (term, phrase, prefix, match_all), has ",
                      validator.leaves())});
  }
  if (validator.violations().empty()) return absl::OkStatus();
  return status::InvalidFieldsError(validator.violations());
}

std::string DebugString(const v1::Query& query) {
  std::string out;
  AppendQuery(query, out);
  return out;
}

}  // namespace newsdb::search
