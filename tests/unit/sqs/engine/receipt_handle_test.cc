#include "sqs/engine/receipt_handle.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <limits>
#include <string>

#include "common/base64.h"

namespace wharf::sqs {
namespace {

// The raw version-1 record: u8 version | u64 queue | u64 seq | u32 receive | u32 nonce.
std::string Raw(uint8_t version, uint64_t queue, uint64_t seq, uint32_t receive, uint32_t nonce,
                uint32_t check = 0) {
  std::string raw(1, static_cast<char>(version));
  auto put = [&](uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) raw.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  put(queue, 8);
  put(seq, 8);
  put(receive, 4);
  put(nonce, 4);
  put(check, 4);
  return raw;
}

void ExpectSame(const ReceiptHandle& a, const ReceiptHandle& b) {
  EXPECT_EQ(a.queue_id, b.queue_id);
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.receive_count, b.receive_count);
  EXPECT_EQ(a.nonce, b.nonce);
  EXPECT_EQ(a.message_check, b.message_check);
}

TEST(ReceiptHandleTest, RoundTrips) {
  const ReceiptHandle cases[] = {
      {1, 1, 1, 0},
      {0x0102030405060708, 0x1112131415161718, 0x21222324, 0x31323334},
      {std::numeric_limits<uint64_t>::max(), std::numeric_limits<uint64_t>::max(),
       std::numeric_limits<uint32_t>::max(), std::numeric_limits<uint32_t>::max()},
  };
  for (const ReceiptHandle& h : cases) {
    std::string text = EncodeReceiptHandle(h);
    auto back = DecodeReceiptHandle(text);
    ASSERT_TRUE(back) << text;
    ExpectSame(*back, h);
  }
}

TEST(ReceiptHandleTest, EncodingIsBase64OfTheVersionOneRecord) {
  ReceiptHandle h{0x0102030405060708, 42, 3, 0xdeadbeef, 0x01020304};
  std::string text = EncodeReceiptHandle(h);
  EXPECT_EQ(text, Base64Encode(Raw(1, h.queue_id, h.seq, h.receive_count, h.nonce, 0x01020304)));
  EXPECT_EQ(text.size(), 40u);  // 29 bytes
  // Handles travel in XML and JSON unescaped and in form bodies: standard base64 only.
  for (char c : text) {
    EXPECT_TRUE(isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=') << c;
  }
}

TEST(ReceiptHandleTest, RejectsGarbage) {
  for (std::string text :
       {"", "garbage", "INVALID", "AQEBexample==", "!!!!", "a\"b", "   ", "\xff\xfe"}) {
    EXPECT_FALSE(DecodeReceiptHandle(text)) << text;
  }
}

TEST(ReceiptHandleTest, RejectsWrongLengths) {
  std::string good = Raw(1, 7, 8, 9, 10);
  ASSERT_TRUE(DecodeReceiptHandle(Base64Encode(good)));
  EXPECT_FALSE(DecodeReceiptHandle(Base64Encode(good.substr(0, good.size() - 1))));  // short
  EXPECT_FALSE(DecodeReceiptHandle(Base64Encode(good + "x")));                       // long
  EXPECT_FALSE(DecodeReceiptHandle(Base64Encode(std::string(1, '\x01'))));
  // Very long input is refused before decoding.
  EXPECT_FALSE(DecodeReceiptHandle(Base64Encode(good) + std::string(10'000, 'A')));
  EXPECT_FALSE(DecodeReceiptHandle(std::string(65, 'A')));
}

TEST(ReceiptHandleTest, RejectsOtherVersionsAndReceiveCountZero) {
  EXPECT_FALSE(DecodeReceiptHandle(Base64Encode(Raw(0, 1, 1, 1, 1))));
  EXPECT_FALSE(DecodeReceiptHandle(Base64Encode(Raw(2, 1, 1, 1, 1))));
  EXPECT_FALSE(DecodeReceiptHandle(Base64Encode(Raw(1, 1, 1, 0, 1))))
      << "handles only come from receives, so the receive count is at least 1";
}

TEST(ReceiptHandleTest, RejectsCorruptedHandles) {
  std::string text = EncodeReceiptHandle({1, 2, 3, 4});
  std::string cut = text.substr(0, text.size() - 4);
  EXPECT_FALSE(DecodeReceiptHandle(cut));
  std::string with_space = text;
  with_space.insert(10, " ");
  EXPECT_FALSE(DecodeReceiptHandle(with_space));
  std::string url_safe = EncodeReceiptHandle({0xfbffffffffffffff, 0xfbffffffffffffff, 1, 1});
  ASSERT_NE(url_safe.find_first_of("+/"), std::string::npos);
  for (char& c : url_safe) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  EXPECT_FALSE(DecodeReceiptHandle(url_safe));
}

}  // namespace
}  // namespace wharf::sqs
