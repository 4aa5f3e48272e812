#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "sink/audio.hpp"
#include "sink/recordings.hpp"

using namespace callhook::sink;

namespace {

std::uint32_t le32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s.at(at + static_cast<std::size_t>(i)));
  return v;
}

std::uint16_t le16(const std::string& s, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(s.at(at)) |
                                    (static_cast<unsigned char>(s.at(at + 1)) << 8));
}

std::uint64_t le64(const std::string& s, std::size_t at) {
  return static_cast<std::uint64_t>(le32(s, at)) | (static_cast<std::uint64_t>(le32(s, at + 4)) << 32);
}

struct OggPage {
  unsigned char flags = 0;
  std::uint64_t granule = 0;
  std::uint32_t serial = 0;
  std::uint32_t sequence = 0;
  std::vector<std::string> packets;  // complete packets; the generator never continues one across pages
};

// Walks the pages, checking what every Ogg page must satisfy.
std::vector<OggPage> read_ogg(const std::string& file) {
  std::vector<OggPage> pages;
  std::size_t at = 0;
  while (at < file.size()) {
    INFO("page at byte " << at);
    REQUIRE(file.size() - at >= 27);
    REQUIRE(file.substr(at, 4) == "OggS");
    REQUIRE(file[at + 4] == '\0');
    OggPage page;
    page.flags = static_cast<unsigned char>(file[at + 5]);
    page.granule = le64(file, at + 6);
    page.serial = le32(file, at + 14);
    page.sequence = le32(file, at + 18);
    const std::uint32_t crc = le32(file, at + 22);
    const std::size_t segments = static_cast<unsigned char>(file[at + 26]);
    REQUIRE(file.size() - at >= 27 + segments);
    std::size_t body = 0;
    std::vector<std::size_t> sizes;
    std::size_t packet = 0;
    for (std::size_t i = 0; i < segments; ++i) {
      const std::size_t lacing = static_cast<unsigned char>(file[at + 27 + i]);
      body += lacing;
      packet += lacing;
      if (lacing < 255) {
        sizes.push_back(packet);
        packet = 0;
      }
    }
    REQUIRE(packet == 0);  // the last packet ends on this page
    const std::size_t page_size = 27 + segments + body;
    REQUIRE(file.size() - at >= page_size);
    std::string copy = file.substr(at, page_size);
    for (std::size_t i = 22; i < 26; ++i) copy[i] = '\0';
    CHECK(ogg_crc(copy) == crc);
    std::size_t offset = at + 27 + segments;
    for (auto size : sizes) {
      page.packets.push_back(file.substr(offset, size));
      offset += size;
    }
    pages.push_back(std::move(page));
    at += page_size;
  }
  return pages;
}

// The RFC 6716 frame length of a one-frame packet (code 0, or code 3 with M = 1).
std::size_t opus_frame_length(const std::string& packet) {
  REQUIRE(!packet.empty());
  const int code = static_cast<unsigned char>(packet[0]) & 3;
  if (code == 0) return packet.size() - 1;
  REQUIRE(code == 3);
  REQUIRE(packet.size() >= 2);
  const auto count = static_cast<unsigned char>(packet[1]);
  REQUIRE((count & 0x3f) == 1);  // one frame
  REQUIRE((count & 0x80) == 0);  // CBR
  std::size_t header = 2;
  std::size_t padding = 0;
  if (count & 0x40) {
    for (;;) {
      REQUIRE(packet.size() > header);
      const auto p = static_cast<unsigned char>(packet[header++]);
      padding += p == 255 ? 254 : p;
      if (p != 255) break;
    }
  }
  REQUIRE(packet.size() >= header + padding);
  return packet.size() - header - padding;
}

}  // namespace

TEST_CASE("ogg_crc is CRC-32 with polynomial 0x04C11DB7, init 0, no reflection") {
  // CRC-32/CKSUM uses the same register and XORs the result with ~0; its
  // check value for "123456789" is 0x765E7680.
  CHECK(ogg_crc("123456789") == (0x765E7680u ^ 0xFFFFFFFFu));
  CHECK(ogg_crc("") == 0);
}

TEST_CASE("make_wav gives a RIFF/WAVE PCM file of exactly the asked size") {
  const auto bytes = GENERATE(as<std::size_t>{}, 46, 48, 55, 56, 57, 100, 101, 1000, 16044, 16045, 160001, 1u << 20);
  INFO("bytes = " << bytes);
  REQUIRE(wav_size_ok(bytes));
  const std::string wav = make_wav("call-1", bytes);
  REQUIRE(wav.size() == bytes);
  CHECK(wav.substr(0, 4) == "RIFF");
  CHECK(le32(wav, 4) == bytes - 8);
  CHECK(wav.substr(8, 4) == "WAVE");

  // Walk the chunks: fmt, data, maybe one more; they must end at the file's end
  // (only the very last chunk may go without its pad byte).
  std::size_t at = 12;
  std::size_t data_size = 0;
  std::size_t data_at = 0;
  bool fmt_seen = false;
  while (at < wav.size()) {
    REQUIRE(wav.size() - at >= 8);
    const std::string id = wav.substr(at, 4);
    const std::size_t size = le32(wav, at + 4);
    REQUIRE(wav.size() - at - 8 >= size);
    if (id == "fmt ") {
      fmt_seen = true;
      REQUIRE(size == 16);
      CHECK(le16(wav, at + 8) == 1);       // PCM
      CHECK(le16(wav, at + 10) == 1);      // mono
      CHECK(le32(wav, at + 12) == 8000);   // rate
      CHECK(le32(wav, at + 16) == 16000);  // bytes per second
      CHECK(le16(wav, at + 20) == 2);      // block align
      CHECK(le16(wav, at + 22) == 16);     // bits
    } else if (id == "data") {
      REQUIRE(fmt_seen);
      data_size = size;
      data_at = at + 8;
    }
    at += 8 + size + (size % 2);
    if (at == wav.size() + 1) at = wav.size();  // a missing final pad byte
  }
  CHECK(at == wav.size());
  REQUIRE(data_size >= 2);
  CHECK(data_size % 2 == 0);
  CHECK(data_size + 44 <= bytes);

  // Audible but quiet: not silence, nowhere near full scale.
  int peak = 0;
  for (std::size_t i = data_at; i + 1 < data_at + data_size; i += 2)
    peak = std::max(peak, std::abs(static_cast<int>(static_cast<std::int16_t>(le16(wav, i)))));
  CHECK(peak > 100);
  CHECK(peak < 4000);
}

TEST_CASE("WAV and Ogg sizes outside the limits are refused") {
  for (std::size_t bytes : {std::size_t{0}, std::size_t{44}, std::size_t{45}, std::size_t{47}, std::size_t{53},
                            k_max_recording_bytes + 1}) {
    INFO("bytes = " << bytes);
    CHECK_FALSE(wav_size_ok(bytes));
    CHECK_THROWS_AS(make_wav("x", bytes), std::invalid_argument);
  }
  for (std::size_t bytes : {std::size_t{0}, std::size_t{100}, k_min_ogg_bytes - 1, k_max_recording_bytes + 1}) {
    INFO("bytes = " << bytes);
    CHECK_FALSE(ogg_size_ok(bytes));
    CHECK_THROWS_AS(make_ogg_opus("x", bytes), std::invalid_argument);
  }
  CHECK(wav_size_ok(k_max_recording_bytes));
  CHECK(ogg_size_ok(k_max_recording_bytes));
}

TEST_CASE("make_ogg_opus gives a valid Ogg Opus stream of exactly the asked size") {
  const auto bytes =
      GENERATE(as<std::size_t>{}, 128, 129, 130, 156, 157, 383, 384, 385, 2128, 2129, 4000, 65536, 100001, 1u << 20);
  INFO("bytes = " << bytes);
  REQUIRE(ogg_size_ok(bytes));
  const std::string ogg = make_ogg_opus("call-7", bytes);
  REQUIRE(ogg.size() == bytes);
  const auto pages = read_ogg(ogg);
  REQUIRE(pages.size() >= 3);

  for (std::size_t i = 0; i < pages.size(); ++i) {
    INFO("page " << i);
    CHECK(pages[i].sequence == i);
    CHECK(pages[i].serial == pages[0].serial);
    CHECK(((pages[i].flags & 0x02) != 0) == (i == 0));                 // BOS
    CHECK(((pages[i].flags & 0x04) != 0) == (i + 1 == pages.size()));  // EOS
    CHECK((pages[i].flags & 0x01) == 0);                               // nothing continued
  }

  // OpusHead, alone on the first page.
  REQUIRE(pages[0].packets.size() == 1);
  const std::string& head = pages[0].packets[0];
  REQUIRE(head.size() == 19);
  CHECK(head.substr(0, 8) == "OpusHead");
  CHECK(head[8] == 1);   // version
  CHECK(head[9] == 1);   // channels
  CHECK(head[18] == 0);  // mapping family
  const std::uint16_t pre_skip = le16(head, 10);
  CHECK(pages[0].granule == 0);

  // OpusTags, alone on the second page: vendor string and comment count fit.
  REQUIRE(pages[1].packets.size() == 1);
  const std::string& tags = pages[1].packets[0];
  REQUIRE(tags.substr(0, 8) == "OpusTags");
  const std::uint32_t vendor_length = le32(tags, 8);
  REQUIRE(tags.size() >= 16 + vendor_length);
  CHECK(le32(tags, 12 + vendor_length) == 0);
  CHECK(pages[1].granule == 0);

  // Audio: 20 ms mono packets of zero-length frames; granules count 48 kHz samples.
  std::uint64_t samples = 0;
  for (std::size_t i = 2; i < pages.size(); ++i) {
    INFO("page " << i);
    REQUIRE(!pages[i].packets.empty());
    for (const auto& packet : pages[i].packets) {
      const auto toc = static_cast<unsigned char>(packet[0]);
      CHECK((toc >> 3) == 1);    // SILK narrowband, 20 ms
      CHECK((toc & 0x04) == 0);  // mono
      CHECK(opus_frame_length(packet) == 0);
      samples += 960;
    }
    CHECK(pages[i].granule == samples);
  }
  CHECK(samples > pre_skip);
  // Near 16 kbit/s: the duration follows the size.
  if (bytes >= 65536) {
    const double seconds = static_cast<double>(samples) / 48000.0;
    const double expected = static_cast<double>(bytes) / static_cast<double>(k_ogg_bytes_per_second);
    CHECK(seconds == Approx(expected).epsilon(0.05));
  }
}

TEST_CASE("recordings are deterministic and depend on the name") {
  CHECK(make_wav("a", 4000) == make_wav("a", 4000));
  CHECK(make_wav("a", 4000) != make_wav("b", 4000));
  CHECK(make_ogg_opus("a", 4000) == make_ogg_opus("a", 4000));
  CHECK(make_ogg_opus("a", 4000) != make_ogg_opus("b", 4000));  // the stream serial differs
}

TEST_CASE("recording_for_path maps <name>-<bytes>.<ext> to a file") {
  struct Case {
    std::string path;
    std::string type;  // "" = not a recording
    std::size_t bytes;
  };
  const std::vector<Case> cases = {
      {"/recordings/call-1-5000.wav", "audio/wav", 5000},
      {"/recordings/call-1-5001.wav", "audio/wav", 5001},
      {"/recordings/EG_abc123def456-48000.ogg", "audio/ogg", 48000},
      {"/recordings/a-b-c-128.ogg", "audio/ogg", 128},
      {"/recordings/x-46.wav", "audio/wav", 46},
      {"/recordings/x-45.wav", "", 0},        // below the WAV minimum
      {"/recordings/x-127.ogg", "", 0},       // below the Ogg minimum
      {"/recordings/x-67108865.ogg", "", 0},  // above the cap
      {"/recordings/x-9999999999.wav", "", 0},
      {"/recordings/x-5000.mp3", "", 0},
      {"/recordings/x-5000", "", 0},
      {"/recordings/5000.wav", "", 0},  // no name
      {"/recordings/-5000.wav", "", 0},
      {"/recordings/x-05000.wav", "", 0},  // leading zero
      {"/recordings/x-+5000.wav", "", 0},
      {"/recordings/x-50a0.wav", "", 0},
      {"/recordings/x-.wav", "", 0},
      {"/recordings/dir/x-5000.wav", "", 0},
      {"/other/x-5000.wav", "", 0},
      {"/recordings/", "", 0},
  };
  for (const auto& c : cases) {
    INFO(c.path);
    const auto file = recording_for_path(c.path);
    if (c.type.empty()) {
      CHECK_FALSE(file.has_value());
    } else {
      REQUIRE(file.has_value());
      CHECK(file->content_type == c.type);
      CHECK(file->body.size() == c.bytes);
    }
  }
}
