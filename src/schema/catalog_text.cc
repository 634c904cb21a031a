#include "schema/catalog_text.h"

#include <algorithm>

#include "common/sanitize.h"

namespace pgmcp::schema {
namespace {

bool SanitizingChanges(const std::string& text) { return Sanitize(text, SanitizeMode::kStrict) != text; }

void SanitizeComment(std::string& comment) { comment = Sanitize(comment, SanitizeMode::kStrict); }

}  // namespace

void SanitizeCatalogText(std::vector<Table>& tables) {
  for (auto& t : tables) {
    SanitizeComment(t.comment);
    for (auto& c : t.columns) {
      SanitizeComment(c.comment);
      if (std::any_of(c.allowed_values.begin(), c.allowed_values.end(), SanitizingChanges)) {
        c.allowed_values.clear();
        c.values_source = Column::ValuesSource::kNone;
      }
    }
  }
}

}  // namespace pgmcp::schema
