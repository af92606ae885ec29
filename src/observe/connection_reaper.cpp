#include "observe/connection_reaper.h"

namespace observe {

std::vector<ConnectionReaper::Id> ConnectionReaper::opened(Id id, Clock::time_point now) {
  std::vector<Id> close;
  std::size_t waiting = 1;  // the newcomer
  for (auto& [other, e] : conns_) {
    if (e.state == State::closing || other == id) continue;
    if (now - e.since > deadline_) {
      e.state = State::closing;
      close.push_back(other);
    } else if (e.state == State::waiting) {
      ++waiting;
    }
  }
  while (waiting > max_waiting_) {
    auto oldest = conns_.end();
    for (auto it = conns_.begin(); it != conns_.end(); ++it) {
      if (it->second.state == State::waiting && it->first != id &&
          (oldest == conns_.end() || it->second.since < oldest->second.since)) {
        oldest = it;
      }
    }
    if (oldest == conns_.end()) break;
    oldest->second.state = State::closing;
    close.push_back(oldest->first);
    --waiting;
  }
  conns_[id] = {State::waiting, now};
  return close;
}

void ConnectionReaper::request_started(Id id) {
  auto it = conns_.find(id);
  if (it != conns_.end() && it->second.state == State::waiting) it->second.state = State::answering;
}

void ConnectionReaper::request_done(Id id, Clock::time_point now) {
  auto it = conns_.find(id);
  if (it != conns_.end() && it->second.state != State::closing) it->second = {State::waiting, now};
}

void ConnectionReaper::closed(Id id) {
  conns_.erase(id);
}

}  // namespace observe
