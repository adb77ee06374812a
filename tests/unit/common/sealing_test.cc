#include "common/sealing.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/hashing.h"
#include "temp_dir.h"

namespace wharf {
namespace {

namespace fs = std::filesystem;

// Known-answer vectors were computed independently with Python (hashlib, hmac and the
// `cryptography` package's AESGCM), not with this code.
std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string KeyBytes() {  // 00 01 02 ... 1f
  std::string key;
  for (int i = 0; i < 32; ++i) key.push_back(static_cast<char>(i));
  return key;
}

Sealer MakeSealer(std::string_view key) {
  auto sealer = Sealer::FromKey(key);
  EXPECT_TRUE(sealer.ok());
  return std::move(sealer).value();
}

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

// --- Sealer ---------------------------------------------------------------------------------

TEST(SealerTest, FromKeyTakesExactly32Bytes) {
  EXPECT_TRUE(Sealer::FromKey(KeyBytes()).ok());
  for (size_t size : {0, 1, 16, 31, 33, 64}) {
    auto sealer = Sealer::FromKey(std::string(size, 'k'));
    ASSERT_FALSE(sealer.ok()) << size;
    EXPECT_NE(sealer.error().find(std::to_string(size)), std::string::npos) << sealer.error();
  }
}

TEST(SealerTest, KeyIdIsTheStartOfTheKeysSha256) {
  EXPECT_EQ(MakeSealer(KeyBytes()).key_id(), 0x630dcd29u);
}

TEST(SealerTest, RoundTripsEverySizeAndAssociatedData) {
  std::mt19937_64 rng(1);
  const Sealer sealer = MakeSealer(KeyBytes());
  for (size_t size : {0, 1, 15, 16, 17, 40, 255, 4096, 100'000}) {
    for (std::string_view ad : {std::string_view(), std::string_view("iam/000000000000/key/AK"),
                                std::string_view("\0\xff", 2)}) {
      const std::string plaintext = RandomBytes(rng, size);
      const std::string sealed = sealer.Seal(plaintext, ad);
      EXPECT_EQ(sealed.size(), plaintext.size() + Sealer::kOverhead);
      auto opened = sealer.Open(sealed, ad);
      ASSERT_TRUE(opened.ok()) << size << ": " << SealErrorName(opened.error());
      EXPECT_EQ(*opened, plaintext);
    }
  }
}

TEST(SealerTest, LayoutIsVersionKeyIdNonceCiphertextTag) {
  const Sealer sealer = MakeSealer(KeyBytes());
  const std::string plaintext = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  const std::string sealed = sealer.Seal(plaintext, "ad");
  ASSERT_EQ(sealed.size(), 1 + 4 + 12 + plaintext.size() + 16);
  EXPECT_EQ(sealed.substr(0, 5), Unhex("01630dcd29"));
  EXPECT_EQ(sealed.find(plaintext), std::string::npos) << "plaintext visible in the output";
}

TEST(SealerTest, EachSealUsesAFreshNonce) {
  const Sealer sealer = MakeSealer(KeyBytes());
  std::vector<std::string> nonces;
  for (int i = 0; i < 64; ++i) {
    const std::string sealed = sealer.Seal("same secret", "same ad");
    nonces.push_back(sealed.substr(5, 12));
  }
  std::sort(nonces.begin(), nonces.end());
  EXPECT_EQ(std::unique(nonces.begin(), nonces.end()), nonces.end()) << "a nonce repeated";
}

// A value sealed by an independent AES-256-GCM implementation with the documented layout and
// AAD (header ‖ associated data) opens: the format is what sealing.h says it is.
TEST(SealerTest, OpensAKnownAnswerVector) {
  const std::string sealed = Unhex(
      "01630dcd29a0a1a2a3a4a5a6a7a8a9aaab91521d41379357cb0c23c29e4e558be93de81c5ed598203ce45c40ef3"
      "cf23059933b17b3ea6916644129c4a0f581cf3aa5c161d0674a6d6e");
  const Sealer sealer = MakeSealer(KeyBytes());
  auto opened = sealer.Open(sealed, "iam/000000000000/key/AKIAEXAMPLE");
  ASSERT_TRUE(opened.ok()) << SealErrorName(opened.error());
  EXPECT_EQ(*opened, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
}

TEST(SealerTest, OpenWithAnotherKeyIsWrongKey) {
  const Sealer sealer = MakeSealer(KeyBytes());
  const Sealer other = MakeSealer(std::string(32, 'x'));
  const std::string sealed = sealer.Seal("secret", "ad");
  auto opened = other.Open(sealed, "ad");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error(), SealError::kWrongKey);
}

// A key id forged to match another key still fails: the header is authenticated and the key
// really is different.
TEST(SealerTest, ForgedKeyIdFailsAuthentication) {
  const Sealer sealer = MakeSealer(KeyBytes());
  const Sealer other = MakeSealer(std::string(32, 'x'));
  std::string sealed = sealer.Seal("secret", "ad");
  const uint32_t id = other.key_id();
  for (int i = 0; i < 4; ++i) sealed[1 + i] = static_cast<char>(id >> (24 - 8 * i));
  auto by_other = other.Open(sealed, "ad");
  ASSERT_FALSE(by_other.ok());
  EXPECT_EQ(by_other.error(), SealError::kAuthenticationFailed);
  auto by_sealer = sealer.Open(sealed, "ad");
  ASSERT_FALSE(by_sealer.ok());
  EXPECT_EQ(by_sealer.error(), SealError::kWrongKey);
}

TEST(SealerTest, EveryFlippedBitIsDetected) {
  const Sealer sealer = MakeSealer(KeyBytes());
  const std::string sealed = sealer.Seal("a secret access key", "ad");
  for (size_t i = 0; i < sealed.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string tampered = sealed;
      tampered[i] = static_cast<char>(tampered[i] ^ (1 << bit));
      auto opened = sealer.Open(tampered, "ad");
      ASSERT_FALSE(opened.ok()) << "byte " << i << " bit " << bit;
      const SealError expected = i == 0  ? SealError::kUnknownVersion
                                 : i < 5 ? SealError::kWrongKey
                                         : SealError::kAuthenticationFailed;
      EXPECT_EQ(opened.error(), expected) << "byte " << i << " bit " << bit;
    }
  }
}

TEST(SealerTest, TruncatedOrExtendedValuesFail) {
  const Sealer sealer = MakeSealer(KeyBytes());
  const std::string sealed = sealer.Seal("a secret access key", "ad");
  for (size_t size = 0; size < sealed.size(); ++size) {
    auto opened = sealer.Open(sealed.substr(0, size), "ad");
    ASSERT_FALSE(opened.ok()) << size;
    EXPECT_EQ(opened.error(),
              size < Sealer::kOverhead ? SealError::kTruncated : SealError::kAuthenticationFailed)
        << size;
  }
  auto longer = sealer.Open(sealed + "x", "ad");
  ASSERT_FALSE(longer.ok());
  EXPECT_EQ(longer.error(), SealError::kAuthenticationFailed);
  // The empty plaintext is the shortest valid value; one byte less is truncated.
  const std::string empty = sealer.Seal("", "");
  EXPECT_EQ(empty.size(), Sealer::kOverhead);
  EXPECT_TRUE(sealer.Open(empty, "").ok());
}

TEST(SealerTest, OtherAssociatedDataFails) {
  const Sealer sealer = MakeSealer(KeyBytes());
  const std::string sealed = sealer.Seal("secret", "iam/000000000000/key/AKIA1");
  for (std::string_view ad : {"", "iam/000000000000/key/AKIA2", "iam/000000000000/key/AKIA",
                              "iam/000000000000/key/AKIA1 ", "IAM/000000000000/key/AKIA1"}) {
    auto opened = sealer.Open(sealed, ad);
    ASSERT_FALSE(opened.ok()) << ad;
    EXPECT_EQ(opened.error(), SealError::kAuthenticationFailed) << ad;
  }
}

TEST(SealerTest, UnknownVersionIsReported) {
  const Sealer sealer = MakeSealer(KeyBytes());
  std::string sealed = sealer.Seal("secret", "");
  sealed[0] = 2;
  auto opened = sealer.Open(sealed, "");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error(), SealError::kUnknownVersion);
  EXPECT_EQ(SealErrorName(SealError::kUnknownVersion), "unknown version");
  EXPECT_EQ(SealErrorName(SealError::kTruncated), "truncated");
  EXPECT_EQ(SealErrorName(SealError::kWrongKey), "wrong key");
  EXPECT_EQ(SealErrorName(SealError::kAuthenticationFailed), "authentication failed");
}

TEST(SealerTest, DeriveIsHkdfSha256WithTheLabelAsInfo) {
  const Sealer root = MakeSealer(KeyBytes());
  const Sealer iam = root.Derive("iam-secrets v1");
  EXPECT_EQ(iam.key_id(),
            MakeSealer(Unhex("b87c4267055785c3690349c5ac5ab9379f45f40119bca50d17dda0e2c531c76f"))
                .key_id());
  EXPECT_EQ(iam.key_id(), 0x765980afu);
  EXPECT_EQ(root.Derive("").key_id(), 0x10715a2cu);
  // Deterministic, and purposes do not open each other's values.
  EXPECT_EQ(root.Derive("iam-secrets v1").key_id(), iam.key_id());
  const std::string sealed = iam.Seal("secret", "ad");
  EXPECT_TRUE(root.Derive("iam-secrets v1").Open(sealed, "ad").ok());
  for (const Sealer& other : {root, root.Derive("kms-wrap v1"), iam.Derive("iam-secrets v1")}) {
    auto opened = other.Open(sealed, "ad");
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error(), SealError::kWrongKey);
  }
}

TEST(SealerTest, CopiesSealAndOpenAlike) {
  const Sealer sealer = MakeSealer(KeyBytes());
  Sealer copy = sealer;
  EXPECT_TRUE(copy.Open(sealer.Seal("x", "y"), "y").ok());
  copy = MakeSealer(std::string(32, 'z'));
  EXPECT_FALSE(copy.Open(sealer.Seal("x", "y"), "y").ok());
}

// SealTo with the known-answer vector's nonce gives the vector byte for byte: the caller's nonce is
// used as given, and the encryption is AES-256-GCM as documented.
TEST(SealerTest, SealToWithACallerNonceGivesTheKnownAnswer) {
  const std::string expected = Unhex(
      "01630dcd29a0a1a2a3a4a5a6a7a8a9aaab91521d41379357cb0c23c29e4e558be93de81c5ed598203ce45c40ef3"
      "cf23059933b17b3ea6916644129c4a0f581cf3aa5c161d0674a6d6e");
  Sealer::Nonce nonce{};
  for (size_t i = 0; i < nonce.size(); ++i) nonce[i] = static_cast<uint8_t>(0xa0 + i);
  const Sealer sealer = MakeSealer(KeyBytes());
  std::string out = "previous contents, longer than nothing";
  sealer.SealTo("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "iam/000000000000/key/AKIAEXAMPLE",
                nonce, out);
  EXPECT_EQ(out, expected);
  // Twice in a row on the same thread (the context keeps its key): the same bytes.
  sealer.SealTo("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "iam/000000000000/key/AKIAEXAMPLE",
                nonce, out);
  EXPECT_EQ(out, expected);
}

TEST(SealerTest, SealToAndOpenToReuseTheirBuffers) {
  std::mt19937_64 rng(7);
  const Sealer sealer = MakeSealer(KeyBytes());
  std::string sealed, opened;
  for (size_t size : {300, 0, 17, 4096, 1}) {
    const std::string plaintext = RandomBytes(rng, size);
    sealer.SealTo(plaintext, "ad", sealed);
    EXPECT_EQ(sealed.size(), size + Sealer::kOverhead);
    EXPECT_EQ(*sealer.Open(sealed, "ad"), plaintext);
    ASSERT_TRUE(sealer.OpenTo(sealed, "ad", opened).ok());
    EXPECT_EQ(opened, plaintext);
  }
}

TEST(SealerTest, FailedOpenToLeavesNothingInItsBuffer) {
  const Sealer sealer = MakeSealer(KeyBytes());
  std::string sealed = sealer.Seal("the plaintext of a message body", "ad");
  sealed[sealed.size() - 1] = static_cast<char>(sealed.back() ^ 1);  // the tag
  std::string out = "old";
  Status<SealError> opened = sealer.OpenTo(sealed, "ad", out);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error(), SealError::kAuthenticationFailed);
  EXPECT_TRUE(out.empty()) << "unauthenticated plaintext left behind: " << out;
}

// Each thread keeps a context per direction with its last key: keys alternating on one thread,
// and a failed open in between, must not leave a context keyed or started wrongly.
TEST(SealerTest, AlternatingKeysAndFailuresOnOneThread) {
  const Sealer a = MakeSealer(KeyBytes());
  const Sealer b = MakeSealer(std::string(32, 'b'));
  const Sealer a_copy = a;
  std::string out;
  for (int round = 0; round < 20; ++round) {
    const std::string text = "round " + std::to_string(round);
    const Sealer& first = round % 2 == 0 ? a : b;
    const Sealer& second = round % 2 == 0 ? b : a;
    const std::string sealed = first.Seal(text, "ad");
    EXPECT_EQ(second.Open(sealed, "ad").error(), SealError::kWrongKey);
    EXPECT_EQ(first.Open(sealed, "other ad").error(), SealError::kAuthenticationFailed);
    ASSERT_TRUE(first.OpenTo(sealed, "ad", out).ok()) << round;
    EXPECT_EQ(out, text);
    EXPECT_EQ(second.Open(second.Seal(text, "ad"), "ad").value(), text);
  }
  // A copy seals with the same key, so values open under either.
  EXPECT_TRUE(a.Open(a_copy.Seal("x", ""), "").ok());
}

TEST(SealerTest, ThreadsSealAndOpenAtOnce) {
  const Sealer shared = MakeSealer(KeyBytes());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const Sealer own = MakeSealer(std::string(32, static_cast<char>('A' + t)));
      std::string sealed, out;
      for (int i = 0; i < 200; ++i) {
        const Sealer& sealer = i % 2 == 0 ? shared : own;
        const std::string text = std::to_string(t) + "/" + std::to_string(i);
        sealer.SealTo(text, "ad", sealed);
        if (!sealer.OpenTo(sealed, "ad", out).ok() || out != text) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(SealerTest, WrappedKeysUnwrapOnlyWithTheirKeyAndData) {
  const Sealer wrapping = MakeSealer(KeyBytes());
  const Sealer data_key = Sealer::Random();
  const std::string wrapped = wrapping.Wrap(data_key, "K0001");
  EXPECT_EQ(wrapped.size(), Sealer::kKeySize + Sealer::kOverhead);
  auto unwrapped = wrapping.Unwrap(wrapped, "K0001");
  ASSERT_TRUE(unwrapped.ok());
  EXPECT_EQ(unwrapped->key_id(), data_key.key_id());
  EXPECT_EQ(*unwrapped->Open(data_key.Seal("body", "k"), "k"), "body");
  EXPECT_EQ(wrapping.Unwrap(wrapped, "K0002").error(), SealError::kAuthenticationFailed);
  EXPECT_EQ(MakeSealer(std::string(32, 'o')).Unwrap(wrapped, "K0001").error(),
            SealError::kWrongKey);
  // A sealed value that is not 32 bytes is no key.
  EXPECT_EQ(wrapping.Unwrap(wrapping.Seal("short", "K0001"), "K0001").error(),
            SealError::kAuthenticationFailed);
}

TEST(SealerTest, RandomKeysDiffer) {
  EXPECT_NE(Sealer::Random().key_id(), Sealer::Random().key_id());
}

TEST(SealerTest, KeyedDigestIsHmacSha256UnderTheKey) {
  const Sealer sealer = MakeSealer(KeyBytes());
  EXPECT_EQ(sealer.KeyedDigest("dedup id"), HmacSha256(KeyBytes(), "dedup id"));
  EXPECT_NE(sealer.KeyedDigest("dedup id"),
            MakeSealer(std::string(32, 'x')).KeyedDigest("dedup id"));
  EXPECT_NE(sealer.KeyedDigest("dedup id"), Sha256Of("dedup id"));
}

// --- the root key ---------------------------------------------------------------------------

class RootKeyTest : public ::testing::Test {
 protected:
  RootKeyTest() {
    fs::create_directories(dir_ / "data");
    fs::create_directories(dir_ / "keys");
  }

  std::string Path(const std::string& relative) const { return (dir_ / relative).string(); }
  std::string DataDir() const { return Path("data"); }

  // Writes `contents` to `relative` with `mode`.
  std::string Write(const std::string& relative, std::string_view contents, mode_t mode = 0600) {
    const std::string path = Path(relative);
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    }
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }

  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  static mode_t ModeOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  // The error of loading `source`, or a test failure if it loads.
  static std::string LoadError(const RootKeySource& source) {
    auto loaded = LoadRootKey(source);
    if (loaded.ok()) {
      ADD_FAILURE() << "loaded a key that should have been refused";
      return {};
    }
    return loaded.error();
  }

  wharf::testing::TempDir temp_{"wharf-sealing-test"};
  const fs::path& dir_ = temp_.path();
};

constexpr std::string_view kHexKey =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

TEST_F(RootKeyTest, KeyFileOfHexOrRawBytesLoads) {
  for (const std::string& contents :
       {std::string(kHexKey), std::string(kHexKey) + "\n", std::string(kHexKey) + "\r\n",
        std::string("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"),
        KeyBytes()}) {
    const std::string path = Write("keys/root.key", contents);
    auto loaded = LoadRootKey(RootKeyFile{path, DataDir()});
    ASSERT_TRUE(loaded.ok()) << loaded.error();
    EXPECT_EQ(loaded->key_id(), 0x630dcd29u);
  }
}

TEST_F(RootKeyTest, KeyFileReadableByOthersIsRefusedNamingPathAndMode) {
  for (mode_t mode : {0640, 0604, 0620, 0660, 0644, 0601, 0400 | 0004}) {
    const std::string path = Write("keys/root.key", kHexKey, mode);
    const std::string error = LoadError(RootKeyFile{path, DataDir()});
    std::ostringstream octal;
    octal << "0" << std::oct << mode;
    EXPECT_NE(error.find(path), std::string::npos) << error;
    EXPECT_NE(error.find(octal.str()), std::string::npos) << error;
    EXPECT_NE(error.find("chmod 600"), std::string::npos) << error;
  }
  EXPECT_TRUE(LoadRootKey(RootKeyFile{Write("keys/root.key", kHexKey, 0400), DataDir()}).ok());
}

TEST_F(RootKeyTest, KeyFileOwnedBySomeoneElseIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file away";
  const std::string path = Write("keys/root.key", kHexKey);
  ASSERT_EQ(::chown(path.c_str(), 12345, 12345), 0);
  const std::string error = LoadError(RootKeyFile{path, DataDir()});
  EXPECT_NE(error.find("uid 12345"), std::string::npos) << error;
}

TEST_F(RootKeyTest, KeyFileThatIsNotAKeyIsRefused) {
  for (const std::string& contents :
       {std::string(), std::string(kHexKey.substr(0, 63)), std::string(kHexKey) + "0",
        std::string(kHexKey) + "\n\n", std::string(kHexKey) + " ",
        "g" + std::string(kHexKey.substr(1)), std::string(kHexKey.substr(0, 32)),
        std::string(33, 'k'), std::string(4096, 'a')}) {
    const std::string path = Write("keys/root.key", contents);
    const std::string error = LoadError(RootKeyFile{path, DataDir()});
    EXPECT_NE(error.find(path), std::string::npos) << error;
    // The file's contents are never echoed.
    if (contents.size() >= 16) {
      EXPECT_EQ(error.find(contents), std::string::npos) << error;
    }
  }
}

TEST_F(RootKeyTest, MissingFileDirectoryAndFifoAreRefused) {
  const std::string missing = Path("keys/none.key");
  EXPECT_NE(LoadError(RootKeyFile{missing, DataDir()}).find(missing), std::string::npos);
  const std::string dir = Path("keys");
  ASSERT_EQ(::chmod(dir.c_str(), 0700), 0);
  EXPECT_NE(LoadError(RootKeyFile{dir, DataDir()}).find("not a regular file"), std::string::npos);
  const std::string fifo = Path("keys/fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Must not hang waiting for a writer.
  EXPECT_NE(LoadError(RootKeyFile{fifo, DataDir()}).find("not a regular file"), std::string::npos);
  EXPECT_FALSE(LoadRootKey(RootKeyFile{"", DataDir()}).ok());
}

TEST_F(RootKeyTest, KeyFileInsideTheDataDirectoryIsRefused) {
  fs::create_directories(dir_ / "data" / "sub");
  const std::string inside = Write("data/root.key", kHexKey);
  const std::string error = LoadError(RootKeyFile{inside, DataDir()});
  EXPECT_NE(error.find(inside), std::string::npos) << error;
  EXPECT_NE(error.find("data directory"), std::string::npos) << error;
  Write("data/sub/root.key", kHexKey);
  // However it is spelled: deeper, with "..", with a trailing slash on the directory.
  EXPECT_FALSE(LoadRootKey(RootKeyFile{Path("data/sub/root.key"), DataDir()}).ok());
  EXPECT_FALSE(LoadRootKey(RootKeyFile{Path("keys/../data/root.key"), DataDir()}).ok());
  EXPECT_FALSE(LoadRootKey(RootKeyFile{inside, DataDir() + "/"}).ok());
  EXPECT_FALSE(LoadRootKey(RootKeyFile{inside, Path("keys/../data")}).ok());
  // Through a symbolic link from outside, or a data directory reached through one.
  fs::create_symlink(inside, dir_ / "keys" / "link.key");
  EXPECT_FALSE(LoadRootKey(RootKeyFile{Path("keys/link.key"), DataDir()}).ok());
  fs::create_directory_symlink(dir_ / "data", dir_ / "data-link");
  EXPECT_FALSE(LoadRootKey(RootKeyFile{inside, Path("data-link")}).ok());
  // A sibling whose name starts alike is not inside; no data directory means no check.
  fs::create_directories(dir_ / "data-other");
  const std::string sibling = Write("data-other/root.key", kHexKey);
  EXPECT_TRUE(LoadRootKey(RootKeyFile{sibling, DataDir()}).ok());
  EXPECT_TRUE(LoadRootKey(RootKeyFile{inside, ""}).ok());
}

TEST_F(RootKeyTest, CreateKeyFileWritesAFreshPrivateKeyOnce) {
  const std::string path = Path("keys/root.key");
  auto created = CreateKeyFile(RootKeyFile{path, DataDir()});
  ASSERT_TRUE(created.ok()) << created.error();
  EXPECT_EQ(ModeOf(path), 0600u);
  const std::string contents = Read(path);
  ASSERT_EQ(contents.size(), 65u);
  EXPECT_EQ(contents.back(), '\n');
  auto loaded = LoadRootKey(RootKeyFile{path, DataDir()});
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(loaded->key_id(), created->key_id());
  EXPECT_TRUE(loaded->Open(created->Seal("secret", "ad"), "ad").ok());

  // Never replaces a key, and leaves no temporary files behind.
  auto again = CreateKeyFile(RootKeyFile{path, DataDir()});
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().find(path), std::string::npos) << again.error();
  EXPECT_EQ(Read(path), contents);
  size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir_ / "keys")) ++files;
  EXPECT_EQ(files, 1u);

  // Two keys are different keys.
  auto other = CreateKeyFile(RootKeyFile{Path("keys/other.key"), DataDir()});
  ASSERT_TRUE(other.ok()) << other.error();
  EXPECT_NE(other->key_id(), created->key_id());
}

TEST_F(RootKeyTest, CreateKeyFileRefusesTheDataDirectoryAndMissingDirectories) {
  auto inside = CreateKeyFile(RootKeyFile{Path("data/root.key"), DataDir()});
  ASSERT_FALSE(inside.ok());
  EXPECT_NE(inside.error().find("data directory"), std::string::npos) << inside.error();
  EXPECT_FALSE(fs::exists(dir_ / "data" / "root.key"));
  auto nowhere = CreateKeyFile(RootKeyFile{Path("missing/root.key"), DataDir()});
  ASSERT_FALSE(nowhere.ok());
  EXPECT_NE(nowhere.error().find("missing"), std::string::npos) << nowhere.error();
}

// --- environment --------------------------------------------------------------------------------

class EnvironmentKeyTest : public RootKeyTest {
 protected:
  static constexpr const char* kVariable = "WHARF_SEALING_TEST_ROOT_KEY";
  ~EnvironmentKeyTest() override { ::unsetenv(kVariable); }
  static void Set(const std::string& value) { ASSERT_EQ(::setenv(kVariable, value.c_str(), 1), 0); }
};

TEST_F(EnvironmentKeyTest, SixtyFourHexCharactersLoad) {
  Set(std::string(kHexKey));
  auto loaded = LoadRootKey(RootKeyFromEnvironment{kVariable});
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(loaded->key_id(), 0x630dcd29u);
}

TEST_F(EnvironmentKeyTest, FormatErrorsNameTheVariableNotTheValue) {
  ::unsetenv(kVariable);
  EXPECT_NE(LoadError(RootKeyFromEnvironment{kVariable}).find("is not set"), std::string::npos);
  const std::string not_hex = "zz" + std::string(kHexKey.substr(2));
  for (const std::string& value :
       {std::string(), std::string(kHexKey.substr(0, 63)), std::string(kHexKey) + "0",
        std::string(kHexKey) + "\n", not_hex, std::string(kHexKey.substr(0, 32))}) {
    Set(value);
    const std::string error = LoadError(RootKeyFromEnvironment{kVariable});
    EXPECT_NE(error.find(kVariable), std::string::npos) << error;
    EXPECT_NE(error.find("64 hex characters"), std::string::npos) << error;
    if (!value.empty()) {
      EXPECT_EQ(error.find(value), std::string::npos) << error;
    }
  }
  EXPECT_FALSE(LoadRootKey(RootKeyFromEnvironment{""}).ok());
}

// --- passphrase -----------------------------------------------------------------------------

constexpr std::string_view kPassphrase = "correct horse battery staple";

TEST_F(RootKeyTest, PassphraseDerivesTheSameKeyWithTheSameSalt) {
  const std::string params = Path("data/root-key.params");
  auto created = CreatePassphraseKey(RootKeyFromPassphrase{std::string(kPassphrase), params});
  ASSERT_TRUE(created.ok()) << created.error();
  EXPECT_EQ(ModeOf(params), 0600u);
  EXPECT_TRUE(Read(params).starts_with("wharf root key parameters v1\nkdf scrypt\nn 131072\n"));
  const std::string sealed = created->Seal("secret", "ad");
  auto loaded = LoadRootKey(RootKeyFromPassphrase{std::string(kPassphrase), params});
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(loaded->key_id(), created->key_id());
  auto opened = loaded->Open(sealed, "ad");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "secret");

  // Another salt, another key, from the same passphrase.
  auto other = CreatePassphraseKey(
      RootKeyFromPassphrase{std::string(kPassphrase), Path("keys/root-key.params")});
  ASSERT_TRUE(other.ok()) << other.error();
  EXPECT_NE(other->key_id(), created->key_id());

  // A wrong passphrase is told as such; the parameters are never replaced.
  const std::string error =
      LoadError(RootKeyFromPassphrase{"correct horse battery stapler", params});
  EXPECT_NE(error.find("passphrase"), std::string::npos) << error;
  const std::string before = Read(params);
  EXPECT_FALSE(CreatePassphraseKey(RootKeyFromPassphrase{std::string(kPassphrase), params}).ok());
  EXPECT_EQ(Read(params), before);
}

// A parameters file written by hand with a known salt: the key is scrypt(passphrase, salt,
// N = 2^17, r = 8, p = 1) as an independent implementation computes it.
TEST_F(RootKeyTest, PassphraseKeyIsScryptOfTheStoredSalt) {
  const std::string expected_key =
      Unhex("9cdeed85c75455c1160f7c6632a7ee77da04c7514cf54345355400569db0967b");
  const Sealer expected = MakeSealer(expected_key);
  std::string text =
      "wharf root key parameters v1\nkdf scrypt\nn 131072\nr 8\np 1\n"
      "salt 6465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283\ncheck ";
  text.append(HexLower(
      reinterpret_cast<const uint8_t*>(expected.Seal("", "wharf root key check v1").data()),
      Sealer::kOverhead));
  text.append("\n");
  const std::string params = Write("data/root-key.params", text);
  auto loaded = LoadRootKey(RootKeyFromPassphrase{std::string(kPassphrase), params});
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(loaded->key_id(), 0xa7fa5964u);
}

TEST_F(RootKeyTest, PassphraseRefusalsAreClear) {
  EXPECT_FALSE(
      CreatePassphraseKey(RootKeyFromPassphrase{"short", Path("data/root-key.params")}).ok());
  EXPECT_FALSE(fs::exists(dir_ / "data" / "root-key.params"));
  const std::string missing = Path("data/none.params");
  EXPECT_NE(LoadError(RootKeyFromPassphrase{std::string(kPassphrase), missing}).find(missing),
            std::string::npos);
  for (const std::string& text :
       {std::string("garbage\n"), std::string("wharf root key parameters v1\nkdf scrypt\n"),
        std::string("wharf root key parameters v1\nkdf scrypt\nn 1024\nr 8\np 1\nsalt "
                    "00112233445566778899aabbccddeeff\ncheck 00\n"),
        std::string("wharf root key parameters v1\nkdf pbkdf2\nn 131072\nr 8\np 1\nsalt "
                    "00112233445566778899aabbccddeeff\ncheck 00\n")}) {
    const std::string path = Write("data/bad.params", text);
    const std::string error = LoadError(RootKeyFromPassphrase{std::string(kPassphrase), path});
    EXPECT_NE(error.find("damaged"), std::string::npos) << error;
  }
  const std::string readable = Write("data/readable.params", "x", 0644);
  EXPECT_NE(LoadError(RootKeyFromPassphrase{std::string(kPassphrase), readable}).find("0644"),
            std::string::npos);
}

TEST_F(RootKeyTest, PassphraseFileLosesOneTrailingNewline) {
  for (const auto& [contents, expected] :
       std::vector<std::pair<std::string, std::string>>{{"correct horse\n", "correct horse"},
                                                        {"correct horse\r\n", "correct horse"},
                                                        {"correct horse", "correct horse"},
                                                        {"two lines\n\n", "two lines\n"},
                                                        {" spaces kept ", " spaces kept "}}) {
    const std::string path = Write("keys/passphrase", contents);
    std::string passphrase = "old";
    Status<std::string> read = ReadPassphraseFile(path, passphrase);
    ASSERT_TRUE(read.ok()) << read.error();
    EXPECT_EQ(passphrase, expected);
  }
}

TEST_F(RootKeyTest, PassphraseFileRefusals) {
  std::string passphrase;
  const std::string readable = Write("keys/passphrase", "correct horse", 0644);
  Status<std::string> read = ReadPassphraseFile(readable, passphrase);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.error().find("chmod 600"), std::string::npos) << read.error();
  EXPECT_NE(read.error().find(readable), std::string::npos) << read.error();
  EXPECT_TRUE(passphrase.empty());

  const std::string empty = Write("keys/empty", "\n");
  read = ReadPassphraseFile(empty, passphrase);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.error().find("empty"), std::string::npos) << read.error();

  const std::string missing = Path("keys/missing");
  read = ReadPassphraseFile(missing, passphrase);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.error().find(missing), std::string::npos) << read.error();

  const std::string huge = Write("keys/huge", std::string(5000, 'p'));
  EXPECT_FALSE(ReadPassphraseFile(huge, passphrase).ok());
}

TEST(WipeSecretTest, EmptiesTheString) {
  std::string secret = "a secret longer than the small-string buffer of std::string";
  WipeSecret(secret);
  EXPECT_TRUE(secret.empty());
}

}  // namespace
}  // namespace wharf
