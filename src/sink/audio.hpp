#pragma once
// Synthetic call recordings of an exact byte size. The recording server turns
// "<name>-<bytes>.<ext>" into one of these, so everything about a file comes
// from its name: the same name and size always give the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace callhook::sink {

// WAV: RIFF header (12) + fmt chunk (24) + data chunk header (8) + one sample.
constexpr std::size_t k_min_wav_bytes = 46;
// Ogg Opus: OpusHead page (47) + OpusTags page (52) + one audio page (29).
constexpr std::size_t k_min_ogg_bytes = 128;
// Largest recording callhook makes; bigger requests are refused.
constexpr std::size_t k_max_recording_bytes = 64u << 20;

// What a second of audio costs, for vendors that size a recording from a call
// duration: 8 kHz 16-bit mono PCM, and Opus at about 16 kbit/s.
constexpr std::size_t k_wav_bytes_per_second = 16000;
constexpr std::size_t k_ogg_bytes_per_second = 2000;

// The sizes make_wav accepts: at least k_min_wav_bytes, and an odd size needs
// room for the one-byte trailing chunk that makes it odd (so 47..53 are out).
bool wav_size_ok(std::size_t bytes);
// The sizes make_ogg_opus accepts.
bool ogg_size_ok(std::size_t bytes);

// A RIFF/WAVE file, PCM 16-bit mono 8 kHz, of exactly `bytes` bytes holding a
// quiet tone with comfort noise seeded by `name`. Throws std::invalid_argument
// when !wav_size_ok(bytes).
std::string make_wav(std::string_view name, std::size_t bytes);

// An Ogg Opus file of exactly `bytes` bytes: OpusHead, OpusTags, then 20 ms
// mono packets that decode as silence, about k_ogg_bytes_per_second long.
// Throws std::invalid_argument when !ogg_size_ok(bytes).
std::string make_ogg_opus(std::string_view name, std::size_t bytes);

// Ogg's page checksum: CRC-32, polynomial 0x04C11DB7, no reflection, init 0.
std::uint32_t ogg_crc(std::string_view data);

}  // namespace callhook::sink
