#pragma once
// Which --http connections to close so that slow clients cannot keep others out. libmicrohttpd's
// idle timeout ends a silent connection, but one that trickles a byte every few seconds stays
// active, and enough of them would fill the connection limit. So a connection must complete each
// request (from its opening, or the end of its previous request, to its response sent) within a
// deadline, and while too many connections are waiting for their request's headers the oldest
// waiting one is closed to make room for the newcomer: a scraper's GET, whose headers arrive at
// once, always gets in. Decided when a connection opens, which is when a slot is needed.
#include <chrono>
#include <cstddef>
#include <map>
#include <vector>

namespace observe {

class ConnectionReaper {
 public:
  using Clock = std::chrono::steady_clock;
  using Id = int;  // the socket: unique among open connections

  ConnectionReaper(std::size_t max_waiting, Clock::duration deadline)
      : max_waiting_(max_waiting), deadline_(deadline) {}

  // A new connection: returns those to close now (past their deadline, then the oldest waiting
  // ones beyond `max_waiting`, the newcomer counted); it is never one of them.
  std::vector<Id> opened(Id id, Clock::time_point now);
  void request_started(Id id);                      // its headers are in: being answered
  void request_done(Id id, Clock::time_point now);  // answered; waiting for the next request
  void closed(Id id);

  std::size_t tracked() const { return conns_.size(); }

 private:
  enum class State { waiting, answering, closing };
  struct Entry {
    State state = State::waiting;
    Clock::time_point since;
  };
  std::size_t max_waiting_;
  Clock::duration deadline_;
  std::map<Id, Entry> conns_;
};

}  // namespace observe
