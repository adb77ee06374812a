// The floor: the least work any durable SQS endpoint must do per SendMessage (and per
// SendMessageBatch: every entry's MD5 and an answer per entry; ReceiveMessage and
// DeleteMessage(Batch) against a minimal in-memory queue) on this machine,
// to tell which of issue 6's targets are physically out of reach (docs/benchmarks.md, "The
// floor"). Not a server anyone should run: one thread, one epoll loop, no SigV4, no queue.
//
// Per loop turn it reads every readable connection, answers each complete request (MD5 of the
// body and a message id, as SendMessage must), appends the bodies to one file, and with
// `--sync fdatasync` makes them durable with one write + fdatasync for the whole turn — group
// commit with no thread hop at all — before sending the answers. With `--sync none` it is the
// "minimal HTTP responder returning a fixed SQS reply" of issue 6. With `--sync-thread on` the
// write + fdatasync run on a second thread (as Wharf's committer does) and the loop keeps
// parsing while a group syncs; whatever arrives meanwhile forms the next group.
//
//   wharf_floor_responder --port 9600 --sync fdatasync [--sync-thread on] --file /tmp/floor.log
//   wharf bench --endpoint http://127.0.0.1:9600 --scenario send --connections 16
//
// Only what `wharf bench` sends is understood: Content-Length bodies, X-Amz-Target of the JSON
// protocol (CreateQueue and DeleteQueue are answered too, so the generator can set up).

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

struct Connection {
  int fd = -1;
  std::string in;
  std::string out;
};

std::string_view HeaderValue(std::string_view head, std::string_view name) {
  size_t pos = 0;
  while ((pos = head.find("\r\n", pos)) != std::string_view::npos) {
    pos += 2;
    if (head.size() - pos < name.size() + 1) break;
    if (strncasecmp(head.data() + pos, name.data(), name.size()) == 0 &&
        head[pos + name.size()] == ':') {
      size_t start = pos + name.size() + 1;
      while (start < head.size() && head[start] == ' ') ++start;
      size_t end = head.find("\r\n", start);
      return head.substr(start, end - start);
    }
  }
  return {};
}

void Md5Hex(std::string_view data, char out[33]) {
  unsigned char digest[16];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  out[32] = '\0';
}

void AppendAnswer(std::string& out, std::string_view body) {
  char head[160];
  int n = snprintf(head, sizeof head,
                   "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n"
                   "Content-Length: %zu\r\n\r\n",
                   body.size());
  out.append(head, static_cast<size_t>(n));
  out.append(body);
}

// The string value that starts at `from` (just after its opening quote), escapes left as they
// are; npos in `end` if it is not closed.
std::string_view QuotedValue(std::string_view json, size_t from, size_t& end) {
  end = from;
  while (end < json.size() && json[end] != '"') end += json[end] == '\\' ? 2 : 1;
  if (end >= json.size()) {
    end = std::string_view::npos;
    return {};
  }
  return json.substr(from, end - from);
}

// The floor's queue, for receive-delete and pipeline: what any queue must keep per message (the
// body, its MD5, an id) and which received messages wait for their delete. No visibility
// timeout, attributes or receive counts. Only the event loop's thread touches it.
struct StoredMessage {
  uint64_t id = 0;
  std::string body;
  std::array<char, 33> md5{};
};
// A ReceiveMessage with WaitTimeSeconds that found the queue empty: answered by the next send,
// or empty at its deadline (as a real server's long poll; answering at once would make the
// generator's consumers spin, work no server does).
struct ParkedReceive {
  int fd = -1;
  int max = 1;
  std::chrono::steady_clock::time_point deadline;
};
struct FloorQueue {
  std::deque<StoredMessage> ready;
  std::deque<ParkedReceive> parked;  // in deadline order: every wait of the generator is equal
  std::unordered_map<uint64_t, StoredMessage> received;  // by receipt number
  uint64_t next_receipt = 1;
};
FloorQueue queue;

void Enqueue(uint64_t id, std::string_view body, const char md5[33]) {
  StoredMessage& m = queue.ready.emplace_back();
  m.id = id;
  m.body.assign(body);
  memcpy(m.md5.data(), md5, 33);
}

// FIFO: the deduplication ids seen, with their message's number (a real server forgets them
// after 5 minutes; a bench run is shorter). A duplicate is answered with the first message's
// number and stored again nowhere.
std::unordered_map<std::string, uint64_t> dedup_ids;

// SendMessageBatch as it must be done at the least: every entry's body appended to `group` and
// its MD5 computed, every entry answered under its Id. (`wharf bench` sends bodies that need no
// unescaping; a real server would unescape them.)
void AnswerBatch(std::string_view body, std::string& group, uint64_t& next_id, std::string& json) {
  json.assign("{\"Successful\":[");
  static constexpr std::string_view kId = "{\"Id\":\"";
  static constexpr std::string_view kBody = "\"MessageBody\":\"";
  static constexpr std::string_view kDedup = "\"MessageDeduplicationId\":\"";
  size_t pos = 0;
  bool first = true;
  while ((pos = body.find(kId, pos)) != std::string_view::npos) {
    size_t id_end = 0;
    std::string_view id = QuotedValue(body, pos + kId.size(), id_end);
    if (id_end == std::string_view::npos) break;
    size_t at = body.find(kBody, id_end);
    if (at == std::string_view::npos) break;
    size_t body_end = 0;
    std::string_view message = QuotedValue(body, at + kBody.size(), body_end);
    if (body_end == std::string_view::npos) break;
    // FIFO: the entry's deduplication id, if it has one before the next entry.
    std::string_view dedup;
    if (size_t d = body.find(kDedup, body_end); d < body.find(kId, body_end)) {
      size_t dedup_end = 0;
      dedup = QuotedValue(body, d + kDedup.size(), dedup_end);
      if (dedup_end == std::string_view::npos) break;
      body_end = dedup_end;
    }
    char md5[33];
    Md5Hex(message, md5);
    uint64_t n = next_id;
    bool duplicate = false;
    if (!dedup.empty()) {
      auto [seen, inserted] = dedup_ids.try_emplace(std::string(dedup), n);
      duplicate = !inserted;
      n = seen->second;
    }
    if (!duplicate) {
      ++next_id;
      group.append(message);
      group.append(dedup);  // a durable server keeps the id as long as the window
      Enqueue(n, message, md5);
    }
    char sequence[48] = "";
    if (!dedup.empty()) {
      snprintf(sequence, sizeof sequence, ",\"SequenceNumber\":\"%llu\"",
               static_cast<unsigned long long>(n));
    }
    char entry[256];
    const int len =
        snprintf(entry, sizeof entry,
                 "%s{\"Id\":\"%.*s\",\"MessageId\":\"%08x-0000-4000-8000-%012llx\","
                 "\"MD5OfMessageBody\":\"%s\"%s}",
                 first ? "" : ",", static_cast<int>(std::min<size_t>(id.size(), 80)), id.data(),
                 static_cast<unsigned>(n >> 48), static_cast<unsigned long long>(n), md5, sequence);
    json.append(entry, static_cast<size_t>(len));
    first = false;
    pos = body_end;
  }
  json.append("],\"Failed\":[]}");
}

// JSON string content, escaped as a real server must (bench bodies need none).
void AppendEscaped(std::string& out, std::string_view text) {
  for (char ch : text) {
    const auto u = static_cast<unsigned char>(ch);
    if (u >= 0x20 && ch != '"' && ch != '\\') {
      out.push_back(ch);
    } else {
      char escaped[8];
      snprintf(escaped, sizeof escaped, "\\u%04x", u);
      out.append(escaped);
    }
  }
}

// The JSON number member `"name":<n>` of a request, clamped to [low, high]; `absent` if missing.
int IntMember(std::string_view request, std::string_view name, int absent, int low, int high) {
  size_t at = request.find(name);
  if (at == std::string_view::npos || at == 0 || request[at - 1] != '"') return absent;
  at += name.size() + 2;  // past `":`
  if (at >= request.size()) return absent;
  return std::clamp(atoi(std::string(request.substr(at, 4)).c_str()), low, high);
}

// ReceiveMessage: up to `max` messages from the front, each moved to `received` under a new
// receipt number and answered with its id, receipt handle, MD5 and body.
void AnswerReceive(int max, std::string& json) {
  if (queue.ready.empty()) {
    json.assign("{}");
    return;
  }
  json.assign("{\"Messages\":[");
  for (int i = 0; i < max && !queue.ready.empty(); ++i) {
    const uint64_t receipt = queue.next_receipt++;
    StoredMessage& m = queue.received[receipt] = std::move(queue.ready.front());
    queue.ready.pop_front();
    char head[192];
    const int len = snprintf(head, sizeof head,
                             "%s{\"MessageId\":\"%08x-0000-4000-8000-%012llx\",\"ReceiptHandle\":"
                             "\"r%llu\",\"MD5OfBody\":\"%s\",\"Body\":\"",
                             i == 0 ? "" : ",", static_cast<unsigned>(m.id >> 48),
                             static_cast<unsigned long long>(m.id),
                             static_cast<unsigned long long>(receipt), m.md5.data());
    json.append(head, static_cast<size_t>(len));
    AppendEscaped(json, m.body);
    json.append("\"}");
  }
  json.append("]}");
}

// DeleteMessage(Batch): every receipt handle's message forgotten, the deletes appended to
// `group` (so a synced floor syncs them as a durable server must), every entry answered.
void AnswerDelete(std::string_view request, bool batch, std::string& group, std::string& json) {
  static constexpr std::string_view kId = "{\"Id\":\"";
  static constexpr std::string_view kReceipt = "\"ReceiptHandle\":\"";
  json.assign(batch ? "{\"Successful\":[" : "{}");
  size_t pos = 0;
  bool first = true;
  while (true) {
    std::string_view id;
    size_t from = pos;
    if (batch) {
      const size_t at = request.find(kId, pos);
      if (at == std::string_view::npos) break;
      id = QuotedValue(request, at + kId.size(), from);
      if (from == std::string_view::npos) break;
    }
    const size_t at = request.find(kReceipt, from);
    if (at == std::string_view::npos) break;
    size_t end = 0;
    const std::string_view handle = QuotedValue(request, at + kReceipt.size(), end);
    if (end == std::string_view::npos) break;
    if (handle.size() > 1) queue.received.erase(strtoull(handle.data() + 1, nullptr, 10));
    group.append(handle);
    if (batch) {
      json.append(first ? "{\"Id\":\"" : ",{\"Id\":\"").append(id).append("\"}");
      first = false;
    }
    pos = end;
    if (!batch) break;
  }
  if (batch) json.append("],\"Failed\":[]}");
}

// Answers every complete request in `c.in`; bodies of SendMessage(Batch) go to `group`.
void Serve(Connection& c, std::string& group, uint64_t& next_id) {
  size_t consumed = 0;
  for (;;) {
    std::string_view rest(c.in.data() + consumed, c.in.size() - consumed);
    size_t end = rest.find("\r\n\r\n");
    if (end == std::string_view::npos) break;
    std::string_view head = rest.substr(0, end + 2);
    size_t length = strtoul(std::string(HeaderValue(head, "Content-Length")).c_str(), nullptr, 10);
    if (rest.size() < end + 4 + length) break;
    std::string_view body = rest.substr(end + 4, length);
    std::string_view target = HeaderValue(head, "X-Amz-Target");
    char answer[256];
    if (target.ends_with(".SendMessageBatch")) {
      static thread_local std::string batch_answer;
      AnswerBatch(body, group, next_id, batch_answer);
      AppendAnswer(c.out, batch_answer);
      consumed += end + 4 + length;
      continue;
    }
    if (target.ends_with(".ReceiveMessage") || target.ends_with(".DeleteMessageBatch") ||
        target.ends_with(".DeleteMessage")) {
      static thread_local std::string queue_answer;
      if (target.ends_with(".ReceiveMessage")) {
        const int max = IntMember(body, "MaxNumberOfMessages", 1, 1, 10);
        const int wait = IntMember(body, "WaitTimeSeconds", 0, 0, 20);
        if (queue.ready.empty() && wait > 0) {
          queue.parked.push_back(ParkedReceive{
              c.fd, max, std::chrono::steady_clock::now() + std::chrono::seconds(wait)});
          consumed += end + 4 + length;
          continue;
        }
        AnswerReceive(max, queue_answer);
      } else {
        AnswerDelete(body, target.ends_with("Batch"), group, queue_answer);
      }
      AppendAnswer(c.out, queue_answer);
      consumed += end + 4 + length;
      continue;
    }
    if (target.ends_with(".SendMessage")) {
      group.append(body);
      char md5[33];
      Md5Hex(body, md5);
      uint64_t id = next_id++;
      Enqueue(id, body, md5);
      snprintf(answer, sizeof answer,
               "{\"MessageId\":\"%08x-0000-4000-8000-%012llx\",\"MD5OfMessageBody\":\"%s\"}",
               static_cast<unsigned>(id >> 48), static_cast<unsigned long long>(id), md5);
    } else if (target.ends_with(".CreateQueue")) {
      snprintf(answer, sizeof answer, "{\"QueueUrl\":\"http://127.0.0.1/000000000000/floor\"}");
    } else {
      snprintf(answer, sizeof answer, "{}");
    }
    AppendAnswer(c.out, answer);
    consumed += end + 4 + length;
  }
  c.in.erase(0, consumed);
}

bool SendAll(Connection& c) {
  size_t sent = 0;
  while (sent < c.out.size()) {
    ssize_t n = send(c.fd, c.out.data() + sent, c.out.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && errno == EAGAIN) {
      continue;  // answers are small; the peer reads them at once
    } else {
      return false;
    }
  }
  c.out.clear();
  return true;
}

// The second thread of `--sync-thread on`: syncs what the loop handed over, then tells the
// loop (through an eventfd) which connections' answers may go.
struct Syncer {
  int log = -1;
  int wake = -1;  // eventfd, readable when `synced` has connections
  bool sync = true;
  std::mutex mu;
  std::condition_variable cv;
  std::string group;         // handed over, not yet written
  std::vector<int> waiting;  // their connections
  std::vector<int> synced;   // written and synced: answer these

  void Run() {
    std::string writing;
    std::vector<int> answering;
    for (;;) {
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return !group.empty(); });
        writing.swap(group);
        answering.swap(waiting);
      }
      if (write(log, writing.data(), writing.size()) < 0 || (sync && fdatasync(log) != 0)) {
        perror("wharf_floor_responder: write");
        std::exit(1);
      }
      writing.clear();
      {
        std::lock_guard lock(mu);
        synced.insert(synced.end(), answering.begin(), answering.end());
      }
      answering.clear();
      uint64_t one = 1;
      if (::write(wake, &one, sizeof one) < 0) std::exit(1);
    }
  }
};

// Answers the parked receives that messages arrived for, and those whose wait is over (empty);
// their connections join `answered`.
void AnswerParked(std::vector<Connection>& connections, std::vector<int>& answered) {
  static thread_local std::string json;
  const auto now = std::chrono::steady_clock::now();
  while (!queue.parked.empty() && (!queue.ready.empty() || queue.parked.front().deadline <= now)) {
    const ParkedReceive p = queue.parked.front();
    queue.parked.pop_front();
    Connection& c = connections[static_cast<size_t>(p.fd)];
    // Closed meanwhile. (A new connection that reused the descriptor would get the answer; the
    // generator keeps its connections for the whole run, so this tool does not track that.)
    if (c.fd != p.fd) continue;
    AnswerReceive(p.max, json);
    AppendAnswer(c.out, json);
    answered.push_back(p.fd);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int port = 9600;
  bool sync = false;
  bool sync_thread = false;
  std::string path = "/tmp/wharf-floor.log";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--port") port = atoi(argv[i + 1]);
    if (flag == "--sync") sync = std::string_view(argv[i + 1]) == "fdatasync";
    if (flag == "--file") path = argv[i + 1];
    if (flag == "--sync-thread") sync_thread = std::string_view(argv[i + 1]) == "on";
  }
  int log = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (log < 0 || bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listener, 1024) != 0) {
    perror("wharf_floor_responder");
    return 1;
  }
  int ep = epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  Syncer syncer;
  syncer.log = log;
  syncer.sync = sync;
  syncer.wake = eventfd(0, EFD_NONBLOCK);
  if (sync_thread) {
    epoll_event wev{};
    wev.events = EPOLLIN;
    wev.data.fd = syncer.wake;
    epoll_ctl(ep, EPOLL_CTL_ADD, syncer.wake, &wev);
    std::thread([&syncer] { syncer.Run(); }).detach();
  }
  std::vector<Connection> connections(65536);
  std::vector<int> synced;
  std::vector<int> answered;
  std::string group;
  uint64_t next_id = 1;
  epoll_event events[256];
  char buffer[65536];
  for (;;) {
    int n = epoll_wait(ep, events, 256, queue.parked.empty() ? -1 : 20);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        int c;
        while ((c = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK)) >= 0) {
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          connections[static_cast<size_t>(c)] = Connection{c, {}, {}};
          epoll_event cev{};
          cev.events = EPOLLIN;
          cev.data.fd = c;
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
        continue;
      }
      if (fd == syncer.wake) {
        uint64_t count;
        if (read(syncer.wake, &count, sizeof count) < 0) continue;
        {
          std::lock_guard lock(syncer.mu);
          synced.swap(syncer.synced);
        }
        for (int s : synced) {
          Connection& c = connections[static_cast<size_t>(s)];
          if (c.fd >= 0 && !SendAll(c)) {
            epoll_ctl(ep, EPOLL_CTL_DEL, s, nullptr);
            close(s);
            c = Connection{};
          }
        }
        synced.clear();
        continue;
      }
      Connection& c = connections[static_cast<size_t>(fd)];
      ssize_t got;
      while ((got = recv(fd, buffer, sizeof buffer, 0)) > 0)
        c.in.append(buffer, static_cast<size_t>(got));
      if (got == 0 || (got < 0 && errno != EAGAIN)) {
        epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
        close(fd);
        c = Connection{};
        continue;
      }
      Serve(c, group, next_id);
      if (!c.out.empty()) answered.push_back(fd);
    }
    AnswerParked(connections, answered);
    if (sync_thread && !group.empty()) {
      {
        std::lock_guard lock(syncer.mu);
        syncer.group.append(group);
        syncer.waiting.insert(syncer.waiting.end(), answered.begin(), answered.end());
        syncer.cv.notify_one();
      }
      group.clear();
      answered.clear();
      continue;
    }
    // One group commit for everything this turn accepted, then the answers.
    if (!group.empty()) {
      if (write(log, group.data(), group.size()) < 0 || (sync && fdatasync(log) != 0)) {
        perror("wharf_floor_responder: write");
        return 1;
      }
      group.clear();
    }
    for (int fd : answered) {
      Connection& c = connections[static_cast<size_t>(fd)];
      if (c.fd >= 0 && !SendAll(c)) {
        epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
        close(fd);
        c = Connection{};
      }
    }
    answered.clear();
  }
}
