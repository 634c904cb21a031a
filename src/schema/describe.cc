#include "schema/describe.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <unordered_set>

#include "schema/relationships.h"
#include "schema/similarity.h"

namespace pgmcp::schema {
namespace {

constexpr size_t kMaxPurposeBytes = 300;
constexpr size_t kMaxColumnCommentBytes = 120;
constexpr size_t kMaxValuesShown = 25;
constexpr size_t kMaxValueBytes = 40;
constexpr size_t kMaxReferencesShown = 6;
constexpr size_t kMaxSimilarShown = 5;

std::string_view FirstSchema(const config::Settings& settings) {
  return settings.schemas.empty() ? std::string_view("public") : std::string_view(settings.schemas[0]);
}

// How other descriptions name a table: bare in the first schema, qualified elsewhere.
std::string Label(std::string_view schema_name, std::string_view table, std::string_view first_schema) {
  if (schema_name == first_schema) return std::string(table);
  return std::string(schema_name) + "." + std::string(table);
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out.append(separator);
    out.append(parts[i]);
  }
  return out;
}

// Capitalised words that the schema's own comments use in mid-sentence ("the Cloudfolio
// product"): names, which keep their capital even at the start of a phrase.
using ProperNouns = std::unordered_set<std::string>;

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLowerOrDigit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

void CollectProperNouns(std::string_view text, ProperNouns& out) {
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && std::isalnum(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start) {
      ++i;
      continue;
    }
    std::string_view word = text.substr(start, i - start);
    // Mid-sentence: after a space whose preceding character does not end a sentence or clause.
    size_t before = start;
    while (before > 0 && text[before - 1] == ' ') --before;
    bool mid_sentence = before > 0 && before < start && text[before - 1] != '.' && text[before - 1] != '!' &&
                        text[before - 1] != '?' && text[before - 1] != ':' && text[before - 1] != ';';
    if (mid_sentence && word.size() >= 2 && IsUpper(word[0]) && IsLowerOrDigit(word[1])) out.emplace(word);
  }
}

// A comment used inside a sentence: no final period; a lower-case start unless the first word is
// an acronym ("ISO") or a name the comments capitalise elsewhere ("Cloudfolio staff").
std::string AsPhrase(std::string_view text, size_t max_bytes, const ProperNouns& names) {
  std::string s = CleanText(text, max_bytes);
  while (!s.empty() && (s.back() == '.' || s.back() == ' ')) s.pop_back();
  if (s.size() >= 2 && IsUpper(s[0]) && !IsUpper(s[1])) {
    size_t end = 0;
    while (end < s.size() && std::isalnum(static_cast<unsigned char>(s[end]))) ++end;
    if (names.count(s.substr(0, end)) == 0) s[0] = static_cast<char>(s[0] - 'A' + 'a');
  }
  return s;
}

bool IsSimpleValue(const std::string& v) {
  if (v.empty() || v.front() == ' ' || v.back() == ' ') return false;
  return v.find_first_of("/,;()\"") == std::string::npos;
}

std::string FormatValues(const Column& column) {
  const auto& values = column.allowed_values;
  size_t shown = std::min(values.size(), kMaxValuesShown);
  bool simple = std::all_of(values.begin(), values.begin() + static_cast<long>(shown),
                            [](const std::string& v) { return IsSimpleValue(v) && v.size() <= kMaxValueBytes; });
  std::vector<std::string> parts;
  for (size_t i = 0; i < shown; ++i) {
    if (simple) {
      parts.push_back(values[i]);
    } else {
      // Quoted so that a value holding "/" or "," stays one value to the reader.
      std::string q = "\"";
      for (char c : CleanText(values[i], kMaxValueBytes)) {
        if (c == '"' || c == '\\') q.push_back('\\');
        q.push_back(c);
      }
      parts.push_back(q + "\"");
    }
  }
  std::string out = Join(parts, simple ? "/" : ", ");
  if (values.size() > shown) out += " … (" + std::to_string(values.size()) + " values)";
  if (column.values_source == Column::ValuesSource::kStatistics) out = "e.g. " + out;
  return out;
}

// True when `word` occurs in `text` (both lower-case) between non-alphanumeric characters.
bool ContainsWord(const std::string& text, const std::string& word) {
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (size_t pos = text.find(word); pos != std::string::npos; pos = text.find(word, pos + 1)) {
    bool starts = pos == 0 || !alnum(text[pos - 1]);
    size_t end = pos + word.size();
    bool ends = end == text.size() || !alnum(text[end]);
    if (starts && ends) return true;
  }
  return false;
}

std::string LowerAscii(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// A comment that already names every allowed value ("free, pro or enterprise") makes the list
// redundant: tokens saved, nothing lost.
bool CommentListsValues(const std::string& comment, const std::vector<std::string>& values) {
  if (comment.empty() || values.empty()) return false;
  std::string text = LowerAscii(comment);
  return std::all_of(values.begin(), values.end(),
                     [&](const std::string& v) { return !v.empty() && ContainsWord(text, LowerAscii(v)); });
}

bool IsSingle(const std::vector<std::string>& key, const std::string& column) {
  return key.size() == 1 && key[0] == column;
}

std::string ColumnItem(const Table& table, const Column& c, std::string_view first_schema, const ProperNouns& names) {
  std::string item = c.name + " (" + c.type.sql_name;
  if (!c.type.domain.empty()) item += ", domain " + c.type.domain;
  if (IsSingle(table.primary_key, c.name)) {
    item += ", primary key";
  } else {
    for (const auto& key : table.unique_keys) {
      if (IsSingle(key, c.name)) {
        item += ", unique";
        break;
      }
    }
  }
  for (const auto& fk : table.foreign_keys) {
    if (IsSingle(fk.columns, c.name)) {
      item += ", references " + Label(fk.ref_schema, fk.ref_table, first_schema) + "." + fk.ref_columns[0];
    }
  }
  std::string detail = AsPhrase(c.comment, kMaxColumnCommentBytes, names);
  if (!c.allowed_values.empty() && !CommentListsValues(detail, c.allowed_values)) {
    if (!detail.empty()) detail += "; ";
    detail += FormatValues(c);
  }
  if (!detail.empty()) item += ": " + detail;
  return item + ")";
}

std::string KeySentences(const Table& table, std::string_view first_schema) {
  std::vector<std::string> sentences;
  if (table.primary_key.size() > 1) sentences.push_back("Primary key (" + Join(table.primary_key, ", ") + ").");
  for (const auto& key : table.unique_keys) {
    if (key.size() > 1) sentences.push_back("Unique (" + Join(key, ", ") + ").");
  }
  for (const auto& fk : table.foreign_keys) {
    if (fk.columns.size() > 1) {
      // Appended piece by piece: GCC 12 -O3 warns (-Wrestrict, a false positive) on
      // "literal" + std::string&& here.
      std::string s = "(";
      s += Join(fk.columns, ", ");
      s += ") references ";
      s += Label(fk.ref_schema, fk.ref_table, first_schema);
      s += " (";
      s += Join(fk.ref_columns, ", ");
      s += ").";
      sentences.push_back(std::move(s));
    }
  }
  if (!table.referenced_by.empty()) {
    std::vector<std::string> refs;
    for (size_t i = 0; i < table.referenced_by.size() && i < kMaxReferencesShown; ++i) {
      const auto& r = table.referenced_by[i];
      std::string label = Label(r.schema, r.table, first_schema);
      refs.push_back(r.columns.size() == 1 ? label + "." + r.columns[0]
                                           : label + " (" + Join(r.columns, ", ") + ")");
    }
    std::string s = "Referenced by " + Join(refs, ", ");
    if (table.referenced_by.size() > kMaxReferencesShown) {
      s += " and " + std::to_string(table.referenced_by.size() - kMaxReferencesShown) + " more";
    }
    sentences.push_back(s + ".");
  }
  return Join(sentences, " ");
}

// `similar`: the other tables whose names a model could mix up with this one's.
std::string NotForSentence(std::vector<const Table*> similar, const config::TableOverride* override_entry,
                           std::string_view first_schema, const ProperNouns& names) {
  std::vector<std::string> entries;
  if (override_entry != nullptr) {
    for (const auto& text : override_entry->not_for) entries.push_back(AsPhrase(text, kMaxPurposeBytes, names));
  }
  // A table the configuration already names is not named twice.
  std::erase_if(similar, [&](const Table* other) {
    return std::any_of(entries.begin(), entries.end(),
                       [&](const std::string& e) { return e.find(other->tool_name) != std::string::npos; });
  });
  std::sort(similar.begin(), similar.end(), [](const Table* a, const Table* b) { return a->tool_name < b->tool_name; });
  for (size_t i = 0; i < similar.size() && i < kMaxSimilarShown; ++i) {
    entries.push_back(Label(similar[i]->schema, similar[i]->name, first_schema) + ": use " + similar[i]->tool_name);
  }
  if (entries.empty()) return "";
  return "Do NOT use this tool for " + Join(entries, "; for ") + ".";
}

// The configured description, else the table's comment, as a phrase.
std::string Purpose(const Table& table, const config::TableOverride* override_entry, const ProperNouns& names) {
  return AsPhrase(override_entry != nullptr && !override_entry->description.empty() ? override_entry->description
                                                                                   : table.comment,
                  kMaxPurposeBytes, names);
}

// Reads table.purpose, so Purpose() runs first.
std::string Describe(const Table& table, const std::vector<const Table*>& similar, const config::Settings& settings,
                     const ProperNouns& names) {
  std::string_view first_schema = FirstSchema(settings);
  const config::TableOverride* override_entry = FindOverride(table, settings);

  static constexpr const char* kKindWords[] = {" table", " view", " materialized view", " table",
                                               " foreign table"};
  std::string text = "Query the " + Label(table.schema, table.name, first_schema) +
                     kKindWords[static_cast<int>(table.kind)];
  if (!table.purpose.empty()) text += ": " + table.purpose;
  if (std::string rows = FormatRowEstimate(table.row_estimate); !rows.empty()) text += " (" + rows + ")";
  text += ".";

  std::vector<std::string> items;
  items.reserve(table.columns.size());
  for (const auto& c : table.columns) items.push_back(ColumnItem(table, c, first_schema, names));
  // Appends only: GCC 12 -O3 gives false -Wrestrict warnings on "literal" + std::string&&.
  text += "\nColumns: ";
  text += Join(items, ", ");
  text += ".";
  if (std::string keys = KeySentences(table, first_schema); !keys.empty()) {
    text += "\n";
    text += keys;
  }
  if (std::string not_for = NotForSentence(similar, override_entry, first_schema, names); !not_for.empty()) {
    text += "\n";
    text += not_for;
  }
  return text;
}

}  // namespace

std::string FormatRowEstimate(double row_estimate) {
  if (!(row_estimate >= 0)) return "";
  auto n = static_cast<long long>(std::llround(row_estimate));
  if (n >= 1000) {
    long long scale = 1;
    while (n / scale >= 100) scale *= 10;
    n = (n + scale / 2) / scale * scale;
  }
  std::string digits = std::to_string(n);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(digits[i]);
  }
  return "~" + grouped + (n == 1 ? " row" : " rows");
}

std::string CleanText(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      if ((c == '\n' || c == '\t' || c == '\r') && !out.empty() && out.back() != ' ') out.push_back(' ');
      continue;
    }
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out.push_back(ch);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() <= max_bytes) return out;
  size_t cut = max_bytes > 3 ? max_bytes - 3 : 0;  // room for "…" (3 bytes)
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  size_t space = out.rfind(' ', cut);
  if (space != std::string::npos && space > cut / 2) cut = space;
  out.resize(cut);
  while (!out.empty() && (out.back() == ' ' || out.back() == ',' || out.back() == '.')) out.pop_back();
  return out + "…";
}

std::string TableTitle(const Table& table, std::string_view first_schema) {
  std::string title = CleanText(table.name, 120);
  std::replace(title.begin(), title.end(), '_', ' ');
  size_t start = title.find_first_not_of(' ');
  title = start == std::string::npos ? table.name : title.substr(start);
  if (!title.empty() && title[0] >= 'a' && title[0] <= 'z') title[0] = static_cast<char>(title[0] - 'a' + 'A');
  if (table.schema != first_schema) title += " (" + table.schema + ")";
  return title;
}

const config::TableOverride* FindOverride(const Table& table, const config::Settings& settings) {
  if (auto it = settings.tables.find(table.QualifiedName()); it != settings.tables.end()) return &it->second;
  if (table.schema == FirstSchema(settings)) {
    if (auto it = settings.tables.find(table.name); it != settings.tables.end()) return &it->second;
  }
  return nullptr;
}

void DescribeAll(SchemaSnapshot& snapshot, const config::Settings& settings) {
  std::string_view first_schema = FirstSchema(settings);
  const size_t n = snapshot.tables.size();
  std::vector<SimilarityKey> keys;
  keys.reserve(n);
  for (const auto& t : snapshot.tables) keys.push_back(MakeSimilarityKey(t.name));
  std::vector<std::vector<const Table*>> similar(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      // Descriptions name at most kMaxSimilarShown similar tables: keeping more only costs memory
      // (quadratic on generated schemas where every name is a near neighbour of every other).
      if (similar[i].size() >= kMaxSimilarShown && similar[j].size() >= kMaxSimilarShown) continue;
      if (AreSimilar(keys[i], keys[j])) {
        if (similar[i].size() < kMaxSimilarShown) similar[i].push_back(&snapshot.tables[j]);
        if (similar[j].size() < kMaxSimilarShown) similar[j].push_back(&snapshot.tables[i]);
      }
    }
  }
  ProperNouns names;
  for (const auto& t : snapshot.tables) {
    CollectProperNouns(t.comment, names);
    for (const auto& c : t.columns) CollectProperNouns(c.comment, names);
  }
  for (const auto& [key, entry] : settings.tables) CollectProperNouns(entry.description, names);
  for (size_t i = 0; i < n; ++i) {
    Table& table = snapshot.tables[i];
    table.title = TableTitle(table, first_schema);
    table.purpose = Purpose(table, FindOverride(table, settings), names);
    table.description =
        Describe(table, similar[i], settings, names) + RelationshipSentence(snapshot, table, first_schema);
  }
}

}  // namespace pgmcp::schema
