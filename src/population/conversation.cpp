#include "population/conversation.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace callhook::population {

namespace {

struct Topic {
  std::vector<std::string_view> greetings;   // the bot opens
  std::vector<std::string_view> openers;     // the caller's first line
  std::vector<std::string_view> replies;     // the bot, mid-call
  std::vector<std::string_view> follow_ups;  // the caller, mid-call
  std::vector<std::string_view> closings;    // the bot's last line
  std::vector<std::string_view> goodbyes;    // the caller's last line
};

const std::array<Topic, 3>& topics() {
  static const std::array<Topic, 3> all = {{
      {// support
       {"Hi, thanks for calling support. How can I help you today?",
        "Hello, you're through to the help desk. What can I do for you?",
        "Thanks for calling. I'm the virtual assistant, how can I help?"},
       {"My internet keeps dropping out every few minutes.", "I can't log in to my account since yesterday.",
        "The app crashes as soon as I open it.", "My order arrived damaged and I'd like a replacement."},
       {"I'm sorry to hear that. Can you tell me the email on the account?",
        "Thanks. Have you tried restarting the device?", "Let me check that for you, one moment.",
        "I can see the issue on our side. I've reset it now.", "Could you read me the order number, please?"},
       {"Yes, it's the same email I always use.", "I restarted it twice already.", "Okay, I'll wait.",
        "The number is four two seven one nine.", "It says the password is wrong."},
       {"Is there anything else I can help you with today?", "Great, that should be fixed now. Thanks for calling.",
        "I've sent you a confirmation by email. Have a good day."},
       {"No, that's all, thanks.", "That works now, thank you. Bye.", "Perfect, thanks for your help."}},
      {// billing
       {"Hello, this is the billing line. How can I help?", "Hi, thanks for calling accounts. What can I do for you?"},
       {"I was charged twice this month.", "I'd like to update my card details.", "Why is my bill higher than usual?",
        "Can I get a copy of my last invoice?"},
       {"Let me pull up your account. Can you confirm your date of birth?",
        "I can see two charges here. I'll refund the second one.",
        "Your plan changed on the first of the month, that's the difference.",
        "I've emailed the invoice to the address on file."},
       {"Sure, it's the twelfth of March.", "How long does the refund take?", "I didn't ask for a plan change.",
        "Can you send it to my work email instead?"},
       {"The refund will show in three to five days. Anything else?", "All done. Thanks for calling billing.",
        "You're all set. Have a great day."},
       {"No, that's everything. Thanks.", "Great, thank you.", "Okay, bye."}},
      {// booking
       {"Hi, you've reached reservations. How can I help you?",
        "Hello, thanks for calling. Would you like to make a booking?"},
       {"I'd like to book a table for four on Friday.", "I need to move my appointment to next week.",
        "Do you have any rooms free this weekend?", "I want to cancel my booking for tomorrow."},
       {"Sure. What time would you like?", "We have seven or eight thirty available.",
        "I can move it to Tuesday at ten. Does that work?", "Can I have the name on the booking?"},
       {"Seven would be great.", "Tuesday at ten is fine.", "It's under Morgan.", "Is parking included?"},
       {"You're booked in. You'll get a text confirmation shortly.", "That's changed for you. See you then.",
        "All cancelled. Thanks for letting us know."},
       {"Thanks, see you then.", "Great, bye.", "Thank you, that's all."}},
  }};
  return all;
}

constexpr std::array<std::string_view, 3> k_agent_requests = {
    "Can I speak to a real person, please?", "I'd like to talk to an agent.", "Please put me through to someone."};
constexpr std::array<std::string_view, 2> k_agent_handoffs = {"Of course, I'm transferring you to an agent now.",
                                                              "Sure, please hold while I connect you to a colleague."};

template <class List>
std::string pick(util::Rng& rng, const List& list) {
  return std::string(list[static_cast<std::size_t>(rng.range(0, static_cast<std::int64_t>(list.size()) - 1))]);
}

// Walks a list from a random place, so a call does not repeat a line
// before it has used the others.
class Cycle {
 public:
  Cycle(util::Rng& rng, const std::vector<std::string_view>& list)
      : m_list(&list), m_next(static_cast<std::size_t>(rng.range(0, static_cast<std::int64_t>(list.size()) - 1))) {}
  std::string next() { return std::string((*m_list)[m_next++ % m_list->size()]); }

 private:
  const std::vector<std::string_view>* m_list;
  std::size_t m_next;
};

std::size_t word_count(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), ' ')) + 1;
}

}  // namespace

double speech_ms(std::size_t words, util::Rng& rng) {
  return static_cast<double>(words) * rng.uniform(k_ms_per_word_min, k_ms_per_word_max) + k_speech_lead_ms;
}

std::vector<Turn> make_turns(util::Rng& rng, std::int64_t count, std::int64_t duration_ms, bool wants_agent) {
  const std::int64_t fits = std::max<std::int64_t>(1, duration_ms / k_min_turn_ms);
  const auto n = static_cast<std::size_t>(std::clamp<std::int64_t>(count, 1, std::min(k_max_turns, fits)));
  const Topic& topic = topics()[static_cast<std::size_t>(rng.range(0, static_cast<std::int64_t>(topics().size()) - 1))];

  // Turn 0 is the bot; users speak on odd turns. The last user turn says
  // goodbye (or asks for an agent), and the bot answers it when it can.
  const std::size_t last_user = n < 2 ? n : (n % 2 == 0 ? n - 1 : n - 2);
  Cycle replies(rng, topic.replies), follow_ups(rng, topic.follow_ups);
  std::vector<Turn> turns(n);
  for (std::size_t i = 0; i < n; ++i) {
    Turn& turn = turns[i];
    turn.speaker = i % 2 == 0 ? "assistant" : "user";
    if (i == 0)
      turn.text = pick(rng, topic.greetings);
    else if (i == 1 && !(wants_agent && i == last_user))
      turn.text = pick(rng, topic.openers);
    else if (i % 2 == 1 && i == last_user)
      turn.text = wants_agent ? pick(rng, k_agent_requests) : pick(rng, topic.goodbyes);
    else if (i % 2 == 1)
      turn.text = follow_ups.next();
    else if (i == last_user + 1)
      turn.text = wants_agent ? pick(rng, k_agent_handoffs) : pick(rng, topic.closings);
    else
      turn.text = replies.next();
  }

  // Each turn gets a slot of the call in proportion to its words (plus a
  // pause), so turns spread over the whole call. Inside its slot a turn
  // starts after a short silence and lasts as long as its words take to
  // say, or the rest of the slot when that is shorter.
  std::vector<double> weights(n);
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) total += weights[i] = static_cast<double>(word_count(turns[i].text) + 3);
  double before = 0;
  std::int64_t slot_start = 0;
  for (std::size_t i = 0; i < n; ++i) {
    before += weights[i];
    const auto slot_end =
        i + 1 == n ? duration_ms : static_cast<std::int64_t>(static_cast<double>(duration_ms) * before / total);
    const double length = static_cast<double>(slot_end - slot_start);
    const auto speech = static_cast<std::int64_t>(speech_ms(word_count(turns[i].text), rng));
    turns[i].start_ms = slot_start + static_cast<std::int64_t>(length * rng.uniform(0.02, 0.1));
    turns[i].end_ms = std::min(turns[i].start_ms + speech, slot_end - static_cast<std::int64_t>(length * 0.02));
    turns[i].end_ms = std::max(turns[i].end_ms, turns[i].start_ms);
    slot_start = slot_end;
  }
  return turns;
}

}  // namespace callhook::population
