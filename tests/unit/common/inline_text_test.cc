// FixedText (common/fixed_text.h), OptionalText and RareText (common/optional_text.h): the
// inline, the empty-means-absent and the pointer-sized rarely-set text fields of a stored message.

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "common/binary_codec.h"
#include "common/fixed_text.h"
#include "common/optional_text.h"

namespace wharf {
namespace {

TEST(FixedTextTest, HoldsTextUpToItsLengthInline) {
  const std::string uuid = "7c4b2a5e-1f0d-4a8e-9c3b-2d6f8e1a0b4c";
  FixedText<36> id = uuid;
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(id.view(), uuid);
  EXPECT_EQ(id, uuid);
  EXPECT_EQ(id.str(), uuid);
  EXPECT_EQ(id[35], 'c');
  static_assert(sizeof(FixedText<36>) == 37, "the text and a length byte, nothing on the heap");

  FixedText<36> shorter;
  EXPECT_TRUE(shorter.empty());
  shorter = std::string_view("m1");
  EXPECT_EQ(shorter, "m1");
  EXPECT_NE(shorter, id);
  shorter = id;
  EXPECT_EQ(shorter, id);
}

TEST(FixedTextTest, FitsTellsWhetherATextIsKeptWhole) {
  EXPECT_TRUE(FixedText<32>::Fits(std::string(32, 'a')));
  EXPECT_TRUE(FixedText<32>::Fits(""));
  EXPECT_FALSE(FixedText<32>::Fits(std::string(33, 'a')));
  // Past the length the text is cut, never written beyond the field.
  FixedText<4> cut = std::string_view("abcdef");
  EXPECT_EQ(cut, "abcd");
}

TEST(OptionalTextTest, EmptyIsAbsentAndPresentTextReadsLikeAnOptional) {
  OptionalText absent;
  EXPECT_FALSE(absent.has_value());
  EXPECT_FALSE(absent);
  EXPECT_EQ(absent, std::nullopt);
  EXPECT_EQ(absent.value_or("fallback"), "fallback");
  EXPECT_EQ(std::optional<std::string>(absent), std::nullopt);
  EXPECT_NE(absent, "") << "like std::optional: an absent text equals no string, not even \"\"";

  OptionalText group = std::string("group-7");
  EXPECT_TRUE(group.has_value());
  EXPECT_EQ(*group, "group-7");
  EXPECT_EQ(group->size(), 7u);
  EXPECT_EQ(group, "group-7");
  EXPECT_EQ(group, std::optional<std::string>("group-7"));
  EXPECT_NE(group, std::optional<std::string>("group-8"));
  EXPECT_NE(group, std::nullopt);
  EXPECT_EQ(std::optional<std::string>(group), "group-7");

  group = std::nullopt;
  EXPECT_FALSE(group.has_value());
  group = std::optional<std::string>("again");
  EXPECT_EQ(group, "again");
  group = std::string();
  EXPECT_FALSE(group.has_value()) << "an empty text is absent";
  static_assert(sizeof(OptionalText) < sizeof(std::optional<std::string>));
}

TEST(RareTextTest, TakesAPointerWhileAbsentAndCopiesItsText) {
  static_assert(sizeof(RareText) == sizeof(void*));
  RareText absent;
  EXPECT_FALSE(absent.has_value());
  EXPECT_EQ(absent, std::nullopt);
  EXPECT_EQ(*absent, "") << "reads as the empty string";
  EXPECT_NE(absent, "");
  EXPECT_EQ(std::optional<std::string>(absent), std::nullopt);

  RareText trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
  EXPECT_TRUE(trace);
  EXPECT_EQ(trace->size(), 50u);
  RareText copy = trace;
  EXPECT_EQ(copy, trace);
  EXPECT_NE(&*copy, &*trace) << "a copy owns its own text";
  trace = std::nullopt;
  EXPECT_FALSE(trace.has_value());
  EXPECT_EQ(copy, std::optional<std::string>("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"));
  copy = std::string();
  EXPECT_FALSE(copy.has_value()) << "an empty text is absent";
  RareText moved = RareText("x");
  RareText target;
  target = std::move(moved);
  EXPECT_EQ(target, "x");
}

TEST(OptionalTextTest, EncodesAsTheOptionalItStandsFor) {
  for (const std::optional<std::string>& value :
       {std::optional<std::string>(), std::optional<std::string>("dedup-1")}) {
    std::string from_optional;
    BinaryWriter(from_optional).OptionalBytes(value);
    std::string from_text;
    BinaryWriter(from_text).OptionalBytes(OptionalText(value));
    EXPECT_EQ(from_text, from_optional);
    BinaryReader reader(from_text);
    EXPECT_EQ(OptionalText(reader.OptionalBytes()), value);
    EXPECT_TRUE(reader.ok() && reader.done());
    std::string from_rare;
    BinaryWriter(from_rare).OptionalBytes(RareText(value));
    EXPECT_EQ(from_rare, from_optional);
  }
}

}  // namespace
}  // namespace wharf
