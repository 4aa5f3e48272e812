#include "sink/audio.hpp"

// How the exact sizes come out.
//
// WAV: a RIFF file is a 12-byte header and chunks, each an 8-byte header and
// a body padded to an even length, so a strictly valid file is always even.
// An even size is header + fmt + data, the data chunk taking the rest. An odd
// size adds a trailing "JUNK" chunk of one byte whose pad byte is left out:
// readers stop at the data chunk or tolerate a missing pad byte at the very
// end, which is the one place where it does no harm.
//
// Ogg Opus: the OpusHead and OpusTags pages have fixed sizes. The audio is
// 20 ms packets, 50 to a page (one second per page, as encoders do). Opus lets
// a packet carry padding (RFC 6716 section 3.2.5, code 3 with the padding
// flag), so every packet is one zero-length frame plus as many padding bytes
// as the size needs: a zero-length frame is what a DTX encoder sends for
// silence and decoders play it as such. The bytes left after the page headers
// are spread evenly over the packets, which keeps the file near 16 kbit/s.

#include <array>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "util/rng.hpp"

namespace callhook::sink {
namespace {

constexpr std::size_t k_wav_header_bytes = 44;
constexpr std::size_t k_wav_junk_bytes = 9;  // "JUNK", size 1, one byte, no pad byte

constexpr std::size_t k_ogg_page_header_bytes = 27;
constexpr std::size_t k_opus_head_page_bytes = 47;  // 27 + 1 lacing byte + 19
constexpr std::size_t k_opus_tags_page_bytes = 52;  // 27 + 1 lacing byte + 24
constexpr std::size_t k_packets_per_page = 50;
constexpr std::size_t k_max_packet_bytes = 254;      // one lacing byte per packet
constexpr std::uint64_t k_samples_per_packet = 960;  // 20 ms at 48 kHz
constexpr std::uint16_t k_pre_skip = 312;
// SILK narrowband 20 ms (config 1), mono: the TOC byte without its code bits.
constexpr unsigned char k_toc_base = 1 << 3;

std::uint64_t name_seed(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return util::derive(h, 0, 0, "recording");
}

void put_u16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v & 0xff);
  out += static_cast<char>(v >> 8);
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

void set_u32(std::string& out, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out[at + static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
}

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t r = i << 24;
    for (int bit = 0; bit < 8; ++bit) r = (r & 0x80000000u) ? (r << 1) ^ 0x04C11DB7u : r << 1;
    table[i] = r;
  }
  return table;
}

constexpr std::array<std::uint32_t, 256> k_crc_table = make_crc_table();

// Appends one page whose packets all end on it (no continuation).
void append_page(std::string& out, unsigned char flags, std::uint64_t granule, std::uint32_t serial,
                 std::uint32_t sequence, const std::vector<std::string>& packets) {
  const std::size_t start = out.size();
  out += "OggS";
  out += '\0';  // stream structure version
  out += static_cast<char>(flags);
  put_u64(out, granule);
  put_u32(out, serial);
  put_u32(out, sequence);
  put_u32(out, 0);  // checksum, filled in below
  std::string lacing;
  for (const auto& packet : packets) {
    std::size_t left = packet.size();
    while (left >= 255) {
      lacing += static_cast<char>(255);
      left -= 255;
    }
    lacing += static_cast<char>(left);
  }
  out += static_cast<char>(lacing.size());
  out += lacing;
  for (const auto& packet : packets) out += packet;
  const std::uint32_t crc = ogg_crc(std::string_view(out).substr(start));
  set_u32(out, start + 22, crc);
}

// One 20 ms packet of silence, exactly `size` bytes (1..k_max_packet_bytes).
std::string silent_packet(std::size_t size) {
  std::string packet;
  if (size == 1) {
    packet += static_cast<char>(k_toc_base | 0);  // code 0: one frame, here of length 0
    return packet;
  }
  packet += static_cast<char>(k_toc_base | 3);  // code 3: frame count byte follows
  if (size == 2) {
    packet += static_cast<char>(0x01);  // CBR, no padding, one frame
    return packet;
  }
  packet += static_cast<char>(0x41);  // CBR, padding, one frame
  packet += static_cast<char>(size - 3);
  packet.append(size - 3, '\0');
  return packet;
}

// Sizes of the audio packets that fill `budget` bytes of audio pages.
std::vector<std::size_t> packet_sizes(std::size_t budget) {
  const std::size_t per_packet = k_ogg_bytes_per_second / k_packets_per_page;
  std::size_t count = std::max<std::size_t>(1, budget / per_packet);
  std::size_t data = 0;
  for (;;) {
    const std::size_t pages = (count + k_packets_per_page - 1) / k_packets_per_page;
    const std::size_t overhead = pages * k_ogg_page_header_bytes + count;
    data = budget >= overhead ? budget - overhead : 0;
    if (data < count && count > 1) {
      --count;
    } else if (data > count * k_max_packet_bytes) {
      ++count;
    } else {
      break;
    }
  }
  std::vector<std::size_t> sizes(count, data / count);
  for (std::size_t i = 0; i < data % count; ++i) ++sizes[i];
  return sizes;
}

}  // namespace

std::uint32_t ogg_crc(std::string_view data) {
  std::uint32_t crc = 0;
  for (char c : data) crc = (crc << 8) ^ k_crc_table[((crc >> 24) ^ static_cast<unsigned char>(c)) & 0xff];
  return crc;
}

bool wav_size_ok(std::size_t bytes) {
  if (bytes < k_min_wav_bytes || bytes > k_max_recording_bytes) return false;
  return bytes % 2 == 0 || bytes >= k_wav_header_bytes + k_wav_junk_bytes + 2;
}

bool ogg_size_ok(std::size_t bytes) { return bytes >= k_min_ogg_bytes && bytes <= k_max_recording_bytes; }

std::string make_wav(std::string_view name, std::size_t bytes) {
  if (!wav_size_ok(bytes)) throw std::invalid_argument("no WAV file of " + std::to_string(bytes) + " bytes");
  const bool odd = bytes % 2 == 1;
  const std::size_t data_bytes = bytes - k_wav_header_bytes - (odd ? k_wav_junk_bytes : 0);

  std::string out;
  out.reserve(bytes);
  out += "RIFF";
  put_u32(out, static_cast<std::uint32_t>(bytes - 8));
  out += "WAVE";
  out += "fmt ";
  put_u32(out, 16);
  put_u16(out, 1);      // PCM
  put_u16(out, 1);      // mono
  put_u32(out, 8000);   // samples per second
  put_u32(out, 16000);  // bytes per second
  put_u16(out, 2);      // block align
  put_u16(out, 16);     // bits per sample
  out += "data";
  put_u32(out, static_cast<std::uint32_t>(data_bytes));

  // A quiet tone (about -32 dBFS) whose period is a whole number of samples,
  // so one period is computed once, under low comfort noise.
  util::Rng rng(name_seed(name));
  static constexpr std::array<int, 4> k_periods = {32, 25, 20, 16};  // 250, 320, 400, 500 Hz
  const int period = k_periods[static_cast<std::size_t>(rng.range(0, 3))];
  std::vector<double> wave(static_cast<std::size_t>(period));
  for (std::size_t i = 0; i < wave.size(); ++i)
    wave[i] = 800.0 * std::sin(2.0 * M_PI * static_cast<double>(i) / static_cast<double>(period));
  const std::size_t samples = data_bytes / 2;
  for (std::size_t i = 0; i < samples; ++i) {
    const double noise = static_cast<double>(static_cast<std::int64_t>(rng.next() % 401) - 200);
    const auto sample = static_cast<std::int16_t>(std::lround(wave[i % wave.size()] + noise));
    put_u16(out, static_cast<std::uint16_t>(sample));
  }

  if (odd) {
    out += "JUNK";
    put_u32(out, 1);
    out += '\0';
  }
  return out;
}

std::string make_ogg_opus(std::string_view name, std::size_t bytes) {
  if (!ogg_size_ok(bytes)) throw std::invalid_argument("no Ogg Opus file of " + std::to_string(bytes) + " bytes");
  const auto serial = static_cast<std::uint32_t>(name_seed(name) & 0xffffffffu);
  constexpr unsigned char k_bos = 0x02;
  constexpr unsigned char k_eos = 0x04;

  std::string out;
  out.reserve(bytes);
  std::uint32_t sequence = 0;

  std::string head = "OpusHead";
  head += '\x01';  // version
  head += '\x01';  // channels
  put_u16(head, k_pre_skip);
  put_u32(head, 8000);  // input sample rate, informational
  put_u16(head, 0);     // output gain
  head += '\0';         // channel mapping family
  append_page(out, k_bos, 0, serial, sequence++, {head});

  std::string tags = "OpusTags";
  put_u32(tags, 8);
  tags += "callhook";
  put_u32(tags, 0);  // no user comments
  append_page(out, 0, 0, serial, sequence++, {tags});

  const std::vector<std::size_t> sizes = packet_sizes(bytes - k_opus_head_page_bytes - k_opus_tags_page_bytes);
  std::uint64_t granule = 0;
  for (std::size_t first = 0; first < sizes.size(); first += k_packets_per_page) {
    const std::size_t last = std::min(sizes.size(), first + k_packets_per_page);
    std::vector<std::string> packets;
    for (std::size_t i = first; i < last; ++i) packets.push_back(silent_packet(sizes[i]));
    granule += k_samples_per_packet * (last - first);
    append_page(out, last == sizes.size() ? k_eos : 0, granule, serial, sequence++, packets);
  }
  return out;
}

}  // namespace callhook::sink
