// Throughput of the returned-text sanitiser (docs/security.md, "Returned-text sanitisation"), which runs on every text value of every
// result: MB/s per mode on ASCII-heavy and on mixed multilingual text. Build: --target benchmarks; argv[1]: seconds per figure (default 1).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/sanitize.h"

namespace {

using pgmcp::SanitizeMode;

constexpr std::size_t kCorpusBytes = 8 << 20;

// Values as a business database returns them: names, e-mails, statuses, numbers, short notes.
std::string AsciiHeavyCorpus() {
  const std::vector<std::string_view> values = {
      "Acme Data Labs", "billing@acme-data-labs.example", "enterprise", "fulfilled", "2026-10-31T12:34:56Z",
      "Our last invoice charges 45 seats but we only have 38 active users. Could you check?",
      "CF-PRO-SEAT", "Pro plan, per seat and month", "4475.51", "US",
      "Since this morning none of our users can log in after resetting their password.\nThanks,\tAnna",
  };
  std::string corpus;
  for (std::size_t k = 0; corpus.size() < kCorpusBytes; ++k) {
    corpus += values[k % values.size()];
    corpus += ' ';
  }
  return corpus;
}

// Support-ticket text in many scripts, emoji, and now and then something to remove.
std::string MixedCorpus() {
  const std::vector<std::string_view> values = {
      "Wir haben die Rechnung für März zweimal erhalten. Grüße aus München!",
      "本番環境で429エラーが頻発しています。上限を引き上げていただけますか？",
      "لم نستلم فاتورة شهر مايو حتى الآن، يرجى إرسالها إلى قسم المحاسبة.",
      "हमारे खाते से इस महीने दो बार शुल्क लिया गया है, कृपया जाँच करें।",
      "Great work on the release 👍🏽 the charts load much faster now. ❤️ from the whole team!",
      "Новые пользователи не получают письмо для подтверждения адреса.",
      "\x1b[31mURGENT\x1b[0m: please\xe2\x80\x8b refund\xe2\x80\xae our invoice",
      "Status: fine\rStatus: DROP everything",
      "Plain English in between: order 1234 shipped on 2026-10-02.",
  };
  std::string corpus;
  for (std::size_t k = 0; corpus.size() < kCorpusBytes; ++k) {
    corpus += values[k % values.size()];
    corpus += '\n';
  }
  return corpus;
}

// Sanitises the corpus value by value (as results are) until about a second has passed. Values
// are cut at character boundaries, so that the cuts do not turn into U+FFFD.
double MegabytesPerSecond(const std::string& corpus, SanitizeMode mode, std::size_t value_bytes, double seconds) {
  std::vector<std::string_view> slices;
  for (std::size_t at = 0, end; at < corpus.size(); at = end) {
    end = std::min(corpus.size(), at + value_bytes);
    while (end < corpus.size() && (static_cast<unsigned char>(corpus[end]) & 0xC0) == 0x80) ++end;
    slices.push_back(std::string_view(corpus).substr(at, end - at));
  }
  std::string out;
  out.reserve(corpus.size() + corpus.size() / 2);
  std::size_t bytes = 0;
  std::size_t checksum = 0;
  const auto start = std::chrono::steady_clock::now();
  std::chrono::duration<double> elapsed{};
  do {
    out.clear();
    for (std::string_view value : slices) pgmcp::AppendSanitized(value, mode, out);
    bytes += corpus.size();
    checksum += out.size();
    elapsed = std::chrono::steady_clock::now() - start;
  } while (elapsed.count() < seconds);
  if (checksum == 0) std::puts("");  // keeps the work observable
  return static_cast<double>(bytes) / 1e6 / elapsed.count();
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  const std::string ascii = AsciiHeavyCorpus();
  const std::string mixed = MixedCorpus();
  std::printf("%-12s %-8s %12s %12s\n", "corpus", "mode", "64 B values", "4 KiB values");
  for (const auto& [name, corpus] : {std::pair{"ascii-heavy", &ascii}, std::pair{"mixed", &mixed}}) {
    for (const auto& [mode_name, mode] : {std::pair{"strict", SanitizeMode::kStrict},
                                           std::pair{"basic", SanitizeMode::kBasic},
                                           std::pair{"off", SanitizeMode::kOff}}) {
      std::printf("%-12s %-8s %9.0f MB/s %9.0f MB/s\n", name, mode_name, MegabytesPerSecond(*corpus, mode, 64, seconds),
                  MegabytesPerSecond(*corpus, mode, 4096, seconds));
    }
  }
  return 0;
}
