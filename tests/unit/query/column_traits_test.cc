// The cast a column's bind values get (query/column_traits.h): HasElementCast, which argument
// validation asks for every condition, answers exactly whether ElementCast would name one.
#include "query/column_traits.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pgmcp::query {
namespace {

using schema::ColumnType;
using schema::TypeCategory;

ColumnType Type(TypeCategory category, std::string cast, bool array = false, std::string element = "") {
  ColumnType t;
  t.category = category;
  t.cast_name = std::move(cast);
  t.is_array = array;
  t.element_cast_name = std::move(element);
  return t;
}

TEST(ColumnTraitsTest, HasElementCastAgreesWithElementCast) {
  const std::vector<ColumnType> types = {
      Type(TypeCategory::kInteger, "integer"),
      Type(TypeCategory::kText, ""),                      // no name: the category's default
      Type(TypeCategory::kFloat, ""),                     // "double precision", longer than SSO
      Type(TypeCategory::kText, "character"),             // renamed to bpchar
      Type(TypeCategory::kText, "pg_catalog.bpchar"),
      Type(TypeCategory::kOther, "bit"),                  // renamed to varbit
      Type(TypeCategory::kEnum, "public.\"Odd \"\"Plan\"\"\""),
      Type(TypeCategory::kInteger, "integer[]", true, ""),
      Type(TypeCategory::kText, "text[][]", true, "text"),
      Type(TypeCategory::kOther, "no such; type"),        // not a type name: none
      Type(TypeCategory::kOther, "x); DROP TABLE t; --"),
      Type(TypeCategory::kOther, "[]", true, "[][]"),
  };
  for (const ColumnType& t : types) {
    EXPECT_EQ(HasElementCast(t), !ElementCast(t).empty()) << "cast_name " << t.cast_name;
  }
  EXPECT_TRUE(HasElementCast(types[0]));
  EXPECT_FALSE(HasElementCast(types[9])) << "an unusable name has no cast";
  EXPECT_EQ(ElementCast(types[3]), "pg_catalog.bpchar");
  EXPECT_EQ(ElementCast(types[5]), "pg_catalog.varbit");
}

}  // namespace
}  // namespace pgmcp::query
