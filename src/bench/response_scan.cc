#include "bench/response_scan.h"

#include <cstdint>

namespace wharf::bench {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Parses the 4 hex digits at raw[i..i+4); -1 if they are not hex.
int64_t Hex4(std::string_view raw, size_t i) {
  if (i + 4 > raw.size()) return -1;
  int64_t v = 0;
  for (size_t k = 0; k < 4; ++k) {
    const int d = HexValue(raw[i + k]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

void UnescapeJson(std::string_view raw, std::string& out) {
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c != '\\' || i + 1 == raw.size()) {
      out.push_back(c);
      continue;
    }
    const char e = raw[++i];
    switch (e) {
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'u': {
        int64_t cp = Hex4(raw, i + 1);
        if (cp < 0) {
          out.push_back(e);
          break;
        }
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 2 < raw.size() && raw[i + 1] == '\\' &&
            raw[i + 2] == 'u') {
          const int64_t low = Hex4(raw, i + 3);
          if (low >= 0xDC00 && low < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          }
        }
        AppendUtf8(out, static_cast<uint32_t>(cp));
        break;
      }
      default:  // \" \\ \/ and anything unexpected: the character itself
        out.push_back(e);
    }
  }
}

void UnescapeXml(std::string_view raw, std::string& out) {
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out.push_back(raw[i]);
      continue;
    }
    const size_t semi = raw.find(';', i);
    if (semi == std::string_view::npos) {
      out.push_back('&');
      continue;
    }
    const std::string_view entity = raw.substr(i + 1, semi - i - 1);
    if (entity == "amp") {
      out.push_back('&');
    } else if (entity == "lt") {
      out.push_back('<');
    } else if (entity == "gt") {
      out.push_back('>');
    } else if (entity == "quot") {
      out.push_back('"');
    } else if (entity == "apos") {
      out.push_back('\'');
    } else if (entity.size() > 1 && entity[0] == '#') {
      uint32_t cp = 0;
      const bool hex = entity[1] == 'x' || entity[1] == 'X';
      for (size_t k = hex ? 2 : 1; k < entity.size(); ++k) {
        const int d = hex ? HexValue(entity[k])
                          : (entity[k] >= '0' && entity[k] <= '9' ? entity[k] - '0' : -1);
        if (d < 0 || cp > 0x10FFFF) {
          cp = 0xFFFD;
          break;
        }
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
      }
      AppendUtf8(out, cp);
    } else {
      out.append(raw.substr(i, semi - i + 1));
    }
    i = semi;
  }
}

}  // namespace

bool ValueScanner::Next(std::string_view& raw) {
  const bool json = protocol_ == WireProtocol::kJson;
  while (pos_ < body_.size()) {
    const size_t at = body_.find(key_, pos_);
    if (at == std::string_view::npos) break;
    const size_t after = at + key_.size();
    pos_ = after;
    if (at == 0 || after >= body_.size()) continue;
    if (json) {
      // A key: "key" followed by optional space, ':', optional space and a string.
      if (body_[at - 1] != '"' || body_[after] != '"') continue;
      size_t i = after + 1;
      while (i < body_.size() && IsSpace(body_[i])) ++i;
      if (i >= body_.size() || body_[i] != ':') continue;
      ++i;
      while (i < body_.size() && IsSpace(body_[i])) ++i;
      if (i >= body_.size() || body_[i] != '"') continue;
      const size_t start = ++i;
      while (i < body_.size() && body_[i] != '"') i += body_[i] == '\\' ? 2 : 1;
      if (i >= body_.size()) break;
      raw = body_.substr(start, i - start);
      pos_ = i + 1;
      return true;
    }
    // XML: <key>text</key>; text contains no '<'.
    if (body_[at - 1] != '<' || body_[after] != '>') continue;
    const size_t start = after + 1;
    const size_t end = body_.find('<', start);
    if (end == std::string_view::npos) break;
    raw = body_.substr(start, end - start);
    pos_ = end;
    return true;
  }
  pos_ = body_.size();
  return false;
}

void UnescapeTo(WireProtocol protocol, std::string_view raw, std::string& out) {
  if (protocol == WireProtocol::kJson) {
    UnescapeJson(raw, out);
  } else {
    UnescapeXml(raw, out);
  }
}

std::string_view ErrorCode(WireProtocol protocol, std::string_view query_error_header,
                           std::string_view body) {
  std::string_view raw;
  if (protocol == WireProtocol::kQuery) {
    return ValueScanner(protocol, body, "Code").Next(raw) ? raw : std::string_view();
  }
  if (!query_error_header.empty()) {
    return query_error_header.substr(0, query_error_header.find(';'));
  }
  if (ValueScanner(protocol, body, "__type").Next(raw)) {
    const size_t hash = raw.rfind('#');
    return hash == std::string_view::npos ? raw : raw.substr(hash + 1);
  }
  if (ValueScanner(protocol, body, "code").Next(raw)) return raw;
  // A JSON-speaking endpoint may still answer some errors in XML (a proxy, an old server).
  return ValueScanner(WireProtocol::kQuery, body, "Code").Next(raw) ? raw : std::string_view();
}

}  // namespace wharf::bench
