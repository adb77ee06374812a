#include "protocol/escape.h"

#include <cstdint>
#include <cstring>

#include "common/text.h"

namespace wharf::protocol {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool XmlAllowed(int32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// Printable ASCII that needs no escape.
bool IsPlainXml(unsigned char u) {
  return u >= 0x20 && u < 0x80 && u != '&' && u != '<' && u != '>' && u != '"';
}
bool IsPlainJson(unsigned char u) { return u >= 0x20 && u < 0x80 && u != '"' && u != '\\'; }

// Length of the run of plain characters at the start of `text`: eight bytes at a time while a
// whole word is plain, then byte by byte. Bodies and receipt handles are long plain runs, and a
// receive encodes ten of each; byte-wise scanning was the top Wharf function in its profile.
template <bool (*kPlainByte)(unsigned char), bool (*kPlainWord)(uint64_t)>
size_t PlainRun(std::string_view text) {
  size_t n = 0;
  for (uint64_t word; text.size() - n >= sizeof(word); n += sizeof(word)) {
    std::memcpy(&word, text.data() + n, sizeof(word));
    if (!kPlainWord(word)) break;
  }
  while (n < text.size() && kPlainByte(static_cast<unsigned char>(text[n]))) ++n;
  return n;
}

bool IsPlainXmlWord(uint64_t w) {
  return AllPrintableAscii(w) && !HasByte(w, '&') && !HasByte(w, '<') && !HasByte(w, '>') &&
         !HasByte(w, '"');
}
bool IsPlainJsonWord(uint64_t w) {
  return AllPrintableAscii(w) && !HasByte(w, '"') && !HasByte(w, '\\');
}

}  // namespace

void AppendXmlEscaped(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    // Most text (ids, digests, typical bodies) is plain ASCII: append each run of it at once.
    const size_t run = PlainRun<IsPlainXml, IsPlainXmlWord>(text.substr(pos));
    out.append(text.data() + pos, run);
    pos += run;
    if (pos == text.size()) break;
    char c = text[pos];
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x80) {
      switch (c) {
        case '&':
          out.append("&amp;");
          break;
        case '<':
          out.append("&lt;");
          break;
        case '>':
          out.append("&gt;");
          break;
        case '"':
          out.append("&quot;");
          break;
        default:
          out.push_back(c);
      }
      ++pos;
      continue;
    }
    size_t start = pos;
    int32_t cp = NextCodePoint(text, pos);
    if (cp < 0) {
      out.append(kReplacement);
      ++pos;
    } else if (cp == 0xD) {
      out.append("&#xD;");
    } else if (!XmlAllowed(cp)) {
      out.append(kReplacement);
    } else {
      out.append(text.substr(start, pos - start));
    }
  }
}

void AppendJsonEscaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t run = PlainRun<IsPlainJson, IsPlainJsonWord>(text.substr(pos));
    out.append(text.data() + pos, run);
    pos += run;
    if (pos == text.size()) break;
    char c = text[pos];
    auto u = static_cast<unsigned char>(c);
    if (u < 0x80) {
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
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          if (u < 0x20) {
            out.append("\\u00");
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 0xf]);
          } else {
            out.push_back(c);
          }
      }
      ++pos;
      continue;
    }
    size_t start = pos;
    if (NextCodePoint(text, pos) < 0) {
      out.append(kReplacement);
      ++pos;
    } else {
      out.append(text.substr(start, pos - start));
    }
  }
}

}  // namespace wharf::protocol
